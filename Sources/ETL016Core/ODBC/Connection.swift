import CUnixODBC
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// Settings for opening a connection.
public struct ConnectionOptions: Sendable {
    /// Seconds to wait for the login; 0 waits as long as the driver does.
    public var loginTimeout: Int
    /// Seconds a statement may run before the driver cancels it; 0 means no limit, as in
    /// sqlcmd's `-t 0`.
    public var queryTimeout: Int

    public init(loginTimeout: Int = 15, queryTimeout: Int = 0) {
        self.loginTimeout = loginTimeout
        self.queryTimeout = queryTimeout
    }
}

/// The result of a statement other than its rows.
public struct ExecutionResult: Sendable {
    /// Rows changed by the last statement that reported a count, or nil when none did.
    public var rowCount: Int?
    /// Informational messages: `PRINT` output on SQL Server, `NOTICE` on PostgreSQL.
    public var messages: [DiagnosticRecord]
}

/// An open ODBC connection. Every call runs on the caller's thread; one connection must not
/// be used from two threads at once.
///
/// ```swift
/// let connection = try Connection(connectionString: ConnectionString(text))
/// let rows = try connection.query("SELECT id FROM dbo.t WHERE dia = ?", ["9/6/2025"])
/// ```
public final class Connection {
    /// The server's product name from `SQL_DBMS_NAME`, such as `Microsoft SQL Server` or
    /// `PostgreSQL`.
    public private(set) var dbmsName: String = ""
    /// The server's version from `SQL_DBMS_VER`.
    public private(set) var dbmsVersion: String = ""
    public var queryTimeout: Int
    public private(set) var isInTransaction = false

    private var handle: SQLHDBC?
    private let redactedConnectionString: String

