#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One row of `dbo.schema_version`.
public struct HistoryRecord: Sendable {
    public var version: String
    public var description: String?
    /// The file name; nil for rows adopted from a legacy history table.
    public var script: String?
    public var checksum: String?
    public var appliedBy: String?
    public var appliedAt: String?
    public var executionMs: Int?
    public var success: Bool
    /// For a script run outside a transaction, how many batches had completed.
    public var batchesCompleted: Int?
}

/// Reads and writes `dbo.schema_version` through the dialect's SQL.
struct MigrationHistory {
    let connection: Connection
    let dialect: any MigrationDialect

    /// The columns of the current layout, in the order a legacy table gains them.
    static let addedColumns = [
        "script", "checksum", "applied_by", "applied_at", "execution_ms", "success",
        "batches_completed",
    ]

    enum TableState: Equatable {
        case absent
        /// The hand-written `(version, applied_date, description)` table, not adopted yet.
        case legacy
        case current
    }

    func tableState() throws -> TableState {
        let columns = Set(
            try connection.query(dialect.history.listColumns).compactMap {
                $0.string("column_name")?.lowercased()
            })
        if columns.isEmpty { return .absent }
        // An adopted legacy table keeps its applied_date column, so only the added columns
        // tell the two layouts apart.
        let complete = MigrationHistory.addedColumns.allSatisfy(columns.contains)
        return complete ? .current : .legacy
    }

    /// Creates the table, or adopts a legacy one in place, in one transaction. Returns true
    /// when a legacy table was adopted.
    @discardableResult
    func prepareTable() throws -> Bool {
        switch try tableState() {
        case .current:
            return false
        case .absent:
            try connection.inTransaction {
                if let createSchema = dialect.history.createSchema {
                    try connection.execute(createSchema)
                }
                try connection.execute(dialect.history.createTable)
            }
            return false
        case .legacy:
            try adoptLegacyTable()
            return true
        }
    }

    /// Adds the missing columns and marks the existing rows applied, keeping every row.
    private func adoptLegacyTable() throws {
        let existing = Set(
            try connection.query(dialect.history.listColumns).compactMap {
                $0.string("column_name")?.lowercased()
            })
        try connection.inTransaction {
            for column in MigrationHistory.addedColumns where !existing.contains(column) {
                if let statement = dialect.history.addColumn(column) {
                    try connection.execute(statement)
                }
            }
            // A batch of its own, because SQL Server compiles a batch before running it and
            // would reject the new columns as unknown if they were added in the same batch.
            if existing.contains("applied_date") {
                try connection.execute(dialect.history.markLegacyRowsApplied)
            }
        }
    }

    func records() throws -> [HistoryRecord] {
        try connection.query(dialect.history.selectAll).map { row in
            HistoryRecord(
                version: row.string("version")?.trimmingWhitespace() ?? "",
                description: row.string("description"),
                script: row.string("script"),
                checksum: row.string("checksum"),
                appliedBy: row.string("applied_by"),
                appliedAt: row["applied_at"].stringValue,
                executionMs: row.int("execution_ms").map(Int.init),
                success: row.bool("success") ?? true,
                batchesCompleted: row.int("batches_completed").map(Int.init))
        }
    }

    func insert(_ record: HistoryRecord) throws {
        try connection.execute(
            dialect.history.insert,
            [
                .string(record.version), .optional(record.description),
                .optional(record.script), .optional(record.checksum),
                .optional(record.appliedBy), .optional(record.executionMs),
                .integer(record.success ? 1 : 0), .optional(record.batchesCompleted),
            ])
    }

    func delete(version: String) throws {
        try connection.execute(dialect.history.delete, [.string(version)])
    }

    func updateChecksum(version: String, checksum: String) throws {
        try connection.execute(dialect.history.updateChecksum, [.string(checksum), .string(version)])
    }

    func updateProgress(version: String, batchesCompleted: Int) throws {
        try connection.execute(
            dialect.history.updateProgress,
            [.integer(Int64(batchesCompleted)), .string(version)])
    }
}

extension SQLValue {
    static func optional(_ value: String?) -> SQLValue {
        value.map { .string($0) } ?? .null
    }

    static func optional(_ value: Int?) -> SQLValue {
        value.map { .integer(Int64($0)) } ?? .null
    }
}
