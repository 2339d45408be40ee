import ETL016Core
import Foundation

struct ValidateCommand: Command {
    static let name = "validate"
    static let summary = "check migration files offline, and checksums when connected"
    static let usage = "validate [--dialect sqlserver|postgresql] [--var NAME=VALUE]... [--connection STRING]"
    static let details = """
        Checks the migration files without a database: file names, duplicate versions,
        batches that split, variables without a value, statements that cannot run in a
        transaction without the `-- etl016:no-transaction` header, and versions present in
        one dialect's folder but not the other's. With a connection (--connection or
        ETL016_DB_CONNECTION) it also compares the checksums with the history and validates
        the connected dialect only. Exits 3 when it finds a problem.
        """
    static let options: [OptionSpec] = [
        .value("dialect", "sqlserver|postgresql", "validate one dialect's folder (default both)"),
        .value(
            "migrations-root", "DIR",
            "folder holding sqlserver/ and postgresql/ (default migrations)"),
        MigrationOptions.variable,
    ]

    static func run(_ context: CommandContext) throws -> ExitCode {
        try context.arguments.expectPositionals(0...0, usage)
        let variables = try context.variables()
        let root = context.arguments.value("migrations-root") ?? "migrations"
        var connected: (Connection, any Dialect)?
        if context.arguments.value("connection") != nil
            || context.environment["ETL016_DB_CONNECTION"] != nil
        {
            connected = try context.connect()
        }
        let kinds: [DialectKind]
        if let connected {
            kinds = [connected.1.kind]
        } else if let name = context.arguments.value("dialect") {
            guard let kind = DialectKind(rawValue: name) else {
                throw UsageError(
                    message: "invalid --dialect \(name): expected sqlserver or postgresql",
                    command: self.name)
            }
            kinds = [kind]
        } else {
            kinds = DialectKind.allCases
        }
        var problems: [String] = []
        var versions: [DialectKind: Set<String>] = [:]
        for kind in kinds {
            let dialect = ETL016Core.dialect(for: kind)
            let folder = URL(fileURLWithPath: root).appendingPathComponent(kind.rawValue)
            do {
                let migrations = try MigrationCatalog.load(directory: folder, dialect: dialect)
                versions[kind] = Set(migrations.map(\.version))
                problems += MigrationCatalog.problems(
                    in: migrations, variables: variables, dialect: dialect)
                if let (connection, _) = connected {
                    let migrator = Migrator(
                        connection: connection, dialect: dialect, migrations: migrations,
                        logger: context.logger)
                    problems += try migrator.status().compactMap(checksumProblem)
                }
                context.logger.info("checked \(migrations.count) migrations in \(folder.path)")
            } catch let error as ConfigurationError {
                problems.append(error.message)
            }
        }
        if versions.count == 2 {
            problems += crossDialectProblems(versions)
        }
        if context.wantsJSON {
            context.printJSON(
                .object([("ok", .bool(problems.isEmpty)), ("problems", .array(problems.map { .string($0) }))]))
        } else {
            context.print(problems.isEmpty ? "No problems found." : problems.joined(separator: "\n"))
        }
        guard problems.isEmpty else {
            throw CheckFailure(message: "validate found \(problems.count) problems")
        }
        return .success
    }

    private static func checksumProblem(_ status: MigrationStatus) -> String? {
        switch status.state {
        case .changed:
            return "\(status.script ?? status.version) changed after it was applied"
        case .missing:
            return "\(status.script ?? status.version) was applied but its file is missing"
        default:
            return nil
        }
    }

    private static func crossDialectProblems(_ versions: [DialectKind: Set<String>]) -> [String] {
        let sqlServer = versions[.sqlServer] ?? []
        let postgreSQL = versions[.postgreSQL] ?? []
        let onlySQLServer = sqlServer.subtracting(postgreSQL).sorted().map {
            "version \($0) exists for sqlserver but not for postgresql"
        }
        let onlyPostgreSQL = postgreSQL.subtracting(sqlServer).sorted().map {
            "version \($0) exists for postgresql but not for sqlserver"
        }
        return onlySQLServer + onlyPostgreSQL
    }
}
