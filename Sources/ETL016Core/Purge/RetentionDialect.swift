#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The catalog queries and statements `purge`, `partitions` and `stats` need from a dialect.
///
/// Values travel as `?` parameters. DDL cannot take parameters on PostgreSQL, so partition
/// bounds there are written from `LocalDate` values, which print only digits and dashes.
/// Identifiers pass through `quoteIdentifier`.
public protocol RetentionDialect: Sendable {
    // MARK: Catalog

    /// Finds a table by schema and name, case-insensitively (an exact match first), and
    /// returns its name as the catalog spells it, or nil when there is none.
    func findTable(_ connection: Connection, _ name: QualifiedName) throws -> QualifiedName?

    /// Lists the table's columns in order.
    func tableColumns(_ connection: Connection, _ table: QualifiedName) throws -> [TableColumn]

    /// Reads how the table is partitioned, or returns nil when it is not.
    func partitionLayout(_ connection: Connection, _ target: RetentionTarget) throws
        -> PartitionLayout?

    /// Counts rows per partition id in one pass over the table; a table that is not
    /// partitioned gets one entry under the key `table`.
    func countRows(
        _ connection: Connection, _ target: RetentionTarget, layout: PartitionLayout?,
        cutoff: LocalDate
    ) throws -> [String: PartitionRowCounts]

    /// Returns the size of the table with its indexes and partitions, in bytes.
    func tableSizeBytes(_ connection: Connection, _ table: QualifiedName) throws -> Int64

    /// Returns why this session cannot remove partitions of the table as a unit (a missing
    /// privilege or ownership), or nil when it can.
    func partitionRemovalRestriction(
        _ connection: Connection, _ target: RetentionTarget, layout: PartitionLayout,
        archive: Bool
    ) throws -> String?

    /// Finds tables a killed purge left behind for this table, with their row counts.
    func findLeftovers(
        _ connection: Connection, _ target: RetentionTarget, layout: PartitionLayout?,
        cutoff: LocalDate
    ) throws -> [PurgeLeftover]

    /// Returns the highest key in the table, or nil when it is empty. The delete phase
    /// deletes only keys up to the value read at plan time, so rows loaded later stay.
    func maxKey(_ connection: Connection, _ target: RetentionTarget) throws -> Int64?

    // MARK: Session

    /// Makes every later statement of the session fail after `seconds` of waiting for a lock.
    func setLockTimeout(_ connection: Connection, seconds: Int) throws

    // MARK: Changes

    /// Deletes the next batch of at most `limit` expired rows with keys in
    /// `(afterKey, maxKey]`, walking the key in order, as one transaction.
    func deleteBatch(
        _ connection: Connection, _ target: RetentionTarget, afterKey: Int64, maxKey: Int64,
        cutoff: LocalDate, limit: Int
    ) throws -> DeleteBatchResult

    /// Deletes the expired rows with keys in `(afterKey, throughKey]` as one transaction
    /// and returns how many went. Keys are unique whole numbers, so a range no wider than
    /// the batch size never deletes more rows than a batch may.
    func deleteKeyRange(
        _ connection: Connection, _ target: RetentionTarget, afterKey: Int64,
        throughKey: Int64, cutoff: LocalDate
    ) throws -> Int64

    /// Removes one partition as a unit: checks inside the transaction that it holds only
    /// expired rows, calls `record` with the counts it found (to write the audit row in the
    /// same transaction), and commits. Throws without changing anything when a check fails
    /// or a lock cannot be had in time.
    func removePartition(
        _ connection: Connection, _ target: RetentionTarget, layout: PartitionLayout,
        removal: PartitionRemoval, context: PartitionRemovalContext,
        record: (PartitionRowCounts) throws -> Void
    ) throws

    /// Finishes a leftover after checking it holds only expired rows: drops (or archives)
    /// it, calling `record` in the same transaction.
    func finishLeftover(
        _ connection: Connection, _ target: RetentionTarget, layout: PartitionLayout?,
        leftover: PurgeLeftover, context: PartitionRemovalContext,
        record: (PartitionRowCounts) throws -> Void
    ) throws

