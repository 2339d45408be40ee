import Foundation

/// The result of one run of the etl016-db executable.
struct CLIResult {
    var exitCode: Int32
    var stdout: String
    var stderr: String

    /// Parses stdout as JSON.
    func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed])
    }

    func jsonObject() throws -> [String: Any] {
        guard let object = try json() as? [String: Any] else {
            throw CLIError("stdout is not a JSON object: \(stdout.prefix(300))")
        }
        return object
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs the built executable, as a pipeline would.
enum CLI {
    /// The package root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The executable: ETL016_BIN when set, otherwise the debug build of this package.
    static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["ETL016_BIN"] {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent(".build/debug/etl016-db")
    }

    /// Starts the executable and returns the process, for tests that run two at once.
    static func start(
        _ arguments: [String], environment: [String: String], directory: URL? = nil
    ) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged["ETL016_DB_CONNECTION"] = nil
        merged["ETL016_DB_PASSWORD"] = nil
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        process.currentDirectoryURL = directory ?? packageRoot
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, stdout, stderr)
    }

    /// Waits for a started process and collects its output.
    static func finish(_ started: (Process, Pipe, Pipe)) -> CLIResult {
        let (process, stdout, stderr) = started
        let outData = stdout.fileHandleForReading.readDataToEndOfFile()
        let errData = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(
            exitCode: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    static func run(
        _ arguments: [String], environment: [String: String] = [:], directory: URL? = nil
    ) throws -> CLIResult {
        finish(try start(arguments, environment: environment, directory: directory))
    }
}

/// A temporary folder of migration files, removed by `remove()`.
struct MigrationFolder {
    let url: URL

    init(files: [String: String]) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("etl016-migrations-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files {
            try write(name, text)
        }
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func delete(_ name: String) throws {
        try FileManager.default.removeItem(at: url.appendingPathComponent(name))
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
