/// The parts of a migration file name, `YYYYMMDD_HHmm_description.sql`.
///
///     let name = try MigrationFileName.parse("20250910_0600_add_audit_tables.sql")
///     // name?.version == "20250910_0600", name?.description == "add audit tables"
///
/// The version is the timestamp `YYYYMMDD_HHmm`, so sorting versions as text sorts migrations
/// in the order they run.
public struct MigrationFileName: Equatable, Sendable {
    /// The pattern that every migration file name follows.
    public static let pattern = "YYYYMMDD_HHmm_description.sql"

    /// A valid file name, shown in error messages.
    public static let example = "20250910_0600_add_audit_tables.sql"

    /// The timestamp part, such as `20250910_0600`.
    public var version: String

    /// The description part with underscores turned into spaces, such as `add audit tables`.
    public var description: String

    /// The file name as given, without directories.
    public var fileName: String

    /// Parses `fileName`, returning nil when it is not a `.sql` file or when it is a malformed
    /// one. Use `parse(_:)` to learn what is wrong with a malformed name.
    public init?(fileName: String) {
        guard let parsed = try? Self.parse(fileName) else {
            return nil
        }
        self = parsed
    }

    private init(version: String, description: String, fileName: String) {
        self.version = version
        self.description = description
        self.fileName = fileName
    }

    /// Parses the name of a file found in a migrations folder.
    ///
    /// Only the part after the last `/` is read. The `.sql` extension may be in any case.
    ///
    /// - Returns: nil for a file that is not a `.sql` file, such as `README.md`, which the
    ///   migrator ignores.
    /// - Throws: `MigrationFileNameError` for a `.sql` file whose name does not follow
    ///   `YYYYMMDD_HHmm_description.sql` with a real calendar date, an hour from 00 to 23, a
    ///   minute from 00 to 59, and a description of ASCII letters, digits, underscores and
    ///   hyphens.
    public static func parse(_ fileName: String) throws -> MigrationFileName? {
        let name = fileName.split(separator: "/", omittingEmptySubsequences: false).last
            .map(String.init) ?? fileName
        guard name.lowercased().hasSuffix(".sql") else {
            return nil
        }

        let stem = Array(name.utf8.dropLast(4))
        if let problem = problem(in: stem) {
            throw MigrationFileNameError(fileName: name, problem: problem)
        }

        let version = String(decoding: stem[0..<13], as: UTF8.self)
        let description = String(decoding: stem[14...], as: UTF8.self)
            .replacingUnderscoresWithSpaces()
        return MigrationFileName(version: version, description: description, fileName: name)
    }

    // MARK: - Validation

    /// Returns what is wrong with the name without its extension, or nil when it is valid.
    private static func problem(in stem: [UInt8]) -> String? {
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= stem.count, stem[range].allSatisfy(ASCII.isDigit) else {
                return nil
            }
            return stem[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }

        guard let year = digits(0..<4), let month = digits(4..<6), let day = digits(6..<8) else {
            return "it does not start with an 8-digit date (YYYYMMDD)"
        }
        guard stem.count > 8, stem[8] == ASCII.underscore,
            let hour = digits(9..<11), let minute = digits(11..<13)
        else {
            return "the date is not followed by an underscore and a 4-digit time (HHmm)"
        }
        guard stem.count > 13, stem[13] == ASCII.underscore else {
            return "the time is not followed by an underscore and a description"
        }
        guard stem.count > 14 else {
            return "the description after the time is empty"
        }

        if let problem = dateProblem(year: year, month: month, day: day) {
            return problem
        }
        if hour > 23 {
            return "hour \(twoDigits(hour)) is not between 00 and 23"
        }
        if minute > 59 {
            return "minute \(twoDigits(minute)) is not between 00 and 59"
        }
        return descriptionProblem(stem[14...])
    }

    private static func dateProblem(year: Int, month: Int, day: Int) -> String? {
        if year == 0 {
            return "year 0000 is not a valid year"
        }
        guard (1...12).contains(month) else {
            return "month \(twoDigits(month)) is not between 01 and 12"
        }
        let isLeapYear = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let daysInMonth = [31, isLeapYear ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...daysInMonth[month - 1]).contains(day) else {
            let date = "\(year)-\(twoDigits(month))-\(twoDigits(day))"
            return "\(date) is not a calendar date"
        }
        return nil
    }

    private static func descriptionProblem(_ description: ArraySlice<UInt8>) -> String? {
        let isAllowed: (UInt8) -> Bool = { byte in
            ASCII.isLetter(byte) || ASCII.isDigit(byte) || byte == ASCII.underscore
                || byte == ASCII.hyphen
        }
        if let invalid = description.first(where: { !isAllowed($0) }) {
            let invalidCharacter = invalid < 0x80
                ? "'\(Character(Unicode.Scalar(invalid)))'" : "a non-ASCII character"
            return "the description contains \(invalidCharacter), but only ASCII letters, digits, "
                + "underscores and hyphens are allowed"
        }
        guard description.contains(where: { ASCII.isLetter($0) || ASCII.isDigit($0) }) else {
            return "the description has no letter or digit"
        }
        return nil
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

/// A `.sql` file in a migrations folder whose name does not follow
/// `YYYYMMDD_HHmm_description.sql`.
public struct MigrationFileNameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file name without directories.
    public var fileName: String

    /// The problem found, such as `month 13 is not between 01 and 12`.
    public var problem: String

    public init(fileName: String, problem: String) {
        self.fileName = fileName
        self.problem = problem
    }

    public var description: String {
        "Invalid migration file name \(fileName): \(problem). Rename it to "
            + "\(MigrationFileName.pattern), for example \(MigrationFileName.example)."
    }
}

extension String {
    fileprivate func replacingUnderscoresWithSpaces() -> String {
        String(map { $0 == "_" ? " " : $0 })
    }
}
