import CUnixODBC
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One ODBC statement handle with its bound parameter buffers. Freed by `free()` on every
/// path, which `Connection` guarantees with `defer`.
final class StatementHandle {
    private var handle: SQLHSTMT?
    private var parameterBuffers: [UnsafeMutableRawPointer] = []
    private var indicators: UnsafeMutablePointer<SQLLEN>?

    init(connection: SQLHDBC) throws {
        var statement: SQLHSTMT?
        let allocated = SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_STMT), connection, &statement)
        guard ODBC.succeeded(allocated), let statement else {
            throw DatabaseError(
                operation: "allocate a statement handle",
                records: ODBC.diagnostics(type: SQL_HANDLE_DBC, handle: connection))
        }
        handle = statement
    }

    func free() {
        if let handle {
            SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_STMT), handle)
        }
        handle = nil
        parameterBuffers.forEach { $0.deallocate() }
        parameterBuffers = []
        indicators?.deallocate()
        indicators = nil
    }

    func setQueryTimeout(_ seconds: Int) {
        _ = SQLSetStmtAttr(
            handle, SQLINTEGER(SQL_ATTR_QUERY_TIMEOUT), SQLPOINTER(bitPattern: seconds), 0)
    }

    // MARK: - Executing

    private(set) var lastResult: SQLRETURN = SQLRETURN(SQL_SUCCESS)
    private var messages: [DiagnosticRecord] = []

    func execute(_ sql: String, _ parameters: [SQLValue]) throws {
        try bind(parameters)
        var text = Array(sql.utf16)
        let result = SQLExecDirectW(handle, &text, SQLINTEGER(text.count))
        try check(result, operation: "execute statement")
        lastResult = result
    }

    /// Walks every result of a batch, so an error raised by a later statement of a T-SQL
    /// batch surfaces here and not silently after the call.
    func drainResults() throws -> ExecutionResult {
        var rowCount: Int?
        while true {
            var columns: SQLSMALLINT = 0
            SQLNumResultCols(handle, &columns)
            if columns > 0 {
                try skipRows()
            } else if lastResult != SQLRETURN(SQL_NO_DATA) {
                var count: SQLLEN = -1
                if ODBC.succeeded(SQLRowCount(handle, &count)), count >= 0 {
                    rowCount = (rowCount ?? 0) + Int(count)
                }
            }
            guard try moveToNextResult() else { break }
        }
        return ExecutionResult(rowCount: rowCount, messages: messages)
    }

    /// Reads the first result set that has columns, then drains the rest.
    func readFirstResultSet(_ body: (Row) throws -> Void) throws {
        var done = false
        while true {
            var columns: SQLSMALLINT = 0
            SQLNumResultCols(handle, &columns)
            if columns > 0 {
                if done {
                    try skipRows()
                } else {
                    try readRows(columnCount: Int(columns), body)
                    done = true
                }
            }
            guard try moveToNextResult() else { break }
        }
    }

    private func moveToNextResult() throws -> Bool {
        let result = SQLMoreResults(handle)
        if result == SQLRETURN(SQL_NO_DATA) { return false }
        try check(result, operation: "read the next result of the batch")
        lastResult = result
        return true
    }

    private func check(_ result: SQLRETURN, operation: String) throws {
        if result == SQLRETURN(SQL_SUCCESS_WITH_INFO) {
            messages += ODBC.diagnostics(type: SQL_HANDLE_STMT, handle: handle)
        }
        guard ODBC.succeeded(result) || result == SQLRETURN(SQL_NO_DATA) else {
            throw DatabaseError(
                operation: operation,
                records: ODBC.diagnostics(type: SQL_HANDLE_STMT, handle: handle))
        }
    }

    // MARK: - Rows

    private struct Column {
        var name: String
        var type: Int32
    }

    private func describeColumns(count: Int) throws -> [Column] {
        try (1...count).map { index in
            var name = [SQLWCHAR](repeating: 0, count: 256)
            var nameLength: SQLSMALLINT = 0
            var type: SQLSMALLINT = 0
            // Size, digits and nullability stay unrequested: psqlODBC runs an extra
            // catalog query per result set to return nullability.
            let result = SQLDescribeColW(
                handle, SQLUSMALLINT(index), &name, SQLSMALLINT(name.count), &nameLength, &type,
                nil, nil, nil)
            try check(result, operation: "describe result column \(index)")
            let characters = min(Int(nameLength), name.count - 1)
            return Column(name: ODBC.string(name, byteCount: characters * 2), type: Int32(type))
        }
    }

    private func readRows(columnCount: Int, _ body: (Row) throws -> Void) throws {
        let columns = try describeColumns(count: columnCount)
        let names = columns.map(\.name)
        while true {
            let fetched = SQLFetch(handle)
            if fetched == SQLRETURN(SQL_NO_DATA) { return }
            try check(fetched, operation: "fetch a row")
            var values: [SQLValue] = []
            values.reserveCapacity(columns.count)
            for (offset, column) in columns.enumerated() {
                values.append(try readValue(column: offset + 1, type: column.type))
            }
            try body(Row(columnNames: names, values: values))
        }
    }

    private func skipRows() throws {
        while true {
            let fetched = SQLFetch(handle)
            if fetched == SQLRETURN(SQL_NO_DATA) { return }
            try check(fetched, operation: "fetch a row")
        }
    }

    private func readValue(column: Int, type: Int32) throws -> SQLValue {
        switch type {
        case SQL_INTEGER, SQL_SMALLINT, SQL_TINYINT, SQL_BIGINT, SQL_BIT:
            var value: Int64 = 0
            let isNull = try getData(column, SQL_C_SBIGINT, &value, MemoryLayout<Int64>.size)
            return isNull ? .null : .integer(value)
        case SQL_REAL, SQL_FLOAT, SQL_DOUBLE:
            var value: Double = 0
            let isNull = try getData(column, SQL_C_DOUBLE, &value, MemoryLayout<Double>.size)
            return isNull ? .null : .double(value)
        case SQL_TYPE_DATE:
            var value = SQL_DATE_STRUCT()
            let isNull = try getData(
                column, SQL_C_TYPE_DATE, &value, MemoryLayout<SQL_DATE_STRUCT>.size)
            guard !isNull else { return .null }
            guard let date = LocalDate(
                year: Int(value.year), month: Int(value.month), day: Int(value.day))
            else { return .null }
            return .date(date)
        case SQL_TYPE_TIMESTAMP:
            var value = SQL_TIMESTAMP_STRUCT()
            let isNull = try getData(
                column, SQL_C_TYPE_TIMESTAMP, &value, MemoryLayout<SQL_TIMESTAMP_STRUCT>.size)
            guard !isNull,
                let date = LocalDate(
                    year: Int(value.year), month: Int(value.month), day: Int(value.day))
            else { return .null }
            return .timestamp(
                LocalDateTime(
                    date: date, hour: Int(value.hour), minute: Int(value.minute),
                    second: Int(value.second), nanosecond: Int(value.fraction)))
        case SQL_BINARY, SQL_VARBINARY, SQL_LONGVARBINARY:
            guard let data = try readLongData(column: column, cType: SQL_C_BINARY) else {
                return .null
            }
            return .bytes(data)
        case SQL_DECIMAL, SQL_NUMERIC:
            guard let text = try readText(column: column) else { return .null }
            return .decimal(text)
        default:
            guard let text = try readText(column: column) else { return .null }
            return .string(text)
        }
    }

    /// Reads a fixed-size value; returns true when it is NULL.
    private func getData<T>(_ column: Int, _ cType: Int32, _ value: inout T, _ size: Int) throws
        -> Bool
    {
        var indicator: SQLLEN = 0
        let result = withUnsafeMutableBytes(of: &value) { buffer in
            SQLGetData(
                handle, SQLUSMALLINT(column), SQLSMALLINT(cType), buffer.baseAddress,
                SQLLEN(size), &indicator)
        }
        try check(result, operation: "read column \(column)")
        return indicator == SQLLEN(SQL_NULL_DATA)
    }

    private func readText(column: Int) throws -> String? {
        guard let data = try readLongData(column: column, cType: SQL_C_WCHAR) else { return nil }
        let units = data.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) }
        return String(decoding: units, as: UTF16.self)
    }

    /// Reads a value of any length in pieces, as SQLGetData returns it; nil when NULL.
    private func readLongData(column: Int, cType: Int32) throws -> Data? {
        var collected = Data()
        let bufferSize = 8192
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 8)
        defer { buffer.deallocate() }
        let terminatorSize = cType == SQL_C_WCHAR ? 2 : 0
        while true {
            var indicator: SQLLEN = 0
            let result = SQLGetData(
                handle, SQLUSMALLINT(column), SQLSMALLINT(cType), buffer, SQLLEN(bufferSize),
                &indicator)
            if result == SQLRETURN(SQL_NO_DATA) { break }
            guard ODBC.succeeded(result) else {
                throw DatabaseError(
                    operation: "read column \(column)",
                    records: ODBC.diagnostics(type: SQL_HANDLE_STMT, handle: handle))
            }
            if indicator == SQLLEN(SQL_NULL_DATA) { return nil }
            let available = bufferSize - terminatorSize
            let pieceSize: Int
            if indicator == SQLLEN(SQL_NO_TOTAL) || Int(indicator) > available {
                pieceSize = available
            } else {
                pieceSize = Int(indicator)
            }
            collected.append(buffer.assumingMemoryBound(to: UInt8.self), count: pieceSize)
            if result == SQLRETURN(SQL_SUCCESS) { break }
        }
        return collected
    }

    // MARK: - Parameters

    /// Binds each value as an input parameter. The buffers live until `free()`, because the
    /// driver reads them during execution, not during binding.
    private func bind(_ parameters: [SQLValue]) throws {
        guard !parameters.isEmpty else { return }
        indicators = .allocate(capacity: parameters.count)
        for (offset, value) in parameters.enumerated() {
            try bind(value, number: offset + 1, indicator: indicators! + offset)
        }
    }

    private func bind(_ value: SQLValue, number: Int, indicator: UnsafeMutablePointer<SQLLEN>)
        throws
    {
        var cType = SQL_C_CHAR
        var sqlType = SQL_VARCHAR
        var columnSize = 1
        var digits = 0
        var bytes: [UInt8] = []
        indicator.pointee = 0
        switch value {
        case .null:
            indicator.pointee = SQLLEN(SQL_NULL_DATA)
        case .integer(let number):
            cType = SQL_C_SBIGINT
            sqlType = SQL_BIGINT
            columnSize = 19
            bytes = withUnsafeBytes(of: number) { Array($0) }
        case .double(let number):
            cType = SQL_C_DOUBLE
            sqlType = SQL_DOUBLE
            columnSize = 15
            bytes = withUnsafeBytes(of: number) { Array($0) }
        case .decimal(let text):
            cType = SQL_C_CHAR
            sqlType = SQL_NUMERIC
            columnSize = max(text.count, 1)
            digits = text.split(separator: ".").dropFirst().first?.count ?? 0
            bytes = Array(text.utf8)
        case .string(let text):
            cType = SQL_C_WCHAR
            let units = Array(text.utf16)
            // Long text is bound as SQL_WLONGVARCHAR, which SQL Server treats as nvarchar(max).
            sqlType = units.count > 4000 ? SQL_WLONGVARCHAR : SQL_WVARCHAR
            columnSize = max(units.count, 1)
            bytes = units.withUnsafeBytes { Array($0) }
        case .date(let date):
            cType = SQL_C_TYPE_DATE
            sqlType = SQL_TYPE_DATE
            columnSize = 10
            let value = SQL_DATE_STRUCT(
                year: SQLSMALLINT(date.year), month: SQLUSMALLINT(date.month),
                day: SQLUSMALLINT(date.day))
            bytes = withUnsafeBytes(of: value) { Array($0) }
        case .timestamp(let time):
            cType = SQL_C_TYPE_TIMESTAMP
            sqlType = SQL_TYPE_TIMESTAMP
            columnSize = 27
            digits = 7
            // SQL Server rejects fractions finer than the declared scale (7 digits, 100 ns).
            let value = SQL_TIMESTAMP_STRUCT(
                year: SQLSMALLINT(time.date.year), month: SQLUSMALLINT(time.date.month),
                day: SQLUSMALLINT(time.date.day), hour: SQLUSMALLINT(time.hour),
                minute: SQLUSMALLINT(time.minute), second: SQLUSMALLINT(time.second),
                fraction: SQLUINTEGER(time.nanosecond / 100 * 100))
            bytes = withUnsafeBytes(of: value) { Array($0) }
        case .bytes(let data):
            cType = SQL_C_BINARY
            sqlType = SQL_VARBINARY
            columnSize = max(data.count, 1)
            bytes = Array(data)
        }
        if case .null = value {} else { indicator.pointee = SQLLEN(bytes.count) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 8), alignment: 8)
        parameterBuffers.append(buffer)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress {
                buffer.copyMemory(from: base, byteCount: bytes.count)
            }
        }
        let result = SQLBindParameter(
            handle, SQLUSMALLINT(number), SQLSMALLINT(SQL_PARAM_INPUT), SQLSMALLINT(cType),
            SQLSMALLINT(sqlType), SQLULEN(columnSize), SQLSMALLINT(digits), buffer,
            SQLLEN(bytes.count), indicator)
        try check(result, operation: "bind parameter \(number)")
    }
}

