#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The purge strategy for expired rows.
public enum PurgeMode: String, Sendable, CaseIterable {
    /// Whole partitions where possible, then batched deletes for the rest.
    case exact
    /// Whole partitions only; expired rows in other partitions stay until a later run.
    case partition
}

/// The settings of one `purge` run, checked by `validate()`.
public struct PurgeOptions: Sendable {
    public var table = QualifiedName(schema: "dbo", name: "f_trafegoc01")
    public var dateColumn = "Dia"
    public var retentionMonths = 3
    public var asOf: LocalDate = .today()
    public var dryRun = false
    public var minRemaining: Int64 = 1_000
    public var maxDelete: Int64 = 100_000
    public var batchSize = 10_000
    /// Seconds to sleep between two delete batches.
    public var batchPause = 1.0
    public var mode = PurgeMode.exact
    /// Keep removed PostgreSQL partitions in the `archive` schema instead of dropping them.
    public var archive = false
    /// Fail instead of falling back to batched deletes when partitions cannot be switched.
    public var requireSwitch = false
    /// Seconds to wait for a lock before the statement fails.
    public var lockTimeout = 30
    /// How many times a batch is retried after a transient error.
    public var retries = 3

    public init() {}

    /// The accepted ranges, shared by validation and help text.
    public static let retentionMonthsRange = 1...1200
    public static let batchSizeRange = 1...1_000_000
    public static let batchPauseRange = 0.0...3600.0
    public static let lockTimeoutRange = 1...86_400

    /// Checks the values that the option parser cannot check alone.
    ///
    /// - Throws: `ConfigurationError` naming the value and the fix.
    public func validate() throws {
        guard Self.retentionMonthsRange.contains(retentionMonths) else {
            throw ConfigurationError(
                "invalid --retention-months \(retentionMonths): expected 1 to 1200 months")
        }
        guard asOf.year * 12 + asOf.month - retentionMonths > 12 else {
            throw ConfigurationError(
                "invalid --as-of \(asOf) with --retention-months \(retentionMonths): the cutoff "
                    + "would fall before year 1")
        }
        guard minRemaining >= 0 else {
            throw ConfigurationError(
                "invalid --min-remaining \(minRemaining): expected 0 or more rows")
        }
        guard maxDelete >= 0 else {
            throw ConfigurationError("invalid --max-delete \(maxDelete): expected 0 or more rows")
        }
        guard Self.batchSizeRange.contains(batchSize) else {
            throw ConfigurationError(
                "invalid --batch-size \(batchSize): expected 1 to 1000000 rows per batch")
        }
        guard Self.batchPauseRange.contains(batchPause), batchPause.isFinite else {
            throw ConfigurationError(
                "invalid --batch-pause \(batchPause): expected 0 to 3600 seconds")
        }
        guard Self.lockTimeoutRange.contains(lockTimeout) else {
            throw ConfigurationError(
                "invalid --lock-timeout \(lockTimeout): expected 1 to 86400 seconds")
        }
    }

    /// The cutoff for these options: rows with a valid date before it are expired.
    public var cutoff: LocalDate {
        RetentionCutoff.cutoff(asOf: asOf, retentionMonths: retentionMonths)
    }
}

/// A removed partition's table that a killed run left behind: a SQL Server staging table
/// after its SWITCH, or a PostgreSQL partition detached (or pending detach) but not dropped.
public struct PurgeLeftover: Sendable, Equatable {
    public var table: QualifiedName
    /// The leftover's state, such as `staging table` or `detach pending`.
    public var state: String
    public var counts: PartitionRowCounts
    /// The execution id of the run that left it, when the table records one.
    public var executionId: String?
    /// True when the partition is still attached in the detach-pending state.
    public var isDetachPending: Bool
    /// The parent's partition entry when the leftover is still attached.
    public var partition: PartitionInfo?
    /// True when the run that left it used `--archive`, so the leftover is moved to the
    /// `archive` schema instead of dropped even when this run does not archive.
    public var archive: Bool

    public init(
        table: QualifiedName, state: String, counts: PartitionRowCounts,
        executionId: String? = nil, isDetachPending: Bool = false,
        partition: PartitionInfo? = nil, archive: Bool = false
    ) {
        self.table = table
        self.state = state
        self.counts = counts
        self.executionId = executionId
        self.isDetachPending = isDetachPending
        self.partition = partition
        self.archive = archive
    }
}

/// A partition the plan removes as a unit, with the counts that prove it may go.
public struct PartitionRemoval: Sendable, Equatable {
    public var partition: PartitionInfo
    public var counts: PartitionRowCounts
}

/// The rows and partitions one purge run removes and keeps, built from catalog facts and
/// row counts before anything changes. `build` is a pure function so that it can be tested without a server.
public struct PurgePlan: Sendable {
    public var table: QualifiedName
    public var mode: PurgeMode
    public var asOf: LocalDate
    public var retentionMonths: Int
    public var cutoff: LocalDate
    /// Whole table totals at planning time.
    public var totals: PartitionRowCounts
    public var isPartitioned: Bool
    public var removals: [PartitionRemoval]
    /// Expired rows left for batched deletes (0 in partition mode).
    public var rowsToDeleteInBatches: Int64
    /// Expired rows this run keeps: in partition mode, those outside removable partitions.
    public var expiredRowsKept: Int64
    /// Days between the oldest expired date kept and the cutoff, in partition mode.
    public var daysKeptPastCutoff: Int?
    /// The reason expired rows go by batched deletes instead of partition removal, or nil.
    public var fallbackReason: String?
    public var leftovers: [PurgeLeftover]
    /// The highest key at plan time: batched deletes go no further, so rows loaded after
    /// the plan (even with old dates) stay until the next run. Nil for an empty table.
    public var maxKey: Int64? = nil