    /// Creates the monthly partition `[month, next month)`, moving any rows of that month
    /// out of a catch-all partition without moving data on SQL Server.
    func ensureMonthlyPartition(
        _ connection: Connection, _ target: RetentionTarget, layout: PartitionLayout,
        month: LocalDate, lockTimeout: Int
    ) throws -> PartitionEnsureOutcome

    /// Statements that write the audit trail, the modification log and the error log.
    var retentionAudit: RetentionAuditSQL { get }
}

/// What one delete batch did.
public struct DeleteBatchResult: Sendable, Equatable {
    /// The highest key the batch covered, or nil when no expired row was left.
    public var lastKey: Int64?
    public var deletedRows: Int64

    public init(lastKey: Int64?, deletedRows: Int64) {
        self.lastKey = lastKey
        self.deletedRows = deletedRows
    }
}

/// Settings that every partition removal of one run shares.
public struct PartitionRemovalContext: Sendable {
    public var executionId: String
    public var cutoff: LocalDate
    /// Keep removed partitions in the `archive` schema instead of dropping them.
    public var archive: Bool
    /// Seconds to wait for locks; SQL Server rounds it up to whole minutes for
    /// WAIT_AT_LOW_PRIORITY.
    public var lockTimeout: Int

    public init(executionId: String, cutoff: LocalDate, archive: Bool, lockTimeout: Int) {
        self.executionId = executionId
        self.cutoff = cutoff
        self.archive = archive
        self.lockTimeout = lockTimeout
    }

    /// The first 8 hexadecimal digits of the execution id.
    public var executionPrefix: String {
        String(executionId.lowercased().filter(\.isHexDigit).prefix(8))
    }

    /// The execution id's 32 hexadecimal digits without dashes, used in staging table names.
    public var executionHex: String {
        executionId.lowercased().filter(\.isHexDigit)
    }
}

/// The result of `ensureMonthlyPartition` for one month.
public enum PartitionEnsureOutcome: Sendable, Equatable {
    /// Created, moving this many rows out of a catch-all partition.
    case created(movedRows: Int64)
    /// Left alone, for the reason given (a range that is not empty, a name in use).
    case skipped(reason: String)
}

/// Statements of the audit and log tables, each with `?` parameters in the order given.
public struct RetentionAuditSQL: Sendable {
    /// Parameters: operation_type, table_name, records_affected, execution_id, user_context,
    /// cutoff_date, safety_constraints, performance_metrics, error_details,
    /// compliance_flags.
    public var insertAuditRow: String
    /// Parameters: table_name, operation, record_count, process_id, user_context,
    /// execution_id.
    public var insertModificationLog: String
    /// Parameters: error_message, traceback, timestamp, exception_type, exception_args,
    /// exception_module, status.
    public var insertErrorLog: String

    public init(insertAuditRow: String, insertModificationLog: String, insertErrorLog: String) {
        self.insertAuditRow = insertAuditRow
        self.insertModificationLog = insertModificationLog
        self.insertErrorLog = insertErrorLog
    }

    /// The statements both dialects share: the audit tables have the same names and
    /// columns on SQL Server and PostgreSQL.
    public static let standard = RetentionAuditSQL(
        insertAuditRow: """
            INSERT INTO dbo.etl016_audit_trail (operation_type, table_name, records_affected,
                execution_id, user_context, cutoff_date, safety_constraints,
                performance_metrics, error_details, compliance_flags)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
        insertModificationLog: """
            INSERT INTO dbo.data_modification_log (table_name, operation, record_count,
                process_id, user_context, execution_id)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
        insertErrorLog: """
            INSERT INTO dbo.error_logs (error_message, traceback, timestamp, exception_type,
                exception_args, exception_module, status)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
}

/// A partition check that found a row that must stay, or a catalog state that makes the
/// removal unsafe. Nothing was changed for that partition.
public struct PartitionCheckError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

extension PartitionRowCounts {
    /// Throws unless every row has a valid date before `cutoff`, naming the table and what
    /// it found.
    func requireOnlyExpired(_ name: String, cutoff: LocalDate) throws {
        guard holdsOnlyExpiredRows else {
            throw PartitionCheckError(
                "\(name) holds \(rows - expiredRows - noDateRows) rows dated on or after the "
                    + "cutoff \(cutoff) and \(noDateRows) rows without a valid date, so it was "
                    + "not removed: those rows must stay")
        }
    }
}
