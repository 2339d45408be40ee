import ETL016Core
import Foundation
import Testing

@Suite("purge on a real database", .serialized, .enabled(if: TestServer.isConfigured))
struct PurgeTests {
    static let layouts = TrafficLayout.allCases

    @Test("right rows go and stay", arguments: TestServer.configured, layouts)
    func rightRowsGoAndStay(server: TestServer, layout: TrafficLayout) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: layout)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()

            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--batch-size", "2",
                 "--batch-pause", "0"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(try fixture.rowsByDia() == RetentionRows.keptCounts)

            let summary = try result.jsonObject()
            #expect(summary["success"] as? Bool == true)
            #expect(summary["records_deleted"] as? Int == RetentionRows.expired.count)
            #expect(summary["records_kept"] as? Int == RetentionRows.keptCounts.values.reduce(0, +))
            #expect(summary["invalid_date_rows"] as? Int == RetentionRows.invalid.count)
            #expect(summary["cutoff_date"] as? String == "2025-06-10")
            let switched = summary["partitions_switched"] as? Int ?? -1
            let deleted = summary["rows_deleted_by_delete"] as? Int ?? -1
            #expect(switched + deleted > 0)
            if layout == .plain {
                #expect(switched == 0)
                #expect(deleted == RetentionRows.expired.count)
                #expect(summary["fallback_reason"] as? String == "dbo.f_plain is not partitioned")
            } else {
                #expect(switched >= 3, "September 2024, January, March and May 2025 partitions")
                #expect(deleted == 5, "1 to 9 June by deletes")
            }
        }
    }

    @Test("summary has the required keys", arguments: TestServer.configured)
    func summaryKeys(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .plain)
            try fixture.insert(RetentionRows.all)
            let result = try fixture.purge(["--as-of", "2025-09-10", "--min-remaining", "0"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let summary = try result.jsonObject()
            for key in ["success", "dry_run", "records_deleted", "records_kept",
                "partitions_switched", "rows_deleted_by_delete", "invalid_date_rows",
                "execution_time", "cutoff_date", "start_time", "end_time"]
            {
                #expect(summary[key] != nil, "key \(key)")
            }
            #expect(summary["execution_time"] is Double || summary["execution_time"] is Int)
            let start = summary["start_time"] as? String ?? ""
            #expect(parseISO8601(start) != nil, "\(start)")
        }
    }

    @Test("dry run changes nothing", arguments: TestServer.configured, layouts)
    func dryRunChangesNothing(server: TestServer, layout: TrafficLayout) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: layout)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()
            let before = try fixture.rowsByDia()

            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--dry-run"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(try fixture.rowsByDia() == before)
            #expect(try fixture.auditRows().isEmpty)
            let summary = try result.jsonObject()
            #expect(summary["dry_run"] as? Bool == true)
            #expect(summary["records_deleted"] as? Int == RetentionRows.expired.count,
                "a dry run reports what it would delete")

            let text = try CLI.run(
                ["purge", "--table", layout.tableName, "--as-of", "2025-09-10",
                 "--min-remaining", "0", "--dry-run"], environment: fixture.environment)
            #expect(text.stdout.contains("would remove \(RetentionRows.expired.count) rows"))
            if layout == .monthly {
                #expect(text.stdout.contains("f_trafegoc01_p202409"), "the plan lists partitions")
            }
        }
    }

    @Test("max delete refuses and changes nothing", arguments: TestServer.configured, layouts)
    func maxDeleteRefuses(server: TestServer, layout: TrafficLayout) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: layout)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()
            let before = try fixture.rowsByDia()

            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--max-delete",
                 "\(RetentionRows.expired.count - 1)"])
            #expect(result.exitCode == 3)
            #expect(result.stderr.contains("--max-delete \(RetentionRows.expired.count - 1)"))
            #expect(result.stderr.contains("\(RetentionRows.expired.count) rows"))
            #expect(try fixture.rowsByDia() == before)
            #expect(try fixture.auditRows().isEmpty)
            #expect(try result.jsonObject()["success"] as? Bool == false)
        }
    }

    @Test("min remaining refuses and changes nothing", arguments: TestServer.configured, layouts)
    func minRemainingRefuses(server: TestServer, layout: TrafficLayout) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: layout)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()
            let before = try fixture.rowsByDia()
            let kept = RetentionRows.keptCounts.values.reduce(0, +)

            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "\(kept + 1)"])
            #expect(result.exitCode == 3)
            #expect(result.stderr.contains("--min-remaining \(kept + 1)"))
            #expect(result.stderr.contains("leave \(kept) rows"))
            #expect(try fixture.rowsByDia() == before)
            #expect(try fixture.auditRows().isEmpty)
        }
    }

    @Test("audit trail records every step", arguments: TestServer.configured)
    func auditTrail(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()
            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--batch-pause", "0"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let summary = try result.jsonObject()
            let executionId = summary["execution_id"] as? String ?? ""
            let switched = summary["partitions_switched"] as? Int ?? 0

            let rows = try fixture.auditRows()
            #expect(rows.map(\.operation)
                == ["START"] + Array(repeating: "SWITCH", count: switched) + ["DELETE", "COMPLETE"])
            #expect(rows.allSatisfy { $0.executionId == executionId })
            #expect(rows.first?.records == Int64(RetentionRows.expired.count))
            #expect(rows.last?.records == Int64(RetentionRows.expired.count))
            let september = rows.first { $0.metrics.contains("f_trafegoc01_p202409") }
            #expect(september?.records == 1)
            #expect(september?.metrics.contains("\"lower_bound\":\"2024-09-01\"") == true)
            #expect(september?.metrics.contains("\"upper_bound\":\"2024-10-01\"") == true)
            #expect(september?.metrics.contains("\"oldest_date\":\"2024-09-30\"") == true)
            #expect(september?.metrics.contains("\"newest_date\":\"2024-09-30\"") == true)
            #expect(september?.metrics.contains("\"partition_number\"") == true)

            let total = try fixture.count(
                "SELECT SUM(record_count) FROM dbo.data_modification_log")
            #expect(total == RetentionRows.expired.count)
        }
    }

    @Test("nothing to purge still audits", arguments: TestServer.configured, layouts)
    func nothingToPurge(server: TestServer, layout: TrafficLayout) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: layout)
            let empty = try fixture.purge(["--as-of", "2025-09-10"])
            #expect(empty.exitCode == 0, "\(empty.stderr)")
            #expect(try empty.jsonObject()["message"] as? String == "nothing to purge")
            #expect(try fixture.auditRows().map(\.operation) == ["START", "COMPLETE"])

            try fixture.insert(RetentionRows.keptDated + RetentionRows.invalid)
            let kept = try fixture.purge(["--as-of", "2025-09-10"])
            #expect(kept.exitCode == 0, "\(kept.stderr)")
            #expect(try kept.jsonObject()["records_deleted"] as? Int == 0)
            #expect(try fixture.rowsByDia() == RetentionRows.keptCounts)
        }
    }

    @Test("killed between batches loses nothing", arguments: TestServer.configured)
    func killedBetweenBatches(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .plain)
            let expired = Array(repeating: "1/5/2025", count: 1000)
            let kept = Array(repeating: "10/6/2025", count: 300) + [nil, "bad"]
            try fixture.insert(expired + kept)
            let expiredCount = "SELECT COUNT(*) FROM dbo.f_plain WHERE Dia = '1/5/2025'"

            let started = try CLI.start(
                ["purge", "--table", "dbo.f_plain", "--as-of", "2025-09-10",
                 "--min-remaining", "0", "--batch-size", "100", "--batch-pause", "2"],
                environment: fixture.environment)
            let deadline = Date().addingTimeInterval(30)
            while try fixture.count(expiredCount) == 1000, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.02)
            }
            kill(started.0.processIdentifier, SIGKILL)
            _ = CLI.finish(started)

            let left = try fixture.count(expiredCount)
            #expect(left == 900, "the first batch committed, the second never started")
            #expect(try fixture.count("SELECT COUNT(*) FROM dbo.f_plain WHERE Dia = '10/6/2025'")
                == 300)
            #expect(try fixture.count("SELECT COUNT(*) FROM dbo.f_plain WHERE Dia IS NULL") == 1)
            #expect(try fixture.auditRows().map(\.operation) == ["START"])

            let rerun = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--batch-pause", "0"])
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            #expect(try rerun.jsonObject()["records_deleted"] as? Int == 900)
            #expect(try fixture.count(expiredCount) == 0)
            #expect(try fixture.rowsByDia() == ["10/6/2025": 300, "<NULL>": 1, "bad": 1])
        }
    }

    @Test("service login falls back to deletes", arguments: TestServer.configured)
    func serviceLoginFallsBack(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()
            let service = fixture.serviceEnvironment

            let required = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--require-switch"],
                environment: service)
            #expect(required.exitCode == 3, "\(required.stderr)")
            #expect(required.stderr.contains("--require-switch"))
            #expect(try fixture.auditRows().isEmpty)

            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--batch-pause", "0"],
                environment: service)
            #expect(result.exitCode == 0, "\(result.stderr)")
            let summary = try result.jsonObject()
            #expect(summary["partitions_switched"] as? Int == 0)
            #expect(summary["rows_deleted_by_delete"] as? Int == RetentionRows.expired.count)
            let reason = summary["fallback_reason"] as? String ?? ""
            #expect(reason.contains(serviceLogin), "\(reason)")
            #expect(result.stderr.contains("batched deletes because"))
            #expect(try fixture.rowsByDia() == RetentionRows.keptCounts)
        }
    }

    @Test("thirteen months purged to three", arguments: TestServer.configured)
    func thirteenMonthsPurged(server: TestServer) throws {
        try withTestDatabase(on: server, Self.checkThirteenMonths)
    }

    /// Loads every day of September 2024 to September 2025 twice plus invalid rows, creates
    /// the partitions and purges as of 2025-09-10 with 3 months.
    static func checkThirteenMonths(_ database: TestDatabase) throws {
        let fixture = try RetentionFixture.make(database, layout: .monthly)
        let valid: [String?] = days(from: "2024-09-01", through: "2025-09-30")
        let invalid: [String?] = [nil, "not-a-date", "32/13/2025", "2025-06-09", ""]
        let rows: [String?] = valid + valid + invalid
        try fixture.insert(rows)
        try fixture.ensurePartitions()

        let result = try fixture.purge(
            ["--as-of", "2025-09-10", "--retention-months", "3", "--max-delete", "1000000",
             "--min-remaining", "0", "--batch-pause", "0"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let summary = try result.jsonObject()
        let expiredDays = days(from: "2024-09-01", through: "2025-06-09").count
        let keptDays = days(from: "2025-06-10", through: "2025-09-30").count
        #expect(summary["success"] as? Bool == true)
        #expect(summary["records_deleted"] as? Int == 2 * expiredDays)
        #expect(summary["partitions_switched"] as? Int == 9, "September 2024 to May 2025")
        #expect(summary["rows_deleted_by_delete"] as? Int == 2 * 9, "1 to 9 June, twice")
        #expect(summary["records_kept"] as? Int == 2 * keptDays + invalid.count)
        #expect(summary["invalid_date_rows"] as? Int == invalid.count)
        #expect(summary["cutoff_date"] as? String == "2025-06-10")

        var expected: [String: Int] = [:]
        for day in days(from: "2025-06-10", through: "2025-09-30") {
            expected[day] = 2
        }
        for day in invalid {
            let key = day ?? "<NULL>"
            expected[key, default: 0] += 1
        }
        #expect(try fixture.rowsByDia() == expected)
    }

    @Test("unknown table or column exits 2", arguments: TestServer.configured)
    func unknownNames(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            let table = try CLI.run(
                ["purge", "--table", "dbo.no_such_table"], environment: fixture.environment)
            #expect(table.exitCode == 2)
            #expect(table.stderr.contains("dbo.no_such_table"))
            let column = try CLI.run(
                ["purge", "--date-column", "Diaa"], environment: fixture.environment)
            #expect(column.exitCode == 2)
            #expect(column.stderr.contains("Diaa"))
        }
    }

    static let invalidOptions: [([String], String)] = [
        (["--retention-months", "0"], "--retention-months 0"),
        (["--retention-months", "x"], "--retention-months x"),
        (["--as-of", "10/09/2025"], "--as-of 10/09/2025"),
        (["--batch-size", "0"], "--batch-size 0"),
        (["--batch-pause", "-1"], "--batch-pause -1"),
        (["--batch-pause", "0x10"], "--batch-pause 0x10"),
        (["--batch-pause", "1e2"], "--batch-pause 1e2"),
        (["--max-delete", "-1"], "--max-delete -1"),
        (["--min-remaining", "many"], "--min-remaining many"),
        (["--mode", "fast"], "--mode fast"),
        (["--lock-timeout", "0"], "--lock-timeout 0"),
        (["--metrics-file", "/no/such/folder/purge.prom"], "/no/such/folder"),
        (["--table", "a.b.c"], "--table a.b.c"),
    ]

    @Test("invalid options exit 2 before connecting", arguments: invalidOptions)
    func invalidOption(arguments: [String], expected: String) throws {
        let result = try CLI.run(
            ["purge"] + arguments,
            environment: ["ETL016_DB_CONNECTION": "Driver={none};Server=192.0.2.1"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains(expected), "\(result.stderr)")
    }

    @Test("metrics file is written", arguments: TestServer.configured)
    func metricsFile(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .plain)
            try fixture.insert(RetentionRows.all)
            let folder = FileManager.default.temporaryDirectory
                .appendingPathComponent("etl016-purge-" + UUID().uuidString)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("purge.prom")

            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--metrics-file", file.path])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.contains(
                "etl016_purge_records_deleted{table=\"dbo.f_plain\"} \(RetentionRows.expired.count)"))
            #expect(text.contains("etl016_purge_success{table=\"dbo.f_plain\"} 1"))
            let lastSuccess = PurgeMetrics.lastSuccessTimestamp(inFileAt: file)
            #expect(lastSuccess != nil)

            let refused = try fixture.purge(
                ["--as-of", "2026-09-10", "--max-delete", "0", "--metrics-file", file.path])
            #expect(refused.exitCode == 3)
            let after = try String(contentsOf: file, encoding: .utf8)
            #expect(after.contains("etl016_purge_success{table=\"dbo.f_plain\"} 0"))
            #expect(PurgeMetrics.lastSuccessTimestamp(inFileAt: file) == lastSuccess)
        }
    }
}

