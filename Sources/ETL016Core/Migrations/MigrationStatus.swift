/// Where a migration stands, comparing its file with the history table.
public enum MigrationState: String, Sendable {
    /// Recorded as successful, and the file matches the recorded checksum.
    case applied
    /// Not recorded yet.
    case pending
    /// Its last run failed and was rolled back, or stopped partway for a script that runs
    /// outside a transaction; the next `migrate` runs it again.
    case failed
    /// Recorded as successful, but the file changed since.
    case changed
    /// Recorded as successful, but its file is gone.
    case missing
}

/// One migration's state, for `status` and for the decisions of `migrate`.
public struct MigrationStatus: Sendable {
    public var version: String
    public var description: String
    /// The file name, or nil for a history row adopted from the legacy table.
    public var script: String?
    public var state: MigrationState
    public var appliedAt: String?
    public var appliedBy: String?
    public var executionMs: Int?
    public var fileChecksum: String?
    public var recordedChecksum: String?
    public var batchesCompleted: Int?
    /// True for a pending migration older than the newest applied one.
    public var isOutOfOrder: Bool = false

    /// States `status --check` treats as a problem.
    public var needsAttention: Bool { state != .applied }
}

extension MigrationStatus: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("version", .string(version)),
            ("description", .string(description)),
            ("script", .optional(script)),
            ("state", .string(state.rawValue)),
            ("applied_at", .optional(appliedAt)),
            ("applied_by", .optional(appliedBy)),
            ("execution_ms", .optional(executionMs)),
            ("checksum", .optional(fileChecksum)),
            ("recorded_checksum", .optional(recordedChecksum)),
            ("batches_completed", .optional(batchesCompleted)),
            ("out_of_order", .bool(isOutOfOrder)),
        ])
    }
}

/// Compares the migration files with the history rows.
enum MigrationComparison {
    static func statuses(files: [Migration], records: [HistoryRecord]) -> [MigrationStatus] {
        let recordsByVersion = Dictionary(
            records.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        var statuses = files.map { file in
            status(of: file, record: recordsByVersion[file.version])
        }
        let fileVersions = Set(files.map(\.version))
        for record in records where !fileVersions.contains(record.version) {
            // Rows adopted from the legacy table name no file, so there is nothing to miss.
            let state: MigrationState
            if !record.success {
                state = .failed
            } else {
                state = record.script == nil ? .applied : .missing
            }
            statuses.append(
                MigrationStatus(
                    version: record.version, description: record.description ?? "",
                    script: record.script, state: state, appliedAt: record.appliedAt,
                    appliedBy: record.appliedBy, executionMs: record.executionMs,
                    recordedChecksum: record.checksum, batchesCompleted: record.batchesCompleted))
        }
        statuses.sort { $0.version < $1.version }
        let newestApplied = statuses.filter { $0.state != .pending && $0.state != .failed }
            .map(\.version).max()
        for index in statuses.indices where statuses[index].state == .pending {
            if let newestApplied, statuses[index].version < newestApplied {
                statuses[index].isOutOfOrder = true
            }
        }
        return statuses
    }

    private static func status(of file: Migration, record: HistoryRecord?) -> MigrationStatus {
        var status = MigrationStatus(
            version: file.version, description: file.description, script: file.fileName,
            state: .pending, fileChecksum: file.checksum)
        guard let record else { return status }
        status.appliedAt = record.appliedAt
        status.appliedBy = record.appliedBy
        status.executionMs = record.executionMs
        status.recordedChecksum = record.checksum
        status.batchesCompleted = record.batchesCompleted
        if !record.success {
            status.state = .failed
        } else if let recorded = record.checksum, recorded != file.checksum {
            status.state = .changed
        } else {
            status.state = .applied
        }
        return status
    }
}