    /// Connects with `SQLDriverConnect` and no prompt.
    ///
    /// - Throws: `DatabaseError` with the driver's diagnostics, passwords redacted.
    public init(connectionString: ConnectionString, options: ConnectionOptions = .init()) throws {
        queryTimeout = options.queryTimeout
        redactedConnectionString = connectionString.redacted
        let environment = try ODBCEnvironment.shared()
        var connectionHandle: SQLHDBC?
        let allocated = SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_DBC), environment, &connectionHandle)
        guard ODBC.succeeded(allocated), let connectionHandle else {
            throw DatabaseError(
                operation: "allocate a connection handle",
                records: ODBC.diagnostics(type: SQL_HANDLE_ENV, handle: environment))
        }
        handle = connectionHandle
        if options.loginTimeout > 0 {
            _ = SQLSetConnectAttr(
                connectionHandle, SQLINTEGER(SQL_ATTR_LOGIN_TIMEOUT),
                SQLPOINTER(bitPattern: options.loginTimeout), 0)
        }
        var text = Array(connectionString.text.utf16)
        let connected = SQLDriverConnectW(
            connectionHandle, nil, &text, SQLSMALLINT(text.count), nil, 0, nil,
            SQLUSMALLINT(SQL_DRIVER_NOPROMPT))
        guard ODBC.succeeded(connected) else {
            let records = ODBC.diagnostics(type: SQL_HANDLE_DBC, handle: connectionHandle)
            SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_DBC), connectionHandle)
            handle = nil
            throw DatabaseError(
                operation: "connect with \(redactedConnectionString)",
                records: records.map(ODBC.redacting))
        }
        dbmsName = try info(SQL_DBMS_NAME)
        dbmsVersion = try info(SQL_DBMS_VER)
    }

    deinit {
        close()
    }

    /// Disconnects and frees the handle. A transaction still open is rolled back by the
    /// server when the session ends.
    public func close() {
        guard let handle else { return }
        SQLDisconnect(handle)
        SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_DBC), handle)
        self.handle = nil
    }

    // MARK: - Statements

    /// Runs one statement or batch and discards any rows it returns.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue] = []) throws -> ExecutionResult {
        try withStatement(sql, parameters) { statement in
            try statement.drainResults()
        }
    }

    /// Runs a query and returns the rows of its first result set that has columns.
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws -> [Row] {
        var rows: [Row] = []
        try forEachRow(sql, parameters) { rows.append($0) }
        return rows
    }

    /// Runs a query and hands each row of its first result set to `body` as it is fetched,
    /// so a large result never sits in memory whole.
    public func forEachRow(
        _ sql: String, _ parameters: [SQLValue] = [], _ body: (Row) throws -> Void
    ) throws {
        try withStatement(sql, parameters) { statement in
            try statement.readFirstResultSet(body)
        }
    }

    /// Returns the first column of the first row, or `.null` when there is no row.
    public func scalar(_ sql: String, _ parameters: [SQLValue] = []) throws -> SQLValue {
        var value = SQLValue.null
        var seen = false
        try forEachRow(sql, parameters) { row in
            if !seen, !row.values.isEmpty { value = row.values[0] }
            seen = true
        }
        return value
    }

    // MARK: - Transactions

    /// Turns autocommit off, so the statements that follow form one transaction.
    public func beginTransaction() throws {
        try setAutocommit(false)
        isInTransaction = true
    }

    /// Commits the open transaction and turns autocommit back on.
    public func commit() throws {
        try endTransaction(SQL_COMMIT, operation: "commit")
    }

    /// Rolls back the open transaction and turns autocommit back on.
    public func rollback() throws {
        try endTransaction(SQL_ROLLBACK, operation: "roll back")
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    @discardableResult
    public func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try beginTransaction()
        let result: T
        do {
            result = try body()
        } catch {
            try? rollback()
            throw error
        }
        try commit()
        return result
    }

    private func endTransaction(_ kind: Int32, operation: String) throws {
        let handle = try liveHandle()
        let ended = SQLEndTran(SQLSMALLINT(SQL_HANDLE_DBC), handle, SQLSMALLINT(kind))
        isInTransaction = false
        guard ODBC.succeeded(ended) else {
            let error = DatabaseError(
                operation: operation, records: ODBC.diagnostics(type: SQL_HANDLE_DBC, handle: handle))
            try? setAutocommit(true)
            throw error
        }
        try setAutocommit(true)
    }

    private func setAutocommit(_ enabled: Bool) throws {
        let handle = try liveHandle()
        let value = enabled ? SQL_AUTOCOMMIT_ON : SQL_AUTOCOMMIT_OFF
        let result = SQLSetConnectAttr(
            handle, SQLINTEGER(SQL_ATTR_AUTOCOMMIT), SQLPOINTER(bitPattern: Int(value)), 0)
        guard ODBC.succeeded(result) else {
            throw DatabaseError(
                operation: enabled ? "turn autocommit on" : "turn autocommit off",
                records: ODBC.diagnostics(type: SQL_HANDLE_DBC, handle: handle))
        }
    }

    // MARK: - Handles

    private func liveHandle() throws -> SQLHDBC {
        guard let handle else {
            throw DatabaseError(
                operation: "use the connection",
                records: [
                    DiagnosticRecord(
                        sqlState: "08003", nativeError: 0, message: "the connection is closed")
                ])
        }
        return handle
    }

    private func info(_ type: Int32) throws -> String {
        let handle = try liveHandle()
        var buffer = [SQLWCHAR](repeating: 0, count: 256)
        var length: SQLSMALLINT = 0
        let result = SQLGetInfoW(
            handle, SQLUSMALLINT(type), &buffer, SQLSMALLINT(buffer.count * 2), &length)
        guard ODBC.succeeded(result) else {
            throw DatabaseError(
                operation: "read server information",
                records: ODBC.diagnostics(type: SQL_HANDLE_DBC, handle: handle))
        }
        return ODBC.string(buffer, byteCount: Int(length))
    }

    private func withStatement<T>(
        _ sql: String, _ parameters: [SQLValue], _ body: (StatementHandle) throws -> T
    ) throws -> T {
        let statement = try StatementHandle(connection: try liveHandle())
        defer { statement.free() }
        if queryTimeout > 0 {
            statement.setQueryTimeout(queryTimeout)
        }
        try statement.execute(sql, parameters)
        return try body(statement)
    }
}

/// The process-wide ODBC environment handle, allocated once for ODBC 3 behaviour.
enum ODBCEnvironment {
    nonisolated(unsafe) private static var handle: SQLHENV?
    private static let lock = Mutex(())

    static func shared() throws -> SQLHENV {
        try lock.withLock { _ in try allocateOnce() }
    }

    private static func allocateOnce() throws -> SQLHENV {
        if let handle { return handle }
        var environment: SQLHENV?
        let allocated = SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_ENV), nil, &environment)
        guard ODBC.succeeded(allocated), let environment else {
            throw DatabaseError(
                operation: "allocate the ODBC environment",
                records: [
                    DiagnosticRecord(
                        sqlState: "HY001", nativeError: 0,
                        message: "unixODBC could not allocate an environment handle")
                ])
        }
        _ = SQLSetEnvAttr(
            environment, SQLINTEGER(SQL_ATTR_ODBC_VERSION),
            SQLPOINTER(bitPattern: Int(SQL_OV_ODBC3)), 0)
        handle = environment
        return environment
    }
}
