#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A calendar date without a time zone, as SQL `date` holds it.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// Creates a date from its parts, or returns nil when they name no real calendar day.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...LocalDate.daysInMonth(year: year, month: month)).contains(day)
        else {
            return nil
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`, the ISO 8601 calendar date, and nothing else.
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else {
            return nil
        }
        self.init(year: year, month: month, day: day)
    }

    /// The date in ISO 8601 form, `YYYY-MM-DD`.
    public var description: String {
        "\(year.zeroPadded(4))-\(month.zeroPadded(2))-\(day.zeroPadded(2))"
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Returns the number of days in a month of the proleptic Gregorian calendar.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2:
            let isLeap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return isLeap ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// A date and time of day without a time zone, as SQL `timestamp` and `datetime2` hold it.
public struct LocalDateTime: Hashable, Sendable, CustomStringConvertible {
    public var date: LocalDate
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Fraction of the second in nanoseconds.
    public var nanosecond: Int

    public init(date: LocalDate, hour: Int, minute: Int, second: Int, nanosecond: Int = 0) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
    }

    /// The value in ISO 8601 form with milliseconds, `YYYY-MM-DDTHH:MM:SS.mmm`.
    public var description: String {
        "\(date)T\(hour.zeroPadded(2)):\(minute.zeroPadded(2)):\(second.zeroPadded(2))."
            + (nanosecond / 1_000_000).zeroPadded(3)
    }
}

/// A value read from a result set or bound as a statement parameter.
public enum SQLValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case double(Double)
    /// An exact numeric (`decimal`, `numeric`, `money`) kept as its decimal text.
    case decimal(String)
    case string(String)
    case date(LocalDate)
    case timestamp(LocalDateTime)
    case bytes(Data)

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

/// One row of a result set, with columns reachable by position or by case-insensitive name.
public struct Row: Sendable {
    public let columnNames: [String]
    public let values: [SQLValue]

    public init(columnNames: [String], values: [SQLValue]) {
        self.columnNames = columnNames
        self.values = values
    }

    public subscript(index: Int) -> SQLValue { values[index] }

    /// Returns the value of the named column, or `.null` when the row has no such column.
    public subscript(name: String) -> SQLValue {
        guard let index = columnNames.firstIndex(where: { $0.lowercased() == name.lowercased() })
        else {
            return .null
        }
        return values[index]
    }

    public func string(_ name: String) -> String? { self[name].stringValue }
    public func int(_ name: String) -> Int64? { self[name].integerValue }
    public func date(_ name: String) -> LocalDate? { self[name].dateValue }
    public func bool(_ name: String) -> Bool? { self[name].boolValue }
    public func double(_ name: String) -> Double? { self[name].doubleValue }
}

extension SQLValue {
    /// The value as text, converting numbers and dates; nil for NULL and binary data.
    public var stringValue: String? {
        switch self {
        case .null, .bytes: return nil
        case .integer(let value): return String(value)
        case .double(let value): return String(value)
        case .decimal(let text), .string(let text): return text
        case .date(let value): return value.description
        case .timestamp(let value): return value.description
        }
    }

    /// The value as an integer when it is one or is text or a decimal of a whole number.
    public var integerValue: Int64? {
        switch self {
        case .integer(let value): return value
        case .double(let value): return Int64(exactly: value.rounded(.towardZero))
        case .decimal(let text), .string(let text):
            let trimmed = text.trimmingWhitespace()
            if let value = Int64(trimmed) { return value }
            if let value = Double(trimmed) { return Int64(exactly: value.rounded(.towardZero)) }
            return nil
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .double(let value): return value
        case .decimal(let text), .string(let text):
            return Double(text.trimmingWhitespace())
        default: return nil
        }
    }

    /// The value as a date; ISO text is accepted because some drivers return dates as text.
    public var dateValue: LocalDate? {
        switch self {
        case .date(let value): return value
        case .timestamp(let value): return value.date
        case .string(let text): return LocalDate(iso: String(text.prefix(10)))
        default: return nil
        }
    }

    /// The value as a boolean. psqlODBC returns `boolean` as text by default (`1`/`0`), SQL
    /// Server returns `bit` as an integer, so both forms are accepted.
    public var boolValue: Bool? {
        switch self {
        case .integer(let value): return value != 0
        case .string(let text):
            switch text.lowercased() {
            case "1", "t", "true", "y", "yes", "on": return true
            case "0", "f", "false", "n", "no", "off": return false
            default: return nil
            }
        default: return nil
        }
    }
}
