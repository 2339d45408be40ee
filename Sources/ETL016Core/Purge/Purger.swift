#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// Runs `purge`: plans from the catalog and row counts, checks the safety limits, then
/// removes whole partitions and deletes the remaining expired rows in batches, writing
/// the audit trail as it goes.
///
/// ```swift
/// let purger = Purger(connection: connection, dialect: dialect, options: options)
/// let report = try purger.run()
/// ```
///
/// Every change is its own transaction (one per partition, one per batch), so a run
/// killed at any moment leaves only committed, complete steps, and the next run plans
/// again from what is left.
public final class Purger {
    public private(set) var connection: Connection
    let dialect: any Dialect
    let options: PurgeOptions
    let logger: Logger
    /// Opens a new connection after a lost one; nil disables reconnecting.
    let reconnect: (() throws -> Connection)?
    /// The report of the last run that failed after START, with what it removed before the
    /// failure, or nil.
    public private(set) var partialReport: PurgeReport?
    /// The table as the catalog spells it, once `makePlan` has resolved it.
    public private(set) var resolvedTable: QualifiedName?
    /// Seconds to wait before retry n (from 1); doubles each time.
    var retryDelay: (Int) -> Double = { attempt in 0.5 * pow(2, Double(attempt - 1)) }

    public init(
        connection: Connection, dialect: any Dialect, options: PurgeOptions,
        logger: Logger = .standard, reconnect: (() throws -> Connection)? = nil
    ) {
        self.connection = connection
        self.dialect = dialect
        self.options = options
        self.logger = logger
        self.reconnect = reconnect
    }

    // MARK: - Planning

    /// Reads the catalog and counts rows, without changing anything.
    public func makePlan() throws -> (RetentionTarget, PartitionLayout?, PurgePlan) {
        try options.validate()
        let target = try RetentionTarget.load(
            connection, dialect: dialect, table: options.table, dateColumn: options.dateColumn)
        resolvedTable = target.table
        try dialect.setLockTimeout(connection, seconds: options.lockTimeout)
        let cutoff = options.cutoff
        let layout = try dialect.partitionLayout(connection, target)
        // Read before counting, so every key the delete phase may reach was counted.
        let maxKey = try dialect.maxKey(connection, target)
        let counts = try dialect.countRows(connection, target, layout: layout, cutoff: cutoff)
        var restriction: String?
        if let layout, layout.isKeyedOnDate {
            restriction = try dialect.partitionRemovalRestriction(
                connection, target, layout: layout, archive: options.archive)
        }
        let leftovers = try dialect.findLeftovers(connection, target, layout: layout, cutoff: cutoff)
        var plan = try PurgePlan.build(
            options: options, table: target.table, layout: layout, counts: counts,
            switchRestriction: restriction, leftovers: leftovers)
        plan.maxKey = maxKey
        if let reason = plan.fallbackReason, plan.totals.expiredRows > 0 {
            logger.warning("expired rows go by batched deletes because \(reason)")
        }
        return (target, layout, plan)
    }

    // MARK: - Running

