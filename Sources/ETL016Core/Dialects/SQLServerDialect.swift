#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// SQL Server 2016 and later, through Microsoft ODBC Driver 17/18 or FreeTDS.
public struct SQLServerDialect: Dialect {
    public init() {}

    public var kind: DialectKind { .sqlServer }

    public func quoteIdentifier(_ name: String) -> String {
        "[" + name.replacing("]", with: "]]") + "]"
    }

    public func splitScript(_ text: String) throws -> [Batch] {
        try TSQLBatchSplitter.split(text)
    }

    public func nonTransactionalStatements(in batches: [Batch]) -> [NonTransactionalStatement] {
        TransactionRestrictions.sqlServerStatements(in: batches)
    }

    /// Returns none: a nested `BEGIN TRANSACTION ... COMMIT` only changes `@@TRANCOUNT` inside
    /// the migrator's transaction, so T-SQL scripts may use it, and a ROLLBACK is caught by
    /// `isTransactionOpen` after the run.
    public func transactionControlStatements(in batches: [Batch])
        -> [NonTransactionalStatement]
    {
        []
    }

    /// NOTE: a script that commits or rolls back at the top level and then runs more
    /// statements opens a new implicit transaction, which this check cannot tell apart from
    /// the migrator's own.
    public func isTransactionOpen(_ connection: Connection) throws -> Bool {
        (try connection.scalar("SELECT @@TRANCOUNT AS open_transactions").integerValue ?? 0) > 0
    }

    /// XACT_ABORT makes any run-time error doom the whole transaction, so a failed migration
    /// can never commit half its statements. ARITHABORT must be ON to write to tables with
    /// indexes on computed columns, and the ODBC driver leaves it OFF.
    public func prepareSession(_ connection: Connection) throws {
        try connection.execute("SET XACT_ABORT ON; SET ARITHABORT ON;")
    }

    /// Takes an exclusive application lock owned by the session (`sp_getapplock`), which the
    /// server releases when the connection ends, so a killed run leaves no stale lock.
    public func acquireLock(_ connection: Connection, resource: String, timeoutSeconds: Int)
        throws -> Bool
    {
        let result = try connection.scalar(
            """
            DECLARE @result int;
            EXEC @result = sys.sp_getapplock @Resource = ?, @LockMode = N'Exclusive',
                @LockOwner = N'Session', @LockTimeout = ?, @DbPrincipal = N'public';
            SELECT @result AS result;
            """, [.string(resource), .integer(Int64(timeoutSeconds) * 1000)])
        // 0 granted at once, 1 granted after waiting, -1 timed out, -2 cancelled,
        // -3 deadlock victim, -999 invalid call.
        guard let code = result.integerValue else { return false }
        if code >= 0 { return true }
        if code == -1 { return false }
        throw OperationError("sp_getapplock returned \(code) for the lock \(resource)")
    }

    public func releaseLock(_ connection: Connection, resource: String) throws {
        try connection.execute(
            """
            EXEC sys.sp_releaseapplock @Resource = ?, @LockOwner = N'Session',
                @DbPrincipal = N'public';
            """, [.string(resource)])
    }

    public func currentUserName(_ connection: Connection) throws -> String {
        try connection.scalar("SELECT SUSER_SNAME() AS name").stringValue ?? "unknown"
    }

    public var history: HistorySQL {
        HistorySQL(
            listColumns: """
                SELECT c.name AS column_name FROM sys.columns AS c
                WHERE c.object_id = OBJECT_ID(N'dbo.schema_version')
                """,
            createSchema: nil,
            createTable: """
                CREATE TABLE dbo.schema_version (
                    version nvarchar(50) NOT NULL CONSTRAINT pk_schema_version PRIMARY KEY,
                    description nvarchar(200) NULL,
                    script nvarchar(260) NULL,
                    checksum varchar(64) NULL,
                    applied_by nvarchar(128) NULL,
                    applied_at datetime2(3) NULL
                        CONSTRAINT df_schema_version_applied_at DEFAULT SYSUTCDATETIME(),
                    execution_ms int NULL,
                    success bit NULL,
                    batches_completed int NULL
                )
                """,
            addColumn: { name in
                guard let definition = SQLServerDialect.historyColumns[name] else { return nil }
                return "ALTER TABLE dbo.schema_version ADD \(name) \(definition)"
            },
            markLegacyRowsApplied: """
                IF NOT EXISTS (
                    SELECT 1 FROM sys.columns
                    WHERE object_id = OBJECT_ID(N'dbo.schema_version')
                        AND name = N'applied_date' AND default_object_id <> 0
                )
                    ALTER TABLE dbo.schema_version
                        ADD CONSTRAINT df_schema_version_applied_date
                        DEFAULT GETDATE() FOR applied_date;
                UPDATE dbo.schema_version
                SET success = 1, applied_at = COALESCE(applied_at, applied_date)
                WHERE success IS NULL;
                """,
            selectAll: """
                SELECT version, description, script, checksum, applied_by, applied_at,
                    execution_ms, CAST(success AS int) AS success, batches_completed
                FROM dbo.schema_version ORDER BY version
                """,
            insert: """
                INSERT INTO dbo.schema_version (version, description, script, checksum,
                    applied_by, applied_at, execution_ms, success, batches_completed)
                VALUES (?, ?, ?, ?, ?, SYSUTCDATETIME(), ?, ?, ?)
                """,
            delete: "DELETE FROM dbo.schema_version WHERE version = ?",
            updateChecksum: "UPDATE dbo.schema_version SET checksum = ? WHERE version = ?",
            updateProgress: """
                UPDATE dbo.schema_version SET batches_completed = ? WHERE version = ?
                """)
    }

    /// Columns a legacy `schema_version (version, applied_date, description)` lacks.
    static let historyColumns: [String: String] = [
        "script": "nvarchar(260) NULL",
        "checksum": "varchar(64) NULL",
        "applied_by": "nvarchar(128) NULL",
        "applied_at": "datetime2(3) NULL",
        "execution_ms": "int NULL",
        "success": "bit NULL",
        "batches_completed": "int NULL",
    ]
}
