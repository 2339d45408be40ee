#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Severity of a log line, in increasing order.
public enum LogLevel: Int, Comparable, Sendable, CaseIterable {
    case debug, info, warning, error

    public var name: String {
        switch self {
        case .debug: return "debug"
        case .info: return "info"
        case .warning: return "warning"
        case .error: return "error"
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The format of log lines: readable text or one JSON object per line.
public enum LogFormat: String, Sendable {
    case text, json
}

/// Writes timestamped log lines to standard error. Results go to standard output, so a
/// pipeline can parse `--json` output while the logs stream separately.
///
/// Messages pass through `ConnectionString.redactPasswords`, so a connection string that
/// slips into a message never shows its password.
public final class Logger: @unchecked Sendable {
    /// The logger the engines use unless given another.
    public static let standard = Logger()

    public var format: LogFormat
    public var minimumLevel: LogLevel
    private let lock = Mutex(())
    private let sink: @Sendable (String) -> Void

    public init(
        format: LogFormat = .text, minimumLevel: LogLevel = .info,
        sink: @escaping @Sendable (String) -> Void = Logger.writeToStandardError
    ) {
        self.format = format
        self.minimumLevel = minimumLevel
        self.sink = sink
    }

    public func debug(_ message: String, _ fields: [(String, JSONValue)] = []) {
        log(.debug, message, fields)
    }

    public func info(_ message: String, _ fields: [(String, JSONValue)] = []) {
        log(.info, message, fields)
    }

    public func warning(_ message: String, _ fields: [(String, JSONValue)] = []) {
        log(.warning, message, fields)
    }

    public func error(_ message: String, _ fields: [(String, JSONValue)] = []) {
        log(.error, message, fields)
    }

    /// Writes one line when `level` is at least `minimumLevel`. Fields are extra key and
    /// value pairs: columns of the JSON object, or `key=value` after the text message.
    public func log(_ level: LogLevel, _ message: String, _ fields: [(String, JSONValue)] = []) {
        guard level >= minimumLevel else { return }
        let safeMessage = ConnectionString.redactPasswords(in: message)
        let time = Logger.timestamp()
        switch format {
        case .json:
            let object: JSONValue = .object(
                [("time", .string(time)), ("level", .string(level.name)),
                 ("message", .string(safeMessage))] + fields)
            lock.withLock { _ in sink(object.serialized()) }
        case .text:
            var line = "\(time) \(level.name.uppercased()) \(safeMessage)"
            for (key, value) in fields {
                let text: String
                if case .string(let string) = value { text = string } else {
                    text = value.serialized()
                }
                line += " \(key)=\(ConnectionString.redactPasswords(in: text))"
            }
            lock.withLock { _ in sink(line) }
        }
    }

    public static let writeToStandardError: @Sendable (String) -> Void = { line in
        StandardError.write(line + "\n")
    }

    /// Returns the time in ISO 8601 with milliseconds and the UTC offset.
    static func timestamp(_ date: Date = Date()) -> String {
        ISO8601.string(from: date)
    }
}

/// ISO 8601 formatting for times shown to users and written to JSON.
public enum ISO8601 {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Returns `date` in UTC as `2025-09-10T06:00:00.000Z`.
    public static func string(from date: Date) -> String {
        date.formatted(style)
    }
}

/// Unbuffered writes to file descriptor 2, so log lines and prompts appear at once and a
/// line written in one call is not interleaved with another process's output.
package enum StandardError {
    package static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written <= 0 { return }
            offset += written
        }
    }
}