    /// Plans and, unless it is a dry run or a safety limit stops it, purges.
    ///
    /// - Returns: the report; `refusal` is set when a safety limit stopped the run before
    ///   any change, and then no audit row is written either.
    /// - Throws: `ConfigurationError` for a table or column that does not resolve,
    ///   `PurgeRefusal` for `--require-switch` or `--mode partition` without switching, and
    ///   the database error of a failed step after ERROR rows were written.
    public func run() throws -> PurgeReport {
        let started = Date()
        let executionId = UUID().uuidString.lowercased()
        var lockResource: String?
        if !options.dryRun, let table = try dialect.findTable(connection, options.table) {
            lockResource = try acquireRunLock(table)
        }
        defer {
            if let lockResource {
                do {
                    try dialect.releaseLock(connection, resource: lockResource)
                } catch {
                    logger.warning("could not release the purge lock \(lockResource): \(error)")
                }
            }
        }
        let (target, layout, plan) = try makePlan()
        var report = PurgeReport(
            plan: plan, executionId: executionId, dryRun: options.dryRun, startTime: started)
        let violation = plan.safetyViolation(
            minRemaining: options.minRemaining, maxDelete: options.maxDelete)
        if options.dryRun {
            report.wouldRefuse = violation
            report.endTime = Date()
            return report
        }
        if let violation {
            report.refusal = violation
            report.endTime = Date()
            return report
        }

        let audit = AuditWriter(
            dialect: dialect, executionId: executionId, table: target.table, cutoff: plan.cutoff,
            userContext: try dialect.currentUserName(connection), options: options)
        try audit.write(
            connection, operation: "START", records: plan.rowsToRemove,
            metrics: startMetrics(plan))
        logger.info(
            "purge started", [("execution_id", .string(executionId)),
                ("table", .string(target.table.description)),
                ("cutoff", .string(plan.cutoff.description))])
        do {
            try execute(plan, target: target, layout: layout, audit: audit, report: &report)
        } catch {
            report.endTime = Date()
            report.error = ConnectionString.redactPasswords(in: String(describing: error))
            recordFailure(error, audit: audit, report: report)
            partialReport = report
            throw error
        }
        report.endTime = Date()
        return report
    }

    /// Takes the session-level lock `etl016-db.purge:<table>` without waiting, so two purges
    /// of one table never run at once.
    ///
    /// NOTE: the lock belongs to the session, so a reconnect after a lost connection runs
    /// on without it until the run ends.
    private func acquireRunLock(_ table: QualifiedName) throws -> String {
        let resource = Self.lockResourcePrefix + table.description
        guard try dialect.acquireLock(connection, resource: resource, timeoutSeconds: 0) else {
            throw OperationError(
                "another etl016-db purge of \(table) is running (it holds the lock "
                    + "\(resource)), so this run changed nothing: run it again when that one "
                    + "finishes")
        }
        return resource
    }

    /// The start of the application lock name a purge takes, followed by `schema.table`.
    public static let lockResourcePrefix = "etl016-db.purge:"

    private func execute(
        _ plan: PurgePlan, target: RetentionTarget, layout: PartitionLayout?,
        audit: AuditWriter, report: inout PurgeReport
    ) throws {
        let context = PartitionRemovalContext(
            executionId: report.executionId, cutoff: plan.cutoff, archive: options.archive,
            lockTimeout: options.lockTimeout)
        try finishLeftovers(plan.leftovers, target: target, layout: layout, context: context,
            audit: audit, report: &report)
        // Highest partition number first: on SQL Server each MERGE RANGE renumbers the
        // partitions above the merged boundary, never those below it.
        for removal in plan.removals.sorted(by: { $0.partition.number > $1.partition.number }) {
            guard let layout else { break }
            let removed = try removePartition(
                removal, target: target, layout: layout, context: context, audit: audit)
            report.removedPartitions.append(removed)
        }
        if plan.mode == .exact && plan.rowsToDeleteInBatches > 0 {
            try deleteInBatches(plan, target: target, audit: audit, report: &report)
        }
        try audit.writeTotal(connection, records: report.recordsDeleted)
        try audit.write(
            connection, operation: "COMPLETE", records: report.recordsDeleted,
            metrics: [
                ("records_deleted", .integer(report.recordsDeleted)),
                ("partitions_switched", .integer(Int64(report.removedPartitions.count))),
                ("rows_deleted_by_delete", .integer(report.rowsDeletedInBatches)),
                ("invalid_date_rows", .integer(plan.totals.noDateRows)),
                ("seconds", .double(Date().timeIntervalSince(report.startTime))),
                ("leftovers_finished", .array(
                    report.leftoversFinished.map { .string($0.table.description) })),
            ])
        logger.info(report.headline, [("execution_id", .string(report.executionId))])
    }

    // MARK: - Partitions

