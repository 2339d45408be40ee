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
            let counts = Dictionary(grouping: attention, by: \.state.rawValue)
                .map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: ", ")
            throw CheckFailure(message: "migrations need attention: \(counts)")
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
                state += " (after batch \(completed))"
            }
            table.append([
                status.version, state, status.appliedAt ?? "-",
                status.executionMs.map(String.init) ?? "-", status.description,
            ])
        }
        let pending = statuses.filter { $0.state == .pending }.count
        return table.rendered() + "\n\(statuses.count) migrations, \(pending) pending"
    }
}
