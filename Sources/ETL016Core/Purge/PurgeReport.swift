#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One partition a purge removed (or would remove in a dry run).
public struct RemovedPartition: Sendable {
    public var partition: PartitionInfo
    public var counts: PartitionRowCounts
    /// `dropped`, `archived`, or `planned` in a dry run.
    public var action: String
    public var seconds: Double
}

/// The outcome of `purge`, with the summary keys the SPEC fixes plus a few of its own.
public struct PurgeReport: Sendable, JSONRepresentable {
    public var plan: PurgePlan
    public var executionId: String
    public var dryRun: Bool
    public var startTime: Date
    public var endTime: Date
    /// The reason a safety limit stopped the run before any change, or nil.
    public var refusal: String?
    public var removedPartitions: [RemovedPartition] = []
    public var rowsDeletedInBatches: Int64 = 0
    public var deleteBatches = 0
    /// Leftovers of earlier runs that this run dropped, and those it only reported.
    public var leftoversFinished: [PurgeLeftover] = []
    public var leftoversReported: [String] = []
    /// The error that stopped the run after it started changing the table, or nil.
    public var error: String?
    /// The reason the delete phase stopped before every expired row was gone, such as the
    /// --max-delete budget running out, or nil.
    public var deleteStopReason: String?
    /// The reason writing the --metrics-file failed after the purge itself completed, or nil.
    public var metricsFileError: String?
    /// Set on a dry run: why the real run with these options would be refused.
    public var wouldRefuse: String?

    public init(plan: PurgePlan, executionId: String, dryRun: Bool, startTime: Date) {
        self.plan = plan
        self.executionId = executionId
        self.dryRun = dryRun
        self.startTime = startTime
        endTime = startTime
    }

    public var success: Bool { refusal == nil && error == nil && wouldRefuse == nil }

    /// Rows removed from the table: whole partitions plus batched deletes. A dry run
    /// reports what it would remove.
    public var recordsDeleted: Int64 {
        if dryRun { return plan.rowsToRemove }
        return leftoverRowsDeleted + removedPartitions.reduce(0) { $0 + $1.counts.rows }
            + rowsDeletedInBatches
    }

    /// Rows of leftovers of earlier runs that this run removed (the plan's, on a dry run).
    public var leftoverRowsDeleted: Int64 {
        if dryRun { return plan.leftoverRowsToRemove }
        return leftoversFinished.reduce(0) { $0 + $1.counts.rows }
    }

    /// Rows left in the table. Leftover rows are not in `plan.totals`, so they are not
    /// subtracted from it.
    public var recordsKept: Int64 {
        refusal != nil ? plan.totals.rows : plan.totals.rows - (recordsDeleted - leftoverRowsDeleted)
    }

    public var partitionsSwitched: Int {
        dryRun ? plan.removals.count : removedPartitions.count
    }

    public var rowsDeletedByDelete: Int64 {
        dryRun ? plan.rowsToDeleteInBatches : rowsDeletedInBatches
    }

    public var executionSeconds: Double { endTime.timeIntervalSince(startTime) }

