import ETL016Core
import Foundation

/// Every subcommand, in the order `--help` lists them.
let commands: [Command.Type] = [
    MigrateCommand.self, StatusCommand.self, ValidateCommand.self, NewCommand.self,
    BaselineCommand.self, RepairCommand.self, BatchesCommand.self, RunCommand.self,
]

let exitCode = CommandLineTool(commands: commands).run(Array(CommandLine.arguments.dropFirst()))
exit(exitCode.rawValue)