/// Parses an ISO 8601 time with fractional seconds, as the summary writes it.
func parseISO8601(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
}

/// The layout of the traffic table in a retention test.
enum TrafficLayout: String, CaseIterable, CustomTestStringConvertible, Sendable {
    /// A plain table `dbo.f_plain` with the same key, text and derived date columns.
    case plain
    /// `dbo.f_trafegoc01` with monthly partitions from `partitions ensure`.
    case monthly

    var testDescription: String { rawValue }

    var tableName: String { self == .plain ? "dbo.f_plain" : "dbo.f_trafegoc01" }
}

/// One migrated test database with known rows, and helpers to read it back.
struct RetentionFixture {
    let database: TestDatabase
    let layout: TrafficLayout

    var server: TestServer { database.server }
    var environment: [String: String] { database.environment }

    /// Migrates a fresh database and, for `.plain`, creates `dbo.f_plain`.
    static func make(_ database: TestDatabase, layout: TrafficLayout) throws -> RetentionFixture {
        let migrate = try CLI.run(
            ["migrate", "--var", "service_login=\(serviceLogin)"], environment: database.environment)
        guard migrate.exitCode == 0 else {
            throw CLIError("migrate failed: \(migrate.stderr)")
        }
        if layout == .plain {
            let (connection, _) = try database.connect()
            defer { connection.close() }
            try connection.execute(
                sql(database.server,
                    postgres: """
                        CREATE TABLE dbo.f_plain (
                            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                            dia varchar(50),
                            campo1 varchar(100),
                            dia_date date GENERATED ALWAYS AS (dbo.etl016_dia_date(dia)) STORED
                        );
                        CREATE INDEX ix_f_plain_dia_date ON dbo.f_plain (dia_date);
                        GRANT SELECT, DELETE ON dbo.f_plain TO etl016_role;
                        """,
                    tsql: """
                        CREATE TABLE dbo.f_plain (
                            ID bigint IDENTITY (1, 1) NOT NULL PRIMARY KEY,
                            Dia varchar(50) NULL,
                            Campo1 varchar(100) NULL,
                            DiaDate AS (CASE
                                WHEN LTRIM(RTRIM(Dia)) LIKE '[0-9]/[0-9]/[0-9][0-9][0-9][0-9]'
                                    OR LTRIM(RTRIM(Dia)) LIKE '[0-9][0-9]/[0-9]/[0-9][0-9][0-9][0-9]'
                                    OR LTRIM(RTRIM(Dia)) LIKE '[0-9]/[0-9][0-9]/[0-9][0-9][0-9][0-9]'
                                    OR LTRIM(RTRIM(Dia)) LIKE '[0-9][0-9]/[0-9][0-9]/[0-9][0-9][0-9][0-9]'
                                    THEN TRY_CONVERT(date, LTRIM(RTRIM(Dia)), 103) END) PERSISTED
                        );
                        GRANT SELECT, DELETE ON dbo.f_plain TO etl016_role;
                        """))
        }
        return RetentionFixture(database: database, layout: layout)
    }