    /// A one-line outcome for the log and the text output.
    public var headline: String {
        if let refusal { return "purge refused, nothing changed: \(refusal)" }
        if let error {
            return "purge failed after removing \(recordsDeleted) rows of \(plan.table) "
                + "(\(partitionsSwitched) partitions as a unit, \(rowsDeletedByDelete) rows by "
                + "batched deletes): \(error)"
        }
        if plan.isEmpty { return "nothing to purge: no valid date before \(plan.cutoff)" }
        let verb = dryRun ? "would remove" : "removed"
        return "\(verb) \(recordsDeleted) rows of \(plan.table) dated before \(plan.cutoff): "
            + "\(partitionsSwitched) partitions as a unit, \(rowsDeletedByDelete) rows by "
            + "batched deletes; \(recordsKept) rows kept"
    }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("success", .bool(success)),
            ("dry_run", .bool(dryRun)),
            ("records_deleted", .integer(recordsDeleted)),
            ("records_kept", .integer(recordsKept)),
            ("partitions_switched", .integer(Int64(partitionsSwitched))),
            ("rows_deleted_by_delete", .integer(rowsDeletedByDelete)),
            ("invalid_date_rows", .integer(plan.totals.noDateRows)),
            ("execution_time", .double((executionSeconds * 1000).rounded() / 1000)),
            ("cutoff_date", .string(plan.cutoff.description)),
            ("start_time", .string(ISO8601.string(from: startTime))),
            ("end_time", .string(ISO8601.string(from: endTime))),
            ("execution_id", .string(executionId)),
            ("table", .string(plan.table.description)),
            ("mode", .string(plan.mode.rawValue)),
            ("as_of", .string(plan.asOf.description)),
            ("retention_months", .integer(Int64(plan.retentionMonths))),
            ("null_dia_rows", .integer(plan.totals.nullTextRows)),
            ("fallback_reason", .optional(plan.fallbackReason)),
        ]
        if plan.mode == .partition {
            members.append(("expired_rows_kept", .integer(plan.expiredRowsKept)))
            members.append(("days_kept_past_cutoff", .optional(plan.daysKeptPastCutoff)))
        }
        if plan.isEmpty && refusal == nil {
            members.append(("message", .string("nothing to purge")))
        }
        if let refusal {
            members.append(("refused", .string(refusal)))
        }
        if let wouldRefuse {
            members.append(("would_refuse", .string(wouldRefuse)))
        }
        if let error {
            members.append(("error", .string(error)))
        }
        if let deleteStopReason {
            members.append(("delete_stopped", .string(deleteStopReason)))
        }
        if let metricsFileError {
            members.append(("metrics_file_error", .string(metricsFileError)))
        }
        members.append(("leftover_rows_deleted", .integer(leftoverRowsDeleted)))
        let partitions = dryRun
            ? plan.removals.map {
                RemovedPartition(partition: $0.partition, counts: $0.counts, action: "planned",
                    seconds: 0)
            }
            : removedPartitions
        members.append(("partitions", .array(partitions.map(Self.partitionJSON))))
        members.append(
            ("leftovers",
             .array(
                (dryRun ? plan.leftovers : leftoversFinished).map { leftover in
                    .object([
                        ("table", .string(leftover.table.description)),
                        ("state", .string(leftover.state)),
                        ("rows", .integer(leftover.counts.rows)),
                        ("execution_id", .optional(leftover.executionId)),
                    ])
                } + leftoversReported.map { .object([("problem", .string($0))]) })))
        return .object(members)
    }

    static func partitionJSON(_ removed: RemovedPartition) -> JSONValue {
        .object([
            ("partition", .string(removed.partition.displayName)),
            ("partition_number", .integer(Int64(removed.partition.number))),
            ("range", .string(removed.partition.rangeDescription)),
            ("rows", .integer(removed.counts.rows)),
            ("oldest_date", .optional(removed.counts.oldestDate?.description)),
            ("newest_date", .optional(removed.counts.newestDate?.description)),
            ("action", .string(removed.action)),
        ])
    }

    /// The plan or result as lines of text for a terminal.
    public var text: String {
        var lines = [headline]
        lines.append(
            "table \(plan.table), cutoff \(plan.cutoff) (as of \(plan.asOf) minus "
                + "\(plan.retentionMonths) months), mode \(plan.mode.rawValue)")
        if let reason = plan.fallbackReason {
            lines.append("no partition switching: \(reason); expired rows go by batched deletes")
        }
        let partitions = dryRun
            ? plan.removals.map {
                RemovedPartition(partition: $0.partition, counts: $0.counts, action: "planned",
                    seconds: 0)
            }
            : removedPartitions
        if !partitions.isEmpty {
            var table = TextTable(headers: ["partition", "range", "rows", "oldest", "newest", "action"])
            for removed in partitions {
                table.append([
                    removed.partition.displayName, removed.partition.rangeDescription,
                    String(removed.counts.rows), removed.counts.oldestDate?.description ?? "-",
                    removed.counts.newestDate?.description ?? "-", removed.action,
                ])
            }
            lines.append(table.rendered())
        }
        lines.append(
            "rows by batched deletes: \(rowsDeletedByDelete); rows without a valid date "
                + "(kept): \(plan.totals.noDateRows)")
        if let wouldRefuse {
            lines.append("the real run would be refused, changing nothing: \(wouldRefuse)")
        }
        if let deleteStopReason {
            lines.append("batched deletes stopped early: \(deleteStopReason)")
        }
        if plan.mode == .partition {
            lines.append(
                "expired rows kept by partition mode: \(plan.expiredRowsKept), up to "
                    + "\(plan.daysKeptPastCutoff ?? 0) days past the cutoff")
        }
        return lines.joined(separator: "\n")
    }
}