    /// Rows the plan removes: leftovers of earlier runs that hold only expired rows, whole
    /// partitions and batched deletes. The safety limits count all of them.
    public var rowsToRemove: Int64 {
        leftoverRowsToRemove + removals.reduce(0) { $0 + $1.counts.rows }
            + rowsToDeleteInBatches
    }

    /// Rows in leftovers that this run finishes. `totals` does not include them, because
    /// queries on the table no longer see them.
    public var leftoverRowsToRemove: Int64 {
        leftovers.filter(\.counts.holdsOnlyExpiredRows).reduce(0) { $0 + $1.counts.rows }
    }

    /// Rows left in the table after the plan runs.
    public var rowsRemaining: Int64 { totals.rows - (rowsToRemove - leftoverRowsToRemove) }

    /// True when the run removes no row and finishes no leftover.
    public var isEmpty: Bool {
        rowsToRemove == 0 && removals.isEmpty && leftovers.isEmpty
    }

    /// Returns why the plan must not run under the safety limits, or nil when it may. A plan
    /// that removes nothing always may, so an empty table is not refused.
    public func safetyViolation(minRemaining: Int64, maxDelete: Int64) -> String? {
        guard rowsToRemove > 0 else { return nil }
        if rowsToRemove > maxDelete {
            return "the purge would delete \(rowsToRemove) rows, more than --max-delete "
                + "\(maxDelete): raise --max-delete to at least \(rowsToRemove) if this is "
                + "expected"
        }
        if rowsRemaining < minRemaining {
            return "the purge would leave \(rowsRemaining) rows, fewer than --min-remaining "
                + "\(minRemaining): lower --min-remaining to \(rowsRemaining) or less if this "
                + "is expected"
        }
        return nil
    }

    /// Builds the plan.
    ///
    /// - Parameters:
    ///   - layout: the partitioning, or nil for a table that is not partitioned.
    ///   - counts: row counts per partition id; for a table that is not partitioned, one
    ///     entry under any key.
    ///   - switchRestriction: why this login or table cannot remove partitions, or nil.
    /// - Throws: `ConfigurationError` when partition mode has no partitions to work with,
    ///   `PurgeRefusal` when `--require-switch` forbids the fallback.
    public static func build(
        options: PurgeOptions, table: QualifiedName, layout: PartitionLayout?,
        counts: [String: PartitionRowCounts], switchRestriction: String?,
        leftovers: [PurgeLeftover] = []
    ) throws -> PurgePlan {
        let cutoff = options.cutoff
        // Detach-pending partitions are leftovers: the parent no longer shows their rows.
        let pendingIds = Set(
            (layout?.partitions ?? []).filter(\.isDetachPending).map(\.id))
        var totals = PartitionRowCounts()
        for (id, value) in counts where !pendingIds.contains(id) { totals.add(value) }

        var fallback = switchRestriction
        if layout == nil {
            fallback = "\(table) is not partitioned"
        } else if layout?.isKeyedOnDate == false {
            fallback = "\(table) is partitioned on \(layout!.key), not on its date column"
        }
        if options.mode == .partition, let fallback {
            throw PurgeRefusal(
                "--mode partition removes whole partitions only, but \(fallback): use "
                    + "--mode exact to delete the expired rows in batches")
        }
        let needsRemoval = totals.expiredRows > 0
        if options.requireSwitch, needsRemoval, let fallback {
            throw PurgeRefusal(
                "--require-switch is set, but \(fallback), so the purge would fall back to "
                    + "batched deletes; nothing was changed")
        }

        var removals: [PartitionRemoval] = []
        if fallback == nil, let layout {
            for partition in layout.partitions where isRemovable(partition, cutoff: cutoff) {
                let partitionCounts = counts[partition.id] ?? PartitionRowCounts()
                if partitionCounts.holdsOnlyExpiredRows {
                    removals.append(PartitionRemoval(partition: partition, counts: partitionCounts))
                }
            }
        }
        let removedExpired = removals.reduce(Int64(0)) { $0 + $1.counts.expiredRows }
        let expiredOutside = totals.expiredRows - removedExpired

        var plan = PurgePlan(
            table: table, mode: options.mode, asOf: options.asOf,
            retentionMonths: options.retentionMonths, cutoff: cutoff, totals: totals,
            isPartitioned: layout != nil, removals: removals, rowsToDeleteInBatches: 0,
            expiredRowsKept: 0, daysKeptPastCutoff: nil,
            fallbackReason: totals.expiredRows > 0 ? fallback : nil, leftovers: leftovers)
        switch options.mode {
        case .exact:
            plan.rowsToDeleteInBatches = expiredOutside
        case .partition:
            plan.expiredRowsKept = expiredOutside
            let removedIds = Set(removals.map(\.partition.id))
            let oldestKept = counts.filter {
                !removedIds.contains($0.key) && !pendingIds.contains($0.key)
                    && $0.value.expiredRows > 0
            }
                .compactMap(\.value.oldestDate).min()
            plan.daysKeptPastCutoff = oldestKept.map { max(0, cutoff.days(since: $0)) } ?? 0
        }
        return plan
    }

    /// Returns true for a partition whose whole range lies before the cutoff and that is not
    /// a catch-all. Its rows must still be counted before it goes, with
    /// `PartitionRowCounts.holdsOnlyExpiredRows`.
    public static func isRemovable(_ partition: PartitionInfo, cutoff: LocalDate) -> Bool {
        guard !partition.isCatchAll, !partition.isDetachPending, let upper = partition.upperBound
        else {
            return false
        }
        return upper <= cutoff
    }
}

/// A purge that did not start because a safety limit or an option forbids it. Nothing was
/// changed; the CLI exits 3.
public struct PurgeRefusal: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
