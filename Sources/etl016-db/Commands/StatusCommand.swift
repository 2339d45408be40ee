import ETL016Core
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct StatusCommand: Command {
    static let name = "status"
    static let summary = "list every migration with its state"
    static let usage = "status [--check] [--migrations DIR]"
    static let details = """
        Lists every migration file and history row with its state: applied, pending, failed
        (rolled back or stopped partway; the next migrate runs it again), changed (the file
        differs from the applied checksum) or missing (applied, but the file is gone).
        Changes nothing, not even a missing history table.
        """
    static let options: [OptionSpec] = [
        .flag("check", "exit 3 when anything is pending, failed, changed or missing"),
        MigrationOptions.migrations,
    ]

    static func run(_ context: CommandContext) throws -> ExitCode {
        try context.arguments.expectPositionals(0...0, usage)
        let (migrator, _) = try MigrationOptions.migrator(context)
        let statuses = try migrator.status()
        let attention = statuses.filter(\.needsAttention)
        if context.wantsJSON {
            context.printJSON(
                .object([
                    ("ok", .bool(attention.isEmpty)),
                    ("migrations", .array(statuses.map(\.json))),
                ]))
        } else {
            context.print(table(statuses))
        }
        if context.arguments.has("check"), !attention.isEmpty {
            throw CheckFailure(message: "migrations need attention: " + summary(statuses))
        }
        return .success
    }

    private static func table(_ statuses: [MigrationStatus]) -> String {
        guard !statuses.isEmpty else { return "No migrations found." }
        var table = TextTable(headers: ["VERSION", "STATE", "APPLIED AT (UTC)", "MS", "DESCRIPTION"])
        for status in statuses {
            var state = status.state.rawValue
            if status.isOutOfOrder { state += " (out of order)" }
            if status.state == .failed, let completed = status.batchesCompleted, completed > 0 {
                state += " (stopped after batch \(completed), or still running)"
            }
            table.append([
                status.version, state, status.appliedAt ?? "-",
                status.executionMs.map(String.init) ?? "-", status.description,
            ])
        }
        return table.rendered() + "\n" + summary(statuses)
    }

    /// Returns a line such as `6 migrations: 5 applied, 1 pending`.
    static func summary(_ statuses: [MigrationStatus]) -> String {
        let order: [MigrationState] = [.applied, .pending, .failed, .changed, .missing]
        let counts = order.compactMap { state -> String? in
            let count = statuses.filter { $0.state == state }.count
            return count == 0 ? nil : "\(count) \(state.rawValue)"
        }
        let noun = statuses.count == 1 ? "migration" : "migrations"
        return "\(statuses.count) \(noun): " + counts.joined(separator: ", ")
    }
}
