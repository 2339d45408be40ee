import ETL016Core
import Testing

@Suite("Dia date rule and retention cutoff")
struct RetentionDateTests {
    static let validDays: [(String, String)] = [
        ("9/6/2025", "2025-06-09"),
        ("09/06/2025", "2025-06-09"),
        ("31/12/2024", "2024-12-31"),
        ("1/1/2025", "2025-01-01"),
        (" 9/6/2025 ", "2025-06-09"),
        ("   09/06/2025", "2025-06-09"),
        ("29/2/2024", "2024-02-29"),
        ("29/2/2000", "2000-02-29"),
        ("1/1/0001", "0001-01-01"),
        ("31/12/9999", "9999-12-31"),
    ]

    @Test("valid Dia values parse", arguments: validDays)
    func validDia(text: String, expected: String) {
        #expect(LocalDate(dia: text)?.description == expected)
    }

    static let invalidDays = [
        "32/13/2025", "not-a-date", "", " ", "2025-06-09", "29/2/2023", "29/2/1900",
        "31/4/2025", "0/1/2025", "1/0/2025", "1/1/0000", "1/1/25", "1/1/20255", "001/1/2025",
        "1/001/2025", "9-6-2025", "9/6/2025/1", "9 /6/2025", "\t9/6/2025", "9/6/2025\n",
        "+9/6/2025", "9/6/٢٠٢٥", "９/6/2025", "9//2025",
    ]

    @Test("invalid Dia values are rejected", arguments: invalidDays)
    func invalidDia(text: String) {
        #expect(LocalDate(dia: text) == nil)
    }

    static let cutoffs: [(String, Int, String)] = [
        ("2025-09-10", 3, "2025-06-10"),
        ("2025-05-31", 3, "2025-02-28"),
        ("2024-05-31", 3, "2024-02-29"),
        ("2025-02-15", 3, "2024-11-15"),
        ("2025-01-31", 1, "2024-12-31"),
        ("2025-03-31", 1, "2025-02-28"),
        ("2025-12-31", 12, "2024-12-31"),
        ("2024-02-29", 12, "2023-02-28"),
        ("2025-09-10", 24, "2023-09-10"),
    ]

    @Test("cutoff is as-of minus months, clamped", arguments: cutoffs)
    func cutoff(asOf: String, months: Int, expected: String) {
        let date = LocalDate(iso: asOf)!
        #expect(RetentionCutoff.cutoff(asOf: date, retentionMonths: months).description == expected)
    }

    @Test("cutoff day stays, the day before goes")
    func cutoffBoundary() {
        let cutoff = RetentionCutoff.cutoff(asOf: LocalDate(iso: "2025-09-10")!, retentionMonths: 3)
        #expect(LocalDate(dia: "9/6/2025")! < cutoff)
        #expect(!(LocalDate(dia: "10/6/2025")! < cutoff))
    }

    static let dayShifts: [(String, Int, String)] = [
        ("2025-06-10", -1, "2025-06-09"),
        ("2025-03-01", -1, "2025-02-28"),
        ("2024-03-01", -1, "2024-02-29"),
        ("2024-12-31", 1, "2025-01-01"),
        ("0001-01-01", 365, "0002-01-01"),
        ("2000-02-28", 2, "2000-03-01"),
        ("1900-02-28", 1, "1900-03-01"),
    ]

    @Test("adding days crosses months and years", arguments: dayShifts)
    func addingDays(start: String, days: Int, expected: String) {
        #expect(LocalDate(iso: start)!.addingDays(days).description == expected)
    }

    @Test("days since counts calendar days")
    func daysSince() {
        let cutoff = LocalDate(iso: "2025-06-10")!
        #expect(cutoff.days(since: LocalDate(iso: "2025-06-01")!) == 9)
        #expect(LocalDate(iso: "2025-01-01")!.days(since: LocalDate(iso: "2024-01-01")!) == 366)
    }

    @Test("consecutive days over four centuries")
    func consecutiveDays() {
        var date = LocalDate(iso: "1999-12-25")!
        var firstGap: String?
        for _ in 0..<146_100 {
            let next = date.addingDays(1)
            let expected = date.day < LocalDate.daysInMonth(year: date.year, month: date.month)
                ? LocalDate(year: date.year, month: date.month, day: date.day + 1)
                : date.firstOfMonth.addingMonths(1)
            if next != expected, firstGap == nil { firstGap = "\(date) -> \(next)" }
            date = next
        }
        #expect(firstGap == nil)
        #expect(date.description == "2399-12-28")
    }
}
