import ETL016Core
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

struct RepairCommand: Command {
    static let name = "repair"
    static let summary = "remove failed history rows and realign changed checksums"
    static let usage = "repair [--yes] [--dry-run]"
    static let details = """
        Deletes the history rows of failed migrations, so the next migrate runs them from
        the first batch, and replaces the recorded checksum of changed migrations with the
        file's current one. Rows of missing files are listed and left alone. Asks for
        confirmation on a terminal; pipelines pass --yes.
        """
    static let options: [OptionSpec] = [
        .flag("yes", "apply without asking"),
        .flag("dry-run", "list what would change and change nothing"),
        MigrationOptions.migrations,
        MigrationOptions.lockTimeout,
    ]

    static func run(_ context: CommandContext) throws -> ExitCode {
        try context.arguments.expectPositionals(0...0, usage)
        let (migrator, _) = try MigrationOptions.migrator(context)
        let plan = try migrator.repairPlan()
        if !context.wantsJSON { context.print(describe(plan)) }
        if plan.isEmpty || context.arguments.has("dry-run") {
            if context.wantsJSON { context.printJSON(result(plan, applied: false)) }
            return .success
        }
        if !context.arguments.has("yes") {
            try confirm(context)
        }
        try migrator.repair(plan, lockTimeout: try MigrationOptions.lockTimeout(context))
        if context.wantsJSON {
            context.printJSON(result(plan, applied: true))
        } else {
            context.print("Repaired.")
        }
        return .success
    }

    private static func confirm(_ context: CommandContext) throws {
        guard isatty(STDIN_FILENO) != 0 else {
            throw ConfigurationError(
                "repair needs confirmation and standard input is not a terminal: pass --yes")
        }
        StandardError.write("Apply these changes? [y/N] ")
        let answer = readLine()?.trimmingWhitespace().lowercased() ?? ""
        guard answer == "y" || answer == "yes" else {
            throw OperationError("repair cancelled; nothing was changed")
        }
    }

    private static func describe(_ plan: RepairPlan) -> String {
        var lines: [String] = []
        for status in plan.failedToRemove {
            lines.append("remove failed record of \(status.script ?? status.version)")
        }
        for status in plan.checksumsToRealign {
            lines.append("realign checksum of \(status.script ?? status.version)")
        }
        for status in plan.missing {
            lines.append(
                "left alone: \(status.script ?? status.version) is applied but its file is "
                    + "missing; restore it or delete its row by hand")
        }
        return lines.isEmpty ? "Nothing to repair." : lines.joined(separator: "\n")
    }

    private static func result(_ plan: RepairPlan, applied: Bool) -> JSONValue {
        guard case .object(let members) = plan.json else { return plan.json }
        return .object([("applied", .bool(applied))] + members)
    }
}
