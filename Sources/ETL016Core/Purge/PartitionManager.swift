#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One partition with its row counts, as `partitions` lists it.
public struct PartitionEntry: Sendable {
    public var partition: PartitionInfo
    public var counts: PartitionRowCounts

    /// Rows with a valid date, which should sit in a monthly partition, not a catch-all.
    public var datedRows: Int64 { counts.rows - counts.noDateRows }
}

/// The partitions of a table, their runway and the rows in catch-all partitions.
public struct PartitionListing: Sendable, JSONRepresentable {
    public var table: QualifiedName
    public var asOf: LocalDate
    public var layout: PartitionLayout?
    public var entries: [PartitionEntry]

    /// Consecutive whole months after the as-of month that bounded partitions already
    /// cover, so rows of those months land in a monthly partition.
    public var runwayMonths: Int {
        guard let layout else { return 0 }
        return Self.runway(layout.partitions, asOf: asOf)
    }

    /// Rows with a valid date in catch-all partitions (PostgreSQL's DEFAULT, SQL Server's
    /// unbounded first and last ranges).
    public var catchAllDatedRows: Int64 {
        entries.filter(\.partition.isCatchAll).reduce(0) { $0 + $1.datedRows }
    }

    public static func runway(_ partitions: [PartitionInfo], asOf: LocalDate) -> Int {
        var month = asOf.firstOfMonth.addingMonths(1)
        var months = 0
        while months < 1200, partitions.contains(where: { partition in
            guard !partition.isCatchAll, let lower = partition.lowerBound,
                let upper = partition.upperBound
            else {
                return false
            }
            return lower <= month && month.addingMonths(1) <= upper
        }) {
            months += 1
            month = month.addingMonths(1)
        }
        return months
    }

    /// Returns the problems `partitions check --months-ahead` reports, one sentence each.
    public func problems(monthsAhead: Int) -> [String] {
        guard layout != nil else {
            return ["\(table) is not partitioned, so it has no runway"]
        }
        var problems: [String] = []
        if runwayMonths < monthsAhead {
            problems.append(
                "the runway is \(runwayMonths) months after \(asOf.firstOfMonth), shorter than "
                    + "\(monthsAhead): run `etl016-db partitions ensure --months-ahead "
                    + "\(monthsAhead)`")
        }
        // ensure creates months up to --months-ahead after the as-of month, never later.
        let ensureEnd = asOf.firstOfMonth.addingMonths(monthsAhead + 1)
        for entry in entries where entry.partition.isCatchAll && entry.datedRows > 0 {
            let advice = (entry.counts.newestDate.map { $0 >= ensureEnd } ?? false)
                ? "the newest is \(entry.counts.newestDate!), after the last month ensure "
                    + "creates (\(ensureEnd.addingMonths(-1))): check those rows for a mistyped "
                    + "date, or run `etl016-db partitions ensure` with a larger --months-ahead"
                : "run `etl016-db partitions ensure` to give their months partitions"
            problems.append(
                "\(entry.partition.displayName) \(entry.partition.rangeDescription) is a "
                    + "catch-all partition and holds \(entry.datedRows) rows with a valid date: "
                    + advice)
        }
        return problems
    }

    public var json: JSONValue {
        .object([
            ("table", .string(table.description)),
            ("partitioned", .bool(layout != nil)),
            ("partition_key", .optional(layout?.key)),
            ("partition_function", .optional(layout?.functionName)),
            ("partition_scheme", .optional(layout?.schemeName)),
            ("as_of", .string(asOf.description)),
            ("runway_months", .integer(Int64(runwayMonths))),
            ("catch_all_dated_rows", .integer(catchAllDatedRows)),
            ("partitions", .array(entries.map { entry in
                .object([
                    ("partition", .string(entry.partition.displayName)),
                    ("partition_number", .integer(Int64(entry.partition.number))),
                    ("range", .string(entry.partition.rangeDescription)),
                    ("lower_bound", .optional(entry.partition.lowerBound?.description)),
                    ("upper_bound", .optional(entry.partition.upperBound?.description)),
                    ("catch_all", .bool(entry.partition.isCatchAll)),
                    ("detach_pending", .bool(entry.partition.isDetachPending)),
                    ("rows", .integer(entry.counts.rows)),
                    ("rows_without_valid_date", .integer(entry.counts.noDateRows)),
                    ("oldest_date", .optional(entry.counts.oldestDate?.description)),
                    ("newest_date", .optional(entry.counts.newestDate?.description)),
                    ("size_bytes", entry.partition.sizeBytes.map { .integer($0) } ?? .null),
                    ("storage", .optional(entry.partition.storage)),
                ])
            })),
        ])
    }

