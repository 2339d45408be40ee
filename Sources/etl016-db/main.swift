import ETL016Core
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// Every subcommand, in the order `--help` lists them.
let commands: [Command.Type] = [
    MigrateCommand.self, StatusCommand.self, ValidateCommand.self, NewCommand.self,
    BaselineCommand.self, RepairCommand.self, BatchesCommand.self, RunCommand.self,
    PurgeCommand.self, PartitionsCommand.self, StatsCommand.self, VerifyPermissionsCommand.self,
]

let exitCode = CommandLineTool(commands: commands).run(Array(CommandLine.arguments.dropFirst()))
exit(exitCode.rawValue)
