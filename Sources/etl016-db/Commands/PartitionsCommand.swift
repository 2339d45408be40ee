import ETL016Core
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct PartitionsCommand: Command {
    static let name = "partitions"
    static let summary = "list, check or create the monthly partitions of the traffic table"
    static let usage = """
        partitions [list|check|ensure] [--table NAME] [--months-ahead N] [--as-of YYYY-MM-DD]
        """
    static let details = """
        list (the default) shows each partition with its range, rows, size and tablespace or
        filegroup, the runway (consecutive months after the as-of month that monthly
        partitions already cover) and the rows with a valid date in catch-all partitions
        (PostgreSQL's DEFAULT, SQL Server's unbounded first and last ranges).

        check exits 3 when the runway is shorter than --months-ahead or a catch-all partition
        holds rows with a valid date: a monitoring probe.

        ensure creates the missing monthly partitions from the month of the oldest valid row
        through --months-ahead months after the as-of month. PostgreSQL: each month's rows move
        out of the DEFAULT partition in the same transaction that attaches its partition.
        SQL Server: NEXT USED and SPLIT RANGE, only on empty ranges; a range that holds rows
        is reported and left alone, and ensure then exits 3.
        """
    static let options: [OptionSpec] = [
        RetentionCommandOptions.table,
        RetentionCommandOptions.dateColumn,
        .value("months-ahead", "N", "months after the as-of month to cover (default 3)"),
        .value(
            "from", "YYYY-MM-DD",
            "ensure: start at this date's month even when no row is that old, such as before "
                + "loading data"),
        .value("as-of", "YYYY-MM-DD", "the current month is that of this date (default today)"),
        RetentionCommandOptions.lockTimeout,
    ]

    static func run(_ context: CommandContext) throws -> ExitCode {
        try context.arguments.expectPositionals(0...1, usage)
        let action = context.arguments.positionals.first ?? "list"
        guard ["list", "check", "ensure"].contains(action) else {
            throw UsageError(
                message: "unknown action \(action): expected list, check or ensure",
                command: name)
        }
        let table = try RetentionCommandOptions.table(context)
        let dateColumn = try RetentionCommandOptions.dateColumn(context)
        let monthsAhead = try context.arguments.integer("months-ahead", default: 3, range: 0...120)
        let asOf = try context.arguments.date("as-of") ?? .today()
        let from = try context.arguments.date("from")
        if from != nil, action != "ensure" {
            throw UsageError(message: "--from applies to partitions ensure only", command: name)
        }
        let lockTimeout = try RetentionCommandOptions.lockTimeout(context)

        let (connection, dialect) = try context.connect()
        defer { connection.close() }
        let manager = PartitionManager(
            connection: connection, dialect: dialect, logger: context.logger)
        switch action {
        case "ensure":
            let report = try manager.ensure(
                table: table, dateColumn: dateColumn, asOf: asOf, monthsAhead: monthsAhead,
                from: from, lockTimeout: lockTimeout)
            context.emit(report) { report.text }
            if !report.skipped.isEmpty {
                context.logger.error(
                    "\(report.skipped.count) monthly partitions could not be created")
                return .checkFailed
            }
            return .success
        default:
            let listing = try manager.list(table: table, dateColumn: dateColumn, asOf: asOf)
            let problems = action == "check" ? listing.problems(monthsAhead: monthsAhead) : []
            if context.wantsJSON {
                var json = listing.json
                if action == "check", case .object(var members) = json {
                    members.append(("ok", .bool(problems.isEmpty)))
                    members.append(("problems", .array(problems.map { .string($0) })))
                    json = .object(members)
                }
                context.printJSON(json)
            } else {
                context.print(listing.text)
            }
            for problem in problems {
                context.logger.error(problem)
            }
            return problems.isEmpty ? .success : .checkFailed
        }
    }
}
