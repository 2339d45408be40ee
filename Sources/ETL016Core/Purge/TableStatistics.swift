#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The row counts, date range and size that `stats` reports for a table.
public struct TableStatistics: Sendable, JSONRepresentable {
    public var table: QualifiedName
    public var dateColumn: String
    public var counts: PartitionRowCounts
    public var sizeBytes: Int64
    /// Number of partitions, or nil when the table is not partitioned.
    public var partitionCount: Int?

    /// Rows with a valid date.
    public var validDateRows: Int64 { counts.rows - counts.noDateRows }
    /// Rows whose text is present but is not a valid date.
    public var malformedDateRows: Int64 { counts.noDateRows - counts.nullTextRows }

    /// Counts the table in one pass and reads its size from the catalog.
    public static func collect(
        _ connection: Connection, dialect: any Dialect, table: QualifiedName, dateColumn: String
    ) throws -> TableStatistics {
        let target = try RetentionTarget.load(
            connection, dialect: dialect, table: table, dateColumn: dateColumn)
        let layout = try dialect.partitionLayout(connection, target)
        // Any cutoff works: only the totals are read, and year 1 makes no row expired.
        let cutoff = LocalDate(year: 1, month: 1, day: 1)!
        var counts = PartitionRowCounts()
        for value in try dialect.countRows(connection, target, layout: layout, cutoff: cutoff)
            .values
        {
            counts.add(value)
        }
        return TableStatistics(
            table: target.table, dateColumn: target.dateColumn, counts: counts,
            sizeBytes: try dialect.tableSizeBytes(connection, target.table),
            partitionCount: layout?.partitions.count)
    }

    public var sizeMB: Double { (Double(sizeBytes) / 1_048_576 * 100).rounded() / 100 }

    public var json: JSONValue {
        .object([
            ("table", .string(table.description)),
            ("date_column", .string(dateColumn)),
            ("total_rows", .integer(counts.rows)),
            ("valid_date_rows", .integer(validDateRows)),
            ("invalid_date_rows", .integer(counts.noDateRows)),
            ("malformed_dia_rows", .integer(malformedDateRows)),
            ("null_dia_rows", .integer(counts.nullTextRows)),
            ("oldest_date", .optional(counts.oldestDate?.description)),
            ("newest_date", .optional(counts.newestDate?.description)),
            ("size_mb", .double(sizeMB)),
            ("partitioned", .bool(partitionCount != nil)),
            ("partitions", .optional(partitionCount)),
        ])
    }

    public var text: String {
        var table = TextTable(headers: ["statistic", "value"])
        table.append(["table", self.table.description])
        table.append(["total rows", String(counts.rows)])
        table.append(["rows with a valid date", String(validDateRows)])
        table.append(["rows without a valid date", String(counts.noDateRows)])
        table.append(["  of which NULL", String(counts.nullTextRows)])
        table.append(["  of which malformed", String(malformedDateRows)])
        table.append(["oldest date", counts.oldestDate?.description ?? "-"])
        table.append(["newest date", counts.newestDate?.description ?? "-"])
        table.append(["size MB", sizeMB.fixed(2)])
        table.append(["partitions", partitionCount.map(String.init) ?? "not partitioned"])
        return table.rendered()
    }
}