    /// Removes one partition with its audit row in the same transaction.
    ///
    /// NOTE: unlike a delete batch, a removal is not retried after a deadlock, because a
    /// retry could wait out the lock timeout again. The run fails with ERROR, and the next
    /// run removes the partition.
    private func removePartition(
        _ removal: PartitionRemoval, target: RetentionTarget, layout: PartitionLayout,
        context: PartitionRemovalContext, audit: AuditWriter
    ) throws -> RemovedPartition {
        let start = Date()
        var found = removal.counts
        let action = options.archive ? "archived" : "dropped"
        do {
            try dialect.removePartition(
                connection, target, layout: layout, removal: removal, context: context
            ) { counts in
                found = counts
                try audit.write(
                    connection, operation: "SWITCH", records: counts.rows,
                    metrics: Self.partitionMetrics(
                        removal.partition, counts: counts, action: action,
                        seconds: Date().timeIntervalSince(start)))
            }
        } catch let error as DatabaseError where error.isLockTimeout {
            throw OperationError(
                "could not lock \(removal.partition.displayName) of \(target.table) within "
                    + "\(options.lockTimeout) s, so it was not removed and nothing of it "
                    + "changed: run the purge again when the workload is lighter, or raise "
                    + "--lock-timeout (\(error.serverMessage))")
        }
        let seconds = Date().timeIntervalSince(start)
        logger.info(
            "\(action) \(removal.partition.displayName) \(removal.partition.rangeDescription) "
                + "with \(found.rows) rows in \(seconds.fixed(3)) s")
        return RemovedPartition(
            partition: removal.partition, counts: found, action: action, seconds: seconds)
    }

    /// Finishes what a killed run left. A leftover is dropped only when every row in it has
    /// a valid date before this run's cutoff. Any other leftover is reported and kept.
    private func finishLeftovers(
        _ leftovers: [PurgeLeftover], target: RetentionTarget, layout: PartitionLayout?,
        context: PartitionRemovalContext, audit: AuditWriter, report: inout PurgeReport
    ) throws {
        for leftover in leftovers {
            guard leftover.counts.holdsOnlyExpiredRows else {
                let problem = "\(leftover.table) (\(leftover.state)) holds rows that must stay: "
                    + "\(leftover.counts.rows - leftover.counts.expiredRows) of "
                    + "\(leftover.counts.rows) are not expired; move them back into "
                    + "\(target.table) by hand, then drop it"
                logger.warning(problem)
                report.leftoversReported.append(problem)
                continue
            }
            // A leftover of an archiving run is archived even when this run drops.
            var leftoverContext = context
            leftoverContext.archive = context.archive || leftover.archive
            let action = leftoverContext.archive ? "archived" : "dropped"
            var finished = leftover
            try dialect.finishLeftover(
                connection, target, layout: layout, leftover: leftover, context: leftoverContext
            ) { counts in
                finished.counts = counts
                var metrics = Self.partitionMetrics(
                    leftover.partition ?? PartitionInfo(
                        id: leftover.table.description, number: 0, table: leftover.table,
                        lowerBound: nil, upperBound: nil),
                    counts: counts, action: action, seconds: 0)
                metrics.append(("leftover_of_execution", .optional(leftover.executionId)))
                try audit.write(
                    connection, operation: "SWITCH", records: counts.rows, metrics: metrics)
            }
            logger.info(
                "\(action) \(leftover.table) (\(leftover.state)) left by an earlier run, with "
                    + "\(finished.counts.rows) expired rows")
            report.leftoversFinished.append(finished)
        }
    }

    // MARK: - Batched deletes