    /// Inserts one row per value, 500 rows per statement.
    func insert(_ days: [String?], table: String? = nil) throws {
        let (connection, _) = try database.connect()
        defer { connection.close() }
        var start = 0
        while start < days.count {
            let chunk = days[start..<min(start + 500, days.count)]
            let values = chunk.map { day in
                let text = day.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }
                    ?? "NULL"
                return "(\(text), 'sensor')"
            }.joined(separator: ", ")
            try connection.execute(
                "INSERT INTO \(table ?? layout.tableName) (Dia, Campo1) VALUES \(values)")
            start += 500
        }
    }

    /// Runs `partitions ensure` for `.monthly`; does nothing for `.plain`.
    func ensurePartitions(asOf: String = "2025-09-10") throws {
        guard layout == .monthly else { return }
        let result = try CLI.run(
            ["partitions", "ensure", "--as-of", asOf], environment: environment)
        guard result.exitCode == 0 else {
            throw CLIError("partitions ensure failed: \(result.stderr)")
        }
    }

    /// Creates `dbo.f_dated`, partitioned on a plain `date` column with no DEFAULT
    /// partition, runs `partitions ensure` on it, and inserts one row a day for `days` days
    /// from `firstDay`. PostgreSQL only.
    func makeDatedTable(asOf: String, monthsAhead: Int, firstDay: String, days: Int) throws {
        let (connection, _) = try database.connect()
        defer { connection.close() }
        try connection.execute(
            """
            CREATE TABLE dbo.f_dated (
                id bigint GENERATED BY DEFAULT AS IDENTITY,
                dia_date date,
                campo1 varchar(100),
                PRIMARY KEY (id, dia_date)
            ) PARTITION BY RANGE (dia_date)
            """)
        let ensure = try CLI.run(
            ["partitions", "ensure", "--table", "dbo.f_dated", "--date-column", "dia_date",
             "--as-of", asOf, "--months-ahead", String(monthsAhead)],
            environment: environment)
        guard ensure.exitCode == 0 else {
            throw CLIError("partitions ensure on dbo.f_dated failed: \(ensure.stderr)")
        }
        try connection.execute(
            """
            INSERT INTO dbo.f_dated (dia_date, campo1)
            SELECT DATE '\(firstDay)' + n, 'sensor' FROM generate_series(0, \(days - 1)) AS n
            """)
    }

    /// Runs `purge --json` on the fixture's table with the given extra arguments.
    func purge(_ arguments: [String], environment: [String: String]? = nil) throws -> CLIResult {
        try CLI.run(
            ["purge", "--json", "--table", layout.tableName] + arguments,
            environment: environment ?? self.environment)
    }

    /// Counts the rows per Dia value; NULL counts under `<NULL>`.
    func rowsByDia(table: String? = nil) throws -> [String: Int] {
        let (connection, _) = try database.connect()
        defer { connection.close() }
        var counts: [String: Int] = [:]
        for row in try connection.query(
            "SELECT Dia AS dia, COUNT(*) AS n FROM \(table ?? layout.tableName) GROUP BY Dia")
        {
            counts[row.string("dia") ?? "<NULL>"] = Int(row.int("n") ?? 0)
        }
        return counts
    }

    func count(_ query: String) throws -> Int {
        let (connection, _) = try database.connect()
        defer { connection.close() }
        return Int(try connection.scalar(query).integerValue ?? -1)
    }

    /// Audit rows of the database in order: operation type and records affected.
    func auditRows() throws -> [(operation: String, records: Int64?, executionId: String,
        metrics: String)]
    {
        let (connection, _) = try database.connect()
        defer { connection.close() }
        return try connection.query(
            """
            SELECT operation_type, records_affected, execution_id, performance_metrics
            FROM dbo.etl016_audit_trail ORDER BY audit_id
            """
        ).map {
            ($0.string("operation_type") ?? "", $0.int("records_affected"),
             $0.string("execution_id") ?? "", $0.string("performance_metrics") ?? "")
        }
    }

    /// The environment of a CLI run as the service login, which holds only etl016_role.
    var serviceEnvironment: [String: String] {
        let password = ProcessInfo.processInfo.environment["ETL016_TEST_SERVICE_PASSWORD"] ?? ""
        let parts = database.connectionString.attributes.filter {
            !["uid", "pwd", "user", "password"].contains($0.key.lowercased())
        }.map { key, value -> String in
            let needsBraces = value.contains(";") || value.contains("{")
            return "\(key)=" + (needsBraces ? "{\(value.replacingOccurrences(of: "}", with: "}}"))}" : value)
        }
        let text = (parts + ["Uid=\(serviceLogin)", "Pwd={\(password)}"]).joined(separator: ";")
        return ["ETL016_DB_CONNECTION": text]
    }
}

