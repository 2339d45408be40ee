/// One ODBC diagnostic record: the five-character SQLSTATE, the database's native error
/// number and its message.
public struct DiagnosticRecord: Equatable, Sendable, CustomStringConvertible {
    public var sqlState: String
    public var nativeError: Int
    public var message: String

    public init(sqlState: String, nativeError: Int, message: String) {
        self.sqlState = sqlState
        self.nativeError = nativeError
        self.message = message
    }

    public var description: String {
        "SQLSTATE \(sqlState) (native error \(nativeError)): \(message)"
    }
}

/// A failed ODBC call, with every diagnostic record the driver returned for it.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    /// The step that failed, for example "connect" or "execute statement".
    public var operation: String
    public var records: [DiagnosticRecord]

    public init(operation: String, records: [DiagnosticRecord]) {
        self.operation = operation
        self.records = records
    }

    /// SQLSTATE of the first record, the one drivers put first as the main cause.
    public var sqlState: String? { records.first?.sqlState }

    /// The database's own messages, one per record, without ODBC driver prefixes.
    public var serverMessage: String {
        guard !records.isEmpty else { return "no diagnostic record returned by the driver" }
        return records.map { ODBCMessage.strippingDriverPrefixes($0.message) }
            .joined(separator: "; ")
    }

    public var description: String {
        if records.isEmpty {
            return "\(operation) failed: no diagnostic record returned by the driver"
        }
        let details = records.map { record in
            "SQLSTATE \(record.sqlState), native error \(record.nativeError): "
                + ODBCMessage.strippingDriverPrefixes(record.message)
        }
        return "\(operation) failed: " + details.joined(separator: "; ")
    }

    /// True for deadlocks, serialization failures and lost connections, which a retry of
    /// the same work may get past.
    ///
    /// SQL Server reports a deadlock victim as SQLSTATE 40001 (native 1205). PostgreSQL uses
    /// 40001 for serialization failures and 40P01 for deadlocks. Class 08 is a connection
    /// failure on either.
    public var isTransient: Bool {
        records.contains { record in
            record.sqlState == "40001" || record.sqlState == "40P01"
                || record.sqlState.hasPrefix("08") || record.nativeError == 1205
        }
    }

    /// True when a lock could not be had in time: PostgreSQL's `lock_timeout` raises 55P03,
    /// SQL Server's `SET LOCK_TIMEOUT` raises native error 1222.
    public var isLockTimeout: Bool {
        records.contains { $0.sqlState == "55P03" || $0.nativeError == 1222 }
    }
}

enum ODBCMessage {
    /// Removes the bracketed vendor prefixes drivers put before a message, such as
    /// `[unixODBC][Microsoft][ODBC Driver 18 for SQL Server][SQL Server]`.
    static func strippingDriverPrefixes(_ message: String) -> String {
        var rest = Substring(message)
        while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            rest = rest[rest.index(after: close)...]
        }
        return rest.trimmingWhitespace()
    }
}