    /// Deletes the expired rows with keys up to the plan's `maxKey`, and never more rows in
    /// the whole run than --max-delete: each batch is capped by what is left of it.
    private func deleteInBatches(
        _ plan: PurgePlan, target: RetentionTarget, audit: AuditWriter,
        report: inout PurgeReport
    ) throws {
        guard let maxKey = plan.maxKey else { return }
        let start = Date()
        let progress = ProgressReporter(logger: logger, total: plan.rowsToDeleteInBatches)
        let batchSize = Int64(options.batchSize)
        var lastKey = Int64.min
        var deleted: Int64 = 0
        var batches = 0
        var walksRanges = false
        while lastKey < maxKey {
            // The rows leftovers and partitions removed count against --max-delete too.
            // NOTE: --min-remaining is checked on the plan only. Rows that other sessions
            // delete during the run can leave fewer rows than it requires.
            let budget = options.maxDelete - report.recordsDeleted
            guard budget > 0 else {
                report.deleteStopReason =
                    "reached --max-delete \(options.maxDelete) after \(report.recordsDeleted) "
                    + "rows; expired rows that are left go in the next run"
                logger.warning("batched deletes stopped: \(report.deleteStopReason!)")
                break
            }
            let position = lastKey == Int64.min
                ? "from the lowest \(target.keyColumn)" : "\(target.keyColumn) after \(lastKey)"
            let step = "delete batch \(batches + 1) (\(position))"
            let afterKey = lastKey
            let batchRows: Int64
            var mayHaveMore = true
            let (rangeEnd, overflow) = afterKey.addingReportingOverflow(batchSize)
            if walksRanges && !overflow && budget >= batchSize {
                // Keys are unique whole numbers, so the range contains at most a batch of rows.
                let throughKey = min(rangeEnd, maxKey)
                batchRows = try withRetries(step) {
                    try dialect.deleteKeyRange(
                        connection, target, afterKey: afterKey, throughKey: throughKey,
                        cutoff: plan.cutoff)
                }
                lastKey = throughKey
                // A sparse range means a gap or kept rows: find the next expired key instead.
                walksRanges = batchRows * 2 >= batchSize
            } else {
                let limit = Int(min(batchSize, budget))
                let result = try withRetries(step) {
                    try dialect.deleteBatch(
                        connection, target, afterKey: afterKey, maxKey: maxKey,
                        cutoff: plan.cutoff, limit: limit)
                }
                guard let key = result.lastKey else { break }
                batchRows = result.deletedRows
                lastKey = key
                // A short search batch found every expired key that was left.
                mayHaveMore = batchRows >= Int64(limit)
                // After a full batch, try plain key ranges, which skip the search and find the
                // same rows where expired keys are dense.
                walksRanges = batchRows == batchSize
            }
            deleted += batchRows
            batches += 1
            report.rowsDeletedInBatches = deleted
            report.deleteBatches = batches
            progress.update(done: deleted, batches: batches)
            if !mayHaveMore && report.recordsDeleted < options.maxDelete { break }
            if options.batchPause > 0, mayHaveMore {
                usleep(useconds_t(options.batchPause * 1_000_000))
            }
        }
        let seconds = Date().timeIntervalSince(start)
        try audit.write(
            connection, operation: "DELETE", records: deleted,
            metrics: [
                ("batches", .integer(Int64(batches))),
                ("batch_size", .integer(Int64(options.batchSize))),
                ("seconds", .double(seconds)),
                ("rows_per_second", .double(seconds > 0 ? Double(deleted) / seconds : 0)),
                ("last_key", lastKey == Int64.min ? .null : .integer(lastKey)),
                ("max_key_at_plan", .integer(maxKey)),
                ("stopped", .optional(report.deleteStopReason)),
            ])
        logger.info(
            "deleted \(deleted) rows in \(batches) batches in \(seconds.fixed(3)) s")
    }

