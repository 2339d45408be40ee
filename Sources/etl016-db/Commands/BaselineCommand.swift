import ETL016Core

struct BaselineCommand: Command {
    static let name = "baseline"
    static let summary = "mark migrations up to a version as applied without running them"
    static let usage = "baseline --version VERSION"
    static let details = """
        For a database whose schema already exists: records every migration up to and
        including VERSION as applied, with its checksum, without running it. Rejected when
        the history already records applied migrations.
        """
    static let options: [OptionSpec] = [
        .value("version", "VERSION", "newest migration the database already has, such as 20250910_0650"),
        MigrationOptions.migrations,
        MigrationOptions.lockTimeout,
    ]

    static func run(_ context: CommandContext) throws -> ExitCode {
        try context.arguments.expectPositionals(0...0, usage)
        guard let version = context.arguments.value("version") else {
            throw UsageError(message: "missing --version VERSION", command: name)
        }
        let (migrator, _) = try MigrationOptions.migrator(context)
        let recorded = try migrator.baseline(
            version: version, lockTimeout: try MigrationOptions.lockTimeout(context))
        if context.wantsJSON {
            context.printJSON(
                .object([("baselined", .array(recorded.map { .string($0.version) }))]))
        } else {
            context.print(
                recorded.map { "marked \($0.fileName) as applied" }.joined(separator: "\n"))
        }
        return .success
    }
}