    public var text: String {
        guard let layout else { return "\(table) is not partitioned" }
        var table = TextTable(
            headers: ["partition", "range", "rows", "no date", "size MB", "storage"])
        for entry in entries {
            table.append([
                entry.partition.displayName, entry.partition.rangeDescription,
                String(entry.counts.rows), String(entry.counts.noDateRows),
                entry.partition.sizeBytes.map { (Double($0) / 1_048_576).fixed(1) }
                    ?? "-",
                entry.partition.storage ?? "-",
            ])
        }
        return [
            "\(self.table) partitioned by \(layout.key)",
            table.rendered(),
            "runway: \(runwayMonths) months after \(asOf.firstOfMonth); rows with a valid date "
                + "in catch-all partitions: \(catchAllDatedRows)",
        ].joined(separator: "\n")
    }
}

/// The months `partitions ensure` created, found present, or skipped.
public struct PartitionEnsureReport: Sendable, JSONRepresentable {
    public var table: QualifiedName
    public var firstMonth: LocalDate
    public var lastMonth: LocalDate
    public var created: [(month: LocalDate, movedRows: Int64)] = []
    public var skipped: [(month: LocalDate, reason: String)] = []
    public var existing = 0

    public var json: JSONValue {
        .object([
            ("table", .string(table.description)),
            ("first_month", .string(firstMonth.description)),
            ("last_month", .string(lastMonth.description)),
            ("created", .array(created.map {
                .object([("month", .string($0.month.description)),
                    ("moved_rows", .integer($0.movedRows))])
            })),
            ("already_present", .integer(Int64(existing))),
            ("skipped", .array(skipped.map {
                .object([("month", .string($0.month.description)),
                    ("reason", .string($0.reason))])
            })),
        ])
    }

    public var text: String {
        var lines = created.map { "created the partition for \($0.month) (moved \($0.movedRows) rows)" }
        lines += skipped.map { "skipped \($0.month): \($0.reason)" }
        lines.append(
            "\(created.count) created, \(existing) already present, \(skipped.count) skipped, "
                + "months \(firstMonth) to \(lastMonth)")
        return lines.joined(separator: "\n")
    }
}

/// Lists, checks and creates monthly partitions.
public final class PartitionManager {
    let connection: Connection
    let dialect: any Dialect
    let logger: Logger

    /// The maximum number of months one `ensure` covers, 50 years, so that one mistyped old
    /// date does not create hundreds of partitions.
    public static let maximumMonths = 600

    /// The maximum number of months before the as-of month that `ensure` reaches back to
    /// the oldest row without `--from`.
    public static let maximumMonthsBack = 36

    public init(connection: Connection, dialect: any Dialect, logger: Logger = .standard) {
        self.connection = connection
        self.dialect = dialect
        self.logger = logger
    }

    enum MonthCoverage {
        case whole
        case part(PartitionInfo)
        case none
    }

    /// Returns whether bounded partitions cover all of `month`, part of it, or none of it.
    static func coverage(of month: LocalDate, in layout: PartitionLayout) -> MonthCoverage {
        let next = month.addingMonths(1)
        var partial: PartitionInfo?
        for partition in layout.partitions where !partition.isCatchAll {
            guard let lower = partition.lowerBound, let upper = partition.upperBound,
                lower < next, month < upper
            else {
                continue
            }
            if lower <= month && next <= upper { return .whole }
            partial = partial ?? partition
        }
        return partial.map(MonthCoverage.part) ?? .none
    }

    /// Lists the partitions with row counts from one pass over the table.
    public func list(table: QualifiedName, dateColumn: String, asOf: LocalDate) throws
        -> PartitionListing
    {
        let target = try RetentionTarget.load(
            connection, dialect: dialect, table: table, dateColumn: dateColumn)
        let layout = try dialect.partitionLayout(connection, target)
        let counts = try dialect.countRows(connection, target, layout: layout, cutoff: asOf)
        let entries = (layout?.partitions ?? []).map { partition in
            PartitionEntry(partition: partition, counts: counts[partition.id] ?? PartitionRowCounts())
        }
        return PartitionListing(table: target.table, asOf: asOf, layout: layout, entries: entries)
    }