    /// Runs `body`, retrying deadlocks, serialization failures, lost connections and lock
    /// timeouts `options.retries` times with doubling pauses. Each attempt is a whole
    /// transaction, so a retry never repeats half of one.
    func withRetries<T>(_ step: String, _ body: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            do {
                return try body()
            } catch let error as DatabaseError where error.isTransient || error.isLockTimeout {
                guard attempt < options.retries else {
                    throw OperationError(
                        "\(step) of \(options.table) failed after \(options.retries) retries: "
                            + "\(error). The batches before it are committed; run the purge "
                            + "again when the workload is lighter"
                            + (error.isLockTimeout ? ", or raise --lock-timeout" : ""))
                }
                attempt += 1
                let delay = retryDelay(attempt)
                logger.warning(
                    "\(step) failed with SQLSTATE \(error.sqlState ?? "-"); retry \(attempt) of "
                        + "\(options.retries) in \(delay) s", [("error", .string(error.serverMessage))])
                usleep(useconds_t(delay * 1_000_000))
                if error.records.contains(where: { $0.sqlState.hasPrefix("08") }) {
                    try reopenConnection()
                }
            }
        }
    }

    private func reopenConnection() throws {
        guard let reconnect else { return }
        connection.close()
        connection = try reconnect()
        try dialect.setLockTimeout(connection, seconds: options.lockTimeout)
        logger.info("reconnected after a lost connection")
    }

    // MARK: - Failure

    /// Writes ERROR to the audit trail and the failure to `error_logs`, reconnecting once
    /// when the connection is gone. A failure here is logged, not thrown, so the original
    /// error reaches the caller.
    private func recordFailure(_ error: Error, audit: AuditWriter, report: PurgeReport) {
        logger.error("purge failed: \(error)", [("execution_id", .string(report.executionId))])
        func write(_ connection: Connection) throws {
            if connection.isInTransaction { try? connection.rollback() }
            try audit.write(
                connection, operation: "ERROR", records: report.recordsDeleted,
                metrics: [
                    ("records_deleted", .integer(report.recordsDeleted)),
                    ("partitions_switched", .integer(Int64(report.removedPartitions.count))),
                    ("rows_deleted_by_delete", .integer(report.rowsDeletedInBatches)),
                ],
                errorDetails: ConnectionString.redactPasswords(in: String(describing: error)))
            try audit.writeError(connection, error: error)
            // The rows already removed are gone for good, so the modification log gets them.
            if report.recordsDeleted > 0 {
                try audit.writeTotal(connection, records: report.recordsDeleted)
            }
        }
        do {
            try write(connection)
        } catch {
            do {
                try reopenConnection()
                try write(connection)
            } catch {
                logger.error("could not write the ERROR audit row: \(error)")
            }
        }
    }

    // MARK: - Metrics

    private func startMetrics(_ plan: PurgePlan) -> [(String, JSONValue)] {
        [
            ("total_rows", .integer(plan.totals.rows)),
            ("rows_to_remove", .integer(plan.rowsToRemove)),
            ("partitions_to_remove", .integer(Int64(plan.removals.count))),
            ("rows_to_delete_in_batches", .integer(plan.rowsToDeleteInBatches)),
            ("invalid_date_rows", .integer(plan.totals.noDateRows)),
            ("fallback_reason", .optional(plan.fallbackReason)),
        ]
    }

    static func partitionMetrics(
        _ partition: PartitionInfo, counts: PartitionRowCounts, action: String, seconds: Double
    ) -> [(String, JSONValue)] {
        [
            ("partition_number", .integer(Int64(partition.number))),
            ("partition", .string(partition.displayName)),
            ("lower_bound", .optional(partition.lowerBound?.description)),
            ("upper_bound", .optional(partition.upperBound?.description)),
            ("rows_removed", .integer(counts.rows)),
            ("oldest_date", .optional(counts.oldestDate?.description)),
            ("newest_date", .optional(counts.newestDate?.description)),
            ("storage", .optional(partition.storage)),
            ("action", .string(action)),
            ("seconds", .double(seconds)),
        ]
    }
}

extension RetentionTarget {
    /// Resolves the table and its columns through the catalog.
    ///
    /// - Throws: `ConfigurationError` naming the table or column that does not resolve.
    public static func load(
        _ connection: Connection, dialect: any Dialect, table: QualifiedName, dateColumn: String
    ) throws -> RetentionTarget {
        guard let resolved = try dialect.findTable(connection, table) else {
            throw ConfigurationError(
                "table \(table) not found: pass --table with an existing schema.table, or run "
                    + "`etl016-db migrate` to create it")
        }
        let columns = try dialect.tableColumns(connection, resolved)
        return try resolve(table: resolved, columns: columns, requested: dateColumn)
    }
}