/// The rows of the retention tests, as of 2025-09-10 with 3 months (cutoff 2025-06-10):
/// which go and which stay.
enum RetentionRows {
    static let expired: [String?] =
        Array(repeating: "9/6/2025", count: 3) + ["09/06/2025", " 1/5/2025 ", "15/3/2025",
            "15/3/2025", "1/6/2025", "31/5/2025", "1/1/2025", "30/9/2024"]
    static let keptDated: [String?] =
        Array(repeating: "10/6/2025", count: 3) + ["31/8/2025", "1/7/2025", "10/09/2025",
            "30/6/2025"]
    static let invalid: [String?] = [nil, nil, "not-a-date", "32/13/2025", "2025-06-09", "",
        "29/2/2025"]

    static var all: [String?] { expired + keptDated + invalid }

    /// The rows that must stay, counted per Dia value as `rowsByDia` returns them.
    static var keptCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for day in keptDated + invalid {
            counts[day ?? "<NULL>", default: 0] += 1
        }
        return counts
    }
}

/// Every valid day from `first` through `last`, written `d/m/yyyy`.
func days(from first: String, through last: String) -> [String] {
    var day = LocalDate(iso: first)!
    let end = LocalDate(iso: last)!
    var result: [String] = []
    while day <= end {
        result.append("\(day.day)/\(day.month)/\(day.year)")
        day = day.addingDays(1)
    }
    return result
}
