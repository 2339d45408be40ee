import ETL016Core
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

struct NewCommand: Command {
    static let name = "new"
    static let summary = "create a timestamped migration file in each dialect folder"
    static let usage = "new DESCRIPTION [--migrations-root DIR]"
    static let details = """
        Creates YYYYMMDD_HHmm_description.sql, stamped with the current UTC time, in
        migrations/sqlserver and migrations/postgresql, so both dialects keep the same
        versions. Spaces in DESCRIPTION become underscores.
        """
    static let options: [OptionSpec] = [
        .value(
            "migrations-root", "DIR",
            "folder holding sqlserver/ and postgresql/ (default migrations)")
    ]
    static let connects = false

    static func run(_ context: CommandContext) throws -> ExitCode {
        try context.arguments.expectPositionals(1...1, usage)
        let description = context.arguments.positionals[0]
            .trimmingWhitespace().lowercased()
            .replacing(" ", with: "_")
        guard description.count <= 200 else {
            throw UsageError(
                message: "invalid description: \(description.count) characters, at most 200 "
                    + "fit in the history table", command: name)
        }
        let fileName = "\(versionStamp(Date()))_\(description).sql"
        do {
            _ = try MigrationFileName.parse(fileName)
        } catch {
            throw UsageError(
                message: "invalid description \(context.arguments.positionals[0]): use letters, "
                    + "digits, spaces, underscores or hyphens", command: name)
        }
        let root = URL(fileURLWithPath: context.arguments.value("migrations-root") ?? "migrations")
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory),
            isDirectory
        else {
            throw ConfigurationError(
                "migrations folder \(root.path) not found: run from the project folder or pass "
                    + "--migrations-root DIR")
        }
        let targets = DialectKind.allCases.map {
            root.appendingPathComponent($0.rawValue).appendingPathComponent(fileName)
        }
        if let existing = targets.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
            throw ConfigurationError(
                "\(existing.path) already exists: wait a minute for a new timestamp or pick "
                    + "another description")
        }
        var created: [String] = []
        for (kind, url) in zip(DialectKind.allCases, targets) {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try template(kind).write(to: url, atomically: true, encoding: .utf8)
            created.append(url.path)
        }
        if context.wantsJSON {
            context.printJSON(.object([("created", .array(created.map { .string($0) }))]))
        } else {
            context.print(created.map { "created \($0)" }.joined(separator: "\n"))
        }
        return .success
    }

    /// Returns `YYYYMMDD_HHmm` in UTC.
    static func versionStamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return (Int(parts.tm_year) + 1900).zeroPadded(4) + (Int(parts.tm_mon) + 1).zeroPadded(2)
            + Int(parts.tm_mday).zeroPadded(2) + "_" + Int(parts.tm_hour).zeroPadded(2)
            + Int(parts.tm_min).zeroPadded(2)
    }

    private static func template(_ kind: DialectKind) -> String {
        switch kind {
        case .sqlServer:
            return """
                -- Runs in one transaction with its history row. Separate batches with GO.
                -- Put `-- etl016:no-transaction` on the first line for statements such as
                -- ALTER DATABASE that cannot run inside a transaction.

                """
        case .postgreSQL:
            return """
                -- Runs in one transaction with its history row; end statements with `;`.
                -- Put `-- etl016:no-transaction` on the first line for statements such as
                -- CREATE INDEX CONCURRENTLY that cannot run inside a transaction.

                """
        }
    }
}
