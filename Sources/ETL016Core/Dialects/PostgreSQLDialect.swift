#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// PostgreSQL 13 and later, through psqlODBC. Objects live in a schema named `dbo` so that
/// names match SQL Server's.
public struct PostgreSQLDialect: Dialect {
    public init() {}

    public var kind: DialectKind { .postgreSQL }

    public func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacing("\"", with: "\"\"") + "\""
    }

    public func splitScript(_ text: String) throws -> [Batch] {
        try PostgreSQLStatementSplitter.split(text)
    }

    public func nonTransactionalStatements(in batches: [Batch]) -> [NonTransactionalStatement] {
        TransactionRestrictions.postgreSQLStatements(in: batches)
    }

    public func transactionControlStatements(in batches: [Batch])
        -> [NonTransactionalStatement]
    {
        TransactionRestrictions.postgreSQLTransactionControl(in: batches)
    }

    /// Returns true: statements that end a transaction are rejected before the run, and a
    /// procedure that commits fails inside a transaction block.
    public func isTransactionOpen(_ connection: Connection) throws -> Bool {
        true
    }

    /// Names the session, and from PostgreSQL 14 on makes the server check every 2 s
    /// whether the client is still there during a long statement, so a killed run releases
    /// its locks without waiting for the statement to end.
    public func prepareSession(_ connection: Connection) throws {
        let rows = try connection.query(
            """
            SELECT set_config('application_name', 'etl016-db', false) AS name,
                current_setting('server_version_num')::int AS version
            """)
        if (rows.first?.int("version") ?? 0) >= 140_000 {
            try connection.execute("SET client_connection_check_interval = '2s'")
        }
    }

    /// Polls a session-level advisory lock keyed by a hash of `resource`. The server drops it
    /// when the connection ends, so a killed run leaves no stale lock.
    public func acquireLock(_ connection: Connection, resource: String, timeoutSeconds: Int)
        throws -> Bool
    {
        let deadline = Date().addingTimeInterval(TimeInterval(timeoutSeconds))
        while true {
            let granted = try connection.scalar(
                "SELECT pg_try_advisory_lock(hashtextextended(?, 0)) AS granted",
                [.string(resource)])
            if granted.boolValue == true { return true }
            if Date() >= deadline { return false }
            usleep(100_000)
        }
    }

    public func releaseLock(_ connection: Connection, resource: String) throws {
        try connection.execute(
            "SELECT pg_advisory_unlock(hashtextextended(?, 0))", [.string(resource)])
    }

    public func currentUserName(_ connection: Connection) throws -> String {
        try connection.scalar("SELECT session_user::text AS name").stringValue ?? "unknown"
    }

    /// Result columns are cast because psqlODBC runs a catalog query to describe any column
    /// that comes straight from a table, a round trip that a no-op `migrate` would pay.
    public var history: HistorySQL {
        HistorySQL(
            listColumns: """
                SELECT a.attname::text AS column_name FROM pg_catalog.pg_attribute AS a
                WHERE a.attrelid = to_regclass('dbo.schema_version') AND a.attnum > 0
                    AND NOT a.attisdropped
                """,
            createSchema: "CREATE SCHEMA IF NOT EXISTS dbo",
            createTable: """
                CREATE TABLE dbo.schema_version (
                    version varchar(50) NOT NULL CONSTRAINT pk_schema_version PRIMARY KEY,
                    description varchar(200) NULL,
                    script varchar(260) NULL,
                    checksum varchar(64) NULL,
                    applied_by varchar(128) NULL,
                    applied_at timestamp(3) NULL DEFAULT (now() AT TIME ZONE 'utc'),
                    execution_ms integer NULL,
                    success boolean NULL,
                    batches_completed integer NULL
                )
                """,
            addColumn: { name in
                guard let definition = PostgreSQLDialect.historyColumns[name] else { return nil }
                return "ALTER TABLE dbo.schema_version ADD COLUMN IF NOT EXISTS \(name) \(definition)"
            },
            markLegacyRowsApplied: """
                ALTER TABLE dbo.schema_version ALTER COLUMN applied_date SET DEFAULT now();
                UPDATE dbo.schema_version
                SET success = true, applied_at = COALESCE(applied_at, applied_date::timestamp)
                WHERE success IS NULL;
                """,
            selectAll: """
                SELECT version::text AS version, description::text AS description,
                    script::text AS script, checksum::text AS checksum,
                    applied_by::text AS applied_by, applied_at::timestamp AS applied_at,
                    execution_ms::int AS execution_ms, success::int AS success,
                    batches_completed::int AS batches_completed
                FROM dbo.schema_version ORDER BY version
                """,
            insert: """
                INSERT INTO dbo.schema_version (version, description, script, checksum,
                    applied_by, applied_at, execution_ms, success, batches_completed)
                VALUES (?, ?, ?, ?, ?, now() AT TIME ZONE 'utc', ?, ?::int <> 0, ?)
                """,
            delete: "DELETE FROM dbo.schema_version WHERE version = ?",
            updateChecksum: "UPDATE dbo.schema_version SET checksum = ? WHERE version = ?",
            updateProgress: "UPDATE dbo.schema_version SET batches_completed = ? WHERE version = ?")
    }

    static let historyColumns: [String: String] = [
        "script": "varchar(260) NULL",
        "checksum": "varchar(64) NULL",
        "applied_by": "varchar(128) NULL",
        "applied_at": "timestamp(3) NULL",
        "execution_ms": "integer NULL",
        "success": "boolean NULL",
        "batches_completed": "integer NULL",
    ]
}
