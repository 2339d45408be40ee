import ETL016Core
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct RunCommand: Command {
    static let name = "run"
    static let summary = "run a SQL script batch by batch, as sqlcmd -i does"
    static let usage = "run FILE [--var NAME=VALUE]... [--transaction]"
    static let details = """
        Runs FILE against the database, split as migrate splits it, with $(NAME) variables
        substituted, and records nothing in the history. Each batch commits on its own
        unless --transaction runs the whole script in one transaction. Stops at the first
        error and names the batch and line. The demo data loader runs through this command.
        """
    static let options: [OptionSpec] = [
        MigrationOptions.variable,
        .flag("transaction", "run the whole script in one transaction"),
    ]

    static func run(_ context: CommandContext) throws -> ExitCode {
        try context.arguments.expectPositionals(1...1, usage)
        let path = context.arguments.positionals[0]
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("script \(path) not found")
        }
        let variables = try context.variables()
        let (connection, dialect) = try context.connect()
        let runner = ScriptRunner(connection: connection, dialect: dialect, logger: context.logger)
        let report = try runner.run(
            text: try ScriptFile.decode(data, path: path), fileName: path, variables: variables,
            inTransaction: context.arguments.has("transaction"))
        context.emit(report) {
            "ran \(report.batches) batches of \(path) in \(report.executionMs) ms"
        }
        return .success
    }
}
