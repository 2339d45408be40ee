#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

// MARK: - The Dia date rule

extension LocalDate {
    /// Parses a `Dia` value by the rule that PostgreSQL's `dbo.etl016_dia_date` and SQL
    /// Server's `DiaDate` column also follow: `d/m/yyyy` with a day and a month of one or
    /// two ASCII digits, a four-digit year, `/` separators, optional spaces (spaces only, no
    /// tabs) around the whole value, and a real calendar day from year 1 on.
    ///
    /// ```swift
    /// LocalDate(dia: " 09/06/2025 ")  // 2025-06-09
    /// LocalDate(dia: "2025-06-09")    // nil
    /// ```
    public init?(dia text: String) {
        var trimmed = Substring(text)
        while trimmed.first == " " { trimmed = trimmed.dropFirst() }
        while trimmed.last == " " { trimmed = trimmed.dropLast() }
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3,
            (1...2).contains(parts[0].count), (1...2).contains(parts[1].count),
            parts[2].count == 4,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2])
        else {
            return nil
        }
        self.init(year: year, month: month, day: day)
    }
}

// MARK: - Calendar arithmetic

extension LocalDate {
    /// The first day of this date's month.
    public var firstOfMonth: LocalDate {
        LocalDate(year: year, month: month, day: 1)!
    }

    /// Returns the date `months` calendar months later (earlier when negative), with the day
    /// clamped to the last day of the target month: 2025-05-31 minus 3 months is 2025-02-28.
    public func addingMonths(_ months: Int) -> LocalDate {
        let index = year * 12 + (month - 1) + months
        let targetYear = index / 12
        let targetMonth = index % 12 + 1
        let lastDay = LocalDate.daysInMonth(year: targetYear, month: targetMonth)
        return LocalDate(year: targetYear, month: targetMonth, day: min(day, lastDay))!
    }

    /// Returns the date `days` days later (earlier when negative).
    public func addingDays(_ days: Int) -> LocalDate {
        LocalDate(dayNumber: dayNumber + days)
    }

    /// Returns the number of days from `other` to this date: positive when this date is later.
    public func days(since other: LocalDate) -> Int {
        dayNumber - other.dayNumber
    }

    /// Returns today's date in the local time zone of the process, which the C library
    /// reads from `TZ` or /etc/localtime.
    public static func today() -> LocalDate {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return LocalDate(
            year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1,
            day: Int(parts.tm_mday))!
    }

    /// Days since 0001-01-01 in the proleptic Gregorian calendar.
    var dayNumber: Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let shiftedMonth = month <= 2 ? month + 9 : month - 3
        let daysBeforeMonth = (153 * shiftedMonth + 2) / 5
        return 365 * shiftedYear + shiftedYear / 4 - shiftedYear / 100 + shiftedYear / 400
            + daysBeforeMonth + day - 307
    }

    /// The inverse of `dayNumber`, for days from year 1 through year 9999. It counts in
    /// 400-year eras of 146,097 days, with years that start on 1 March so that the leap
    /// day falls at the end.
    init(dayNumber: Int) {
        let shiftedDay = dayNumber + 306
        let era = shiftedDay / 146_097
        let dayOfEra = shiftedDay - era * 146_097
        let yearOfEra =
            (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.init(year: year, month: month, day: day)!
    }
}

// MARK: - Retention cutoff

/// The retention rule: rows whose valid date is strictly before the cutoff are expired.
public enum RetentionCutoff {
    /// Returns `asOf` minus `retentionMonths` calendar months, the day clamped to the end of
    /// the month. As of 2025-09-10 with 3 months the cutoff is 2025-06-10, so a row of
    /// 9 June is expired and a row of 10 June stays.
    public static func cutoff(asOf: LocalDate, retentionMonths: Int) -> LocalDate {
        asOf.addingMonths(-retentionMonths)
    }
}
