#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Writes one purge run's rows to `dbo.etl016_audit_trail`, `dbo.data_modification_log`
/// and `dbo.error_logs`, all under the run's execution id.
final class AuditWriter {
    let dialect: any Dialect
    let executionId: String
    let table: QualifiedName
    let cutoff: LocalDate
    let userContext: String
    /// The safety limits as JSON text, stored on every audit row of the run.
    let safetyConstraints: String
    /// The run's settings, such as `mode=exact;retention_months=3`.
    let complianceFlags: String

    init(
        dialect: any Dialect, executionId: String, table: QualifiedName, cutoff: LocalDate,
        userContext: String, options: PurgeOptions
    ) {
        self.dialect = dialect
        self.executionId = executionId
        self.table = table
        self.cutoff = cutoff
        self.userContext = userContext
        safetyConstraints = JSONValue.object([
            ("min_remaining", .integer(options.minRemaining)),
            ("max_delete", .integer(options.maxDelete)),
            ("batch_size", .integer(Int64(options.batchSize))),
            ("batch_pause_seconds", .double(options.batchPause)),
            ("lock_timeout_seconds", .integer(Int64(options.lockTimeout))),
        ]).serialized()
        complianceFlags =
            "retention_months=\(options.retentionMonths);as_of=\(options.asOf);"
            + "mode=\(options.mode.rawValue);archive=\(options.archive)"
    }

    /// Inserts one audit row. `metrics` is stored as JSON text in performance_metrics.
    func write(
        _ connection: Connection, operation: String, records: Int64?,
        metrics: [(String, JSONValue)], errorDetails: String? = nil
    ) throws {
        try connection.execute(
            dialect.retentionAudit.insertAuditRow,
            [
                .string(operation), .string(table.description),
                records.map { .integer($0) } ?? .null, .string(executionId),
                .string(userContext), .date(cutoff), .string(safetyConstraints),
                .string(JSONValue.object(metrics).serialized()),
                errorDetails.map { .string($0) } ?? .null, .string(complianceFlags),
            ])
    }

    /// Inserts the run's total into `data_modification_log`.
    func writeTotal(_ connection: Connection, records: Int64) throws {
        try connection.execute(
            dialect.retentionAudit.insertModificationLog,
            [
                .string(table.description), .string("PURGE"), .integer(records),
                .string("ETL016"), .string(userContext), .string(executionId),
            ])
    }

    /// Inserts a failure into `error_logs`, where `vw_etl016_errors` finds it by the
    /// word etl016 in the message.
    func writeError(_ connection: Connection, error: Error) throws {
        let message = "etl016-db purge of \(table) failed (execution \(executionId)): "
            + ConnectionString.redactPasswords(in: String(describing: error))
        try connection.execute(
            dialect.retentionAudit.insertErrorLog,
            [
                .string(message), .null, .string(ISO8601.string(from: Date())),
                .string(String(describing: type(of: error))), .string(executionId),
                .string("etl016-db purge"), .string("ERROR"),
            ])
    }
}
