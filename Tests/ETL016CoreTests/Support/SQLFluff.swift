import Foundation

/// Runs `sqlfluff parse --dialect tsql` (sqlfluff 4.5 from PyPI, installed by
/// scripts/install-deps.sh) on T-SQL text, the closest check of SQL Server syntax available
/// without a SQL Server.
enum SQLFluff {
    struct Failure: CustomStringConvertible {
        var name: String
        var detail: String
        var description: String { "\(name): \(detail)" }
    }

    /// Parses each named statement or script as its own file in one sqlfluff run and
    /// returns the ones with an unparsable section or a parse error.
    ///
    /// - Throws: when sqlfluff is not installed or prints no JSON.
    static func unparsable(_ scripts: [String: String]) throws -> [Failure] {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("etl016-sqlfluff-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var names: [String: String] = [:]
        for (index, (name, text)) in scripts.sorted(by: { $0.key < $1.key }).enumerated() {
            let fileName = String(format: "statement_%04d.sql", index)
            names[fileName] = name
            try (text + "\n").write(
                to: folder.appendingPathComponent(fileName), atomically: true, encoding: .utf8)
        }
        let output = try run(["parse", "--dialect", "tsql", "--format", "json", folder.path])
        guard let files = try JSONSerialization.jsonObject(with: output) as? [[String: Any]] else {
            throw SQLFluffError("sqlfluff printed no JSON list")
        }
        var failures: [Failure] = []
        for file in files {
            let path = file["filepath"] as? String ?? ""
            let name = names[URL(fileURLWithPath: path).lastPathComponent] ?? path
            let segments = file["segments"].map { "\($0)" } ?? "<none>"
            let violations = file["violations"] as? [[String: Any]] ?? []
            if segments.contains("unparsable") || file["segments"] == nil
                || file["segments"] is NSNull || !violations.isEmpty
            {
                let detail = violations.compactMap { $0["description"] as? String }
                    .joined(separator: "; ")
                failures.append(Failure(name: name, detail: detail.isEmpty ? "unparsable" : detail))
            }
        }
        return failures
    }

    private static func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlfluff"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw SQLFluffError("cannot start sqlfluff (\(error)): run scripts/install-deps.sh")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 127 {
            throw SQLFluffError("sqlfluff is not installed: run scripts/install-deps.sh")
        }
        return data
    }
}

struct SQLFluffError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
