import ETL016Core
import Testing

/// A malformed `.sql` file name and a phrase its error must contain.
struct MalformedNameCase: Sendable, CustomTestStringConvertible {
    var fileName: String
    var problem: String

    var testDescription: String { fileName }

    init(_ fileName: String, _ problem: String) {
        self.fileName = fileName
        self.problem = problem
    }
}

private let malformedNames: [MalformedNameCase] = [
    MalformedNameCase("add_audit_tables.sql", "8-digit date"),
    MalformedNameCase("2025091_0600_add.sql", "8-digit date"),
    MalformedNameCase("20250910-0600_add.sql", "4-digit time"),
    MalformedNameCase("20250910_600_add.sql", "4-digit time"),
    MalformedNameCase("20250910_06x0_add.sql", "4-digit time"),
    MalformedNameCase("20250910_0600.sql", "underscore and a description"),
    MalformedNameCase("20250910_0600_.sql", "description after the time is empty"),
    MalformedNameCase("20250910_0600add.sql", "underscore and a description"),
    MalformedNameCase("20251310_0600_add.sql", "month 13 is not between 01 and 12"),
    MalformedNameCase("20250010_0600_add.sql", "month 00 is not between 01 and 12"),
    MalformedNameCase("20250230_0600_add.sql", "2025-02-30 is not a calendar date"),
    MalformedNameCase("20230229_0600_add.sql", "2023-02-29 is not a calendar date"),
    MalformedNameCase("19000229_0600_add.sql", "1900-02-29 is not a calendar date"),
    MalformedNameCase("20250431_0600_add.sql", "2025-04-31 is not a calendar date"),
    MalformedNameCase("20250900_0600_add.sql", "2025-09-00 is not a calendar date"),
    MalformedNameCase("00000101_0600_add.sql", "year 0000"),
    MalformedNameCase("20250910_2400_add.sql", "hour 24 is not between 00 and 23"),
    MalformedNameCase("20250910_0660_add.sql", "minute 60 is not between 00 and 59"),
    MalformedNameCase("20250910_0600_add audit.sql", "contains ' '"),
    MalformedNameCase("20250910_0600_add.tables.sql", "contains '.'"),
    MalformedNameCase("20250910_0600_ação.sql", "a non-ASCII character"),
    MalformedNameCase("20250910_0600____.sql", "no letter or digit"),
    MalformedNameCase(".sql", "8-digit date"),
]

@Suite("MigrationFileName")
struct MigrationFileNameTests {
    @Test("parses valid name")
    func parsesValidName() throws {
        let name = try #require(try MigrationFileName.parse("20250910_0600_add_audit_tables.sql"))

        #expect(name.version == "20250910_0600")
        #expect(name.description == "add audit tables")
        #expect(name.fileName == "20250910_0600_add_audit_tables.sql")
    }

    @Test("keeps hyphens and digits", arguments: [
        ("20240229_2359_partition-by-month_v2.sql", "20240229_2359", "partition-by-month v2"),
        ("20000229_0000_x.SQL", "20000229_0000", "x"),
        ("19991231_1200_1.Sql", "19991231_1200", "1"),
    ])
    func parsesEdgeName(fileName: String, version: String, description: String) throws {
        let name = try #require(try MigrationFileName.parse(fileName))

        #expect(name.version == version)
        #expect(name.description == description)
    }

    @Test("drops directories")
    func dropsDirectories() throws {
        let name = try #require(
            try MigrationFileName.parse("migrations/sqlserver/20250910_0600_add.sql"))

        #expect(name.fileName == "20250910_0600_add.sql")
        #expect(name.version == "20250910_0600")
    }

    @Test("ignores other files", arguments: [
        "README.md", "20250910_0600_add.sql.bak", ".DS_Store", "notes", "20250910_0600_add.sqlx",
        "migrations/",
    ])
    func ignoresOtherFile(fileName: String) throws {
        #expect(try MigrationFileName.parse(fileName) == nil)
        #expect(MigrationFileName(fileName: fileName) == nil)
    }

    @Test("rejects malformed names", arguments: malformedNames)
    func rejectsMalformedName(_ testCase: MalformedNameCase) throws {
        let error = try #require(throws: MigrationFileNameError.self) {
            try MigrationFileName.parse(testCase.fileName)
        }

        #expect(error.problem.contains(testCase.problem), "\(error.problem)")
        #expect(error.fileName == testCase.fileName)
    }

    @Test("error shows pattern and example")
    func errorShowsPattern() throws {
        let error = try #require(throws: MigrationFileNameError.self) {
            try MigrationFileName.parse("add_audit_tables.sql")
        }

        #expect(error.description.contains("add_audit_tables.sql"))
        #expect(error.description.contains("YYYYMMDD_HHmm_description.sql"))
        #expect(error.description.contains("20250910_0600_add_audit_tables.sql"))
    }

    @Test("failable init matches parse")
    func failableInit() {
        #expect(MigrationFileName(fileName: "20251310_0600_add.sql") == nil)
        #expect(MigrationFileName(fileName: "20250910_0600_add.sql")?.version == "20250910_0600")
    }

    @Test("versions sort in time order")
    func versionsSort() throws {
        let files = ["20251001_0000_c.sql", "20250910_0600_b.sql", "20250910_0559_a.sql"]
        let versions = try files.compactMap { try MigrationFileName.parse($0)?.version }.sorted()

        #expect(versions == ["20250910_0559", "20250910_0600", "20251001_0000"])
    }
}