    /// Creates the monthly partitions missing from the month of the oldest valid row (or
    /// the as-of month on a table without one, or the month of `from` when that is earlier)
    /// through `monthsAhead` months after the as-of month. Months that a partition already
    /// covers are left alone.
    ///
    /// - Throws: `ConfigurationError` when the table is not partitioned.
    public func ensure(
        table: QualifiedName, dateColumn: String, asOf: LocalDate, monthsAhead: Int,
        from: LocalDate? = nil, lockTimeout: Int
    ) throws -> PartitionEnsureReport {
        let target = try RetentionTarget.load(
            connection, dialect: dialect, table: table, dateColumn: dateColumn)
        try dialect.setLockTimeout(connection, seconds: lockTimeout)
        guard var layout = try dialect.partitionLayout(connection, target) else {
            throw ConfigurationError(
                "\(target.table) is not partitioned: run the partitioning migration first")
        }
        guard layout.isKeyedOnDate else {
            throw ConfigurationError(
                "\(target.table) is partitioned on \(layout.key), not on the date column "
                    + "\(target.dateColumn), so monthly date ranges do not apply")
        }
        var totals = PartitionRowCounts()
        for value in try dialect.countRows(connection, target, layout: layout, cutoff: asOf).values {
            totals.add(value)
        }
        let lastMonth = asOf.firstOfMonth.addingMonths(monthsAhead)
        var startMonth = totals.oldestDate?.firstOfMonth ?? asOf.firstOfMonth
        // One mistyped old date (1/1/1980) must not create hundreds of partitions: going
        // further back than maximumMonthsBack needs --from at or before the oldest month.
        let earliestWithoutFrom = asOf.firstOfMonth.addingMonths(-Self.maximumMonthsBack)
        if let oldest = totals.oldestDate, oldest.firstOfMonth < earliestWithoutFrom,
            from.map({ $0.firstOfMonth > oldest.firstOfMonth }) ?? true
        {
            throw OperationError(
                "the oldest valid date in \(target.table) is \(oldest), more than "
                    + "\(Self.maximumMonthsBack) months before the as-of month "
                    + "\(asOf.firstOfMonth), so no partition was created: fix or delete the rows "
                    + "dated before \(earliestWithoutFrom) if they are typos, or pass --from "
                    + "\(oldest.firstOfMonth) to create every month from there")
        }
        if let from { startMonth = min(startMonth, from.firstOfMonth) }
        let firstMonth = min(startMonth, lastMonth)
        let monthCount = lastMonth.year * 12 + lastMonth.month - firstMonth.year * 12
            - firstMonth.month + 1
        guard monthCount <= Self.maximumMonths else {
            throw OperationError(
                "the oldest valid date in \(target.table) is \(firstMonth), so ensure would "
                    + "create \(monthCount) monthly partitions, more than "
                    + "\(Self.maximumMonths): fix or delete the rows with such old dates first")
        }
        var report = PartitionEnsureReport(
            table: target.table, firstMonth: firstMonth, lastMonth: lastMonth)
        var month = firstMonth
        while month <= lastMonth {
            defer { month = month.addingMonths(1) }
            switch Self.coverage(of: month, in: layout) {
            case .whole:
                report.existing += 1
                continue
            case .part(let partial):
                report.skipped.append(
                    (month, "\(partial.displayName) \(partial.rangeDescription) covers part of "
                        + "the month"))
                continue
            case .none:
                break
            }
            let outcome = try dialect.ensureMonthlyPartition(
                connection, target, layout: layout, month: month, lockTimeout: lockTimeout)
            switch outcome {
            case .created(let moved):
                report.created.append((month, moved))
                logger.info("created the partition for \(month), moved \(moved) rows")
                layout = try dialect.partitionLayout(connection, target) ?? layout
            case .skipped(let reason):
                report.skipped.append((month, reason))
                logger.warning("did not create the partition for \(month): \(reason)")
            }
        }
        return report
    }
}