/// Small helpers shared by the handle types.
enum ODBC {
    static func succeeded(_ result: SQLRETURN) -> Bool {
        result == SQLRETURN(SQL_SUCCESS) || result == SQLRETURN(SQL_SUCCESS_WITH_INFO)
    }

    /// Reads every diagnostic record of a handle, in the order the driver numbered them.
    static func diagnostics(type: Int32, handle: SQLHANDLE?) -> [DiagnosticRecord] {
        guard let handle else { return [] }
        var records: [DiagnosticRecord] = []
        var number: SQLSMALLINT = 1
        while number < 100 {
            var state = [SQLWCHAR](repeating: 0, count: 6)
            var native: SQLINTEGER = 0
            var message = [SQLWCHAR](repeating: 0, count: 4096)
            var length: SQLSMALLINT = 0
            let result = SQLGetDiagRecW(
                SQLSMALLINT(type), handle, number, &state, &native, &message,
                SQLSMALLINT(message.count), &length)
            guard succeeded(result) else { break }
            let characters = min(Int(length), message.count - 1)
            records.append(
                DiagnosticRecord(
                    sqlState: string(state, byteCount: 10),
                    nativeError: Int(native),
                    message: string(message, byteCount: characters * 2)
                        .trimmingWhitespace()))
            number += 1
        }
        return records
    }

    /// Decodes UTF-16 code units up to `byteCount` bytes or the first NUL.
    static func string(_ units: [SQLWCHAR], byteCount: Int) -> String {
        let limit = min(max(byteCount / 2, 0), units.count)
        let slice = units[..<limit]
        let end = slice.firstIndex(of: 0) ?? limit
        return String(decoding: units[..<end], as: UTF16.self)
    }

    static func redacting(_ record: DiagnosticRecord) -> DiagnosticRecord {
        var copy = record
        copy.message = ConnectionString.redactPasswords(in: record.message)
        return copy
    }
}
