import ETL016Core
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct StatsCommand: Command {
    static let name = "stats"
    static let summary = "count the traffic table's rows, dates, size and partitions"
    static let usage = "stats [--table NAME] [--date-column NAME]"
    static let details = """
        Counts the rows in one pass: in total, with a valid date, without one (NULL or
        malformed Dia), the oldest and newest date, the size in MB with indexes, and the
        number of partitions. Changes nothing.
        """
    static let options: [OptionSpec] = [
        RetentionCommandOptions.table,
        RetentionCommandOptions.dateColumn,
    ]

    static func run(_ context: CommandContext) throws -> ExitCode {
        try context.arguments.expectPositionals(0...0, usage)
        let table = try RetentionCommandOptions.table(context)
        let dateColumn = try RetentionCommandOptions.dateColumn(context)
        let (connection, dialect) = try context.connect()
        defer { connection.close() }
        let statistics = try TableStatistics.collect(
            connection, dialect: dialect, table: table, dateColumn: dateColumn)
        context.emit(statistics) { statistics.text }
        return .success
    }
}
