import ETL016Core
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
        let root = URL(fileURLWithPath: context.arguments.value("migrations-root") ?? "migrations")
        let connected = try connectIfConfigured(context)
        let kinds = try dialectsToValidate(context, connected: connected)

        var problems: [String] = []
        var versions: [DialectKind: Set<String>] = [:]
        for kind in kinds {
            let folder = root.appendingPathComponent(kind.rawValue)
            do {
                let (folderVersions, folderProblems) = try validate(
                    folder, kind: kind, variables: variables, connection: connected?.0,
                    logger: context.logger)
                versions[kind] = folderVersions
                problems += folderProblems
            } catch let error as ConfigurationError {
                problems.append(error.message)
            }
        }
        if versions.count == 2 {
            problems += crossDialectProblems(versions)
        }

        if context.wantsJSON {
            let list: [JSONValue] = problems.map { .string($0) }
            context.printJSON(.object([("ok", .bool(problems.isEmpty)), ("problems", .array(list))]))
        } else {
            context.print(problems.isEmpty ? "No problems found." : problems.joined(separator: "\n"))
        }
        guard problems.isEmpty else {
            let noun = problems.count == 1 ? "problem" : "problems"
            throw CheckFailure(message: "validate found \(problems.count) \(noun)")
        }
        return .success
    }

    /// Connects when a connection string is configured, so checksums can be compared.
    private static func connectIfConfigured(_ context: CommandContext) throws
        -> (Connection, any Dialect)?
    {
        let configured = context.arguments.value("connection")
            ?? context.environment["ETL016_DB_CONNECTION"]
        return configured == nil ? nil : try context.connect()
    }

    /// Returns the connected dialect, the one named by `--dialect`, or both.
    private static func dialectsToValidate(
        _ context: CommandContext, connected: (Connection, any Dialect)?
    ) throws -> [DialectKind] {
        if let connected { return [connected.1.kind] }
        guard let name = context.arguments.value("dialect") else { return DialectKind.allCases }
        guard let kind = DialectKind(rawValue: name) else {
            throw UsageError(
                message: "invalid --dialect \(name): expected sqlserver or postgresql",
                command: self.name)
        }
        return [kind]
    }

    /// Checks one dialect's folder and returns its versions and problems.
    private static func validate(
        _ folder: URL, kind: DialectKind, variables: [String: String], connection: Connection?,
        logger: Logger
    ) throws -> (Set<String>, [String]) {
        let dialect = ETL016Core.dialect(for: kind)
        let migrations = try MigrationCatalog.load(directory: folder, dialect: dialect)
        var problems = MigrationCatalog.problems(
            in: migrations, variables: variables, dialect: dialect)
        if let connection {
            let migrator = Migrator(
                connection: connection, dialect: dialect, migrations: migrations, logger: logger)
            problems += try migrator.status().compactMap(checksumProblem)
        }
        logger.info("checked \(migrations.count) migrations in \(folder.path)")
        return (Set(migrations.map(\.version)), problems)
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
