import ETL016Core
import Foundation
import Testing

@Suite("partitions on a real database", .serialized, .enabled(if: TestServer.isConfigured))
struct PartitionsTests {
    @Test("ensure moves rows out of DEFAULT", arguments: TestServer.configured)
    func ensureMovesRows(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            try fixture.insert(RetentionRows.all)
            let before = try fixture.rowsByDia()

            let check = try CLI.run(
                ["partitions", "check", "--as-of", "2025-09-10", "--json"],
                environment: fixture.environment)
            #expect(check.exitCode == 3, "no runway and dated rows in the catch-all")
            #expect(try check.jsonObject()["ok"] as? Bool == false)

            let ensure = try CLI.run(
                ["partitions", "ensure", "--as-of", "2025-09-10", "--months-ahead", "3", "--json"],
                environment: fixture.environment)
            #expect(ensure.exitCode == 0, "\(ensure.stderr)")
            let created = try ensure.jsonObject()["created"] as? [[String: Any]] ?? []
            #expect(created.first?["month"] as? String == "2024-09-01")
            #expect(created.last?["month"] as? String == "2025-12-01")
            let moved = created.reduce(0) { $0 + ($1["moved_rows"] as? Int ?? 0) }
            #expect(moved == RetentionRows.expired.count + RetentionRows.keptDated.count)
            #expect(try fixture.rowsByDia() == before, "moving loses no row")

            let listing = try CLI.run(
                ["partitions", "--as-of", "2025-09-10", "--json"], environment: fixture.environment)
            #expect(listing.exitCode == 0, "\(listing.stderr)")
            let object = try listing.jsonObject()
            #expect(object["runway_months"] as? Int == 3)
            #expect(object["catch_all_dated_rows"] as? Int == 0)
            let partitions = object["partitions"] as? [[String: Any]] ?? []
            let catchAll = partitions.filter { $0["catch_all"] as? Bool == true }
            #expect(catchAll.reduce(0) { $0 + ($1["rows"] as? Int ?? 0) }
                == RetentionRows.invalid.count)

            let recheck = try CLI.run(
                ["partitions", "check", "--as-of", "2025-09-10", "--months-ahead", "3"],
                environment: fixture.environment)
            #expect(recheck.exitCode == 0, "\(recheck.stderr)")
            let longer = try CLI.run(
                ["partitions", "check", "--as-of", "2025-09-10", "--months-ahead", "4"],
                environment: fixture.environment)
            #expect(longer.exitCode == 3)
            #expect(longer.stderr.contains("runway is 3 months"))

            let again = try CLI.run(
                ["partitions", "ensure", "--as-of", "2025-09-10", "--json"],
                environment: fixture.environment)
            #expect(again.exitCode == 0, "\(again.stderr)")
            #expect((try again.jsonObject()["created"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("ensure from a date before any row", arguments: TestServer.configured)
    func ensureFromDate(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            let ensure = try CLI.run(
                ["partitions", "ensure", "--from", "2025-01-15", "--as-of", "2025-03-10",
                 "--months-ahead", "1", "--json"],
                environment: fixture.environment)
            #expect(ensure.exitCode == 0, "\(ensure.stderr)")
            let created = try ensure.jsonObject()["created"] as? [[String: Any]] ?? []
            #expect(created.map { $0["month"] as? String } == [
                "2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01",
            ])

            let misplaced = try CLI.run(
                ["partitions", "check", "--from", "2025-01-01"], environment: fixture.environment)
            #expect(misplaced.exitCode == 2)
        }
    }

    @Test("PostgreSQL DEFAULT keeps only undated rows")
    func defaultKeepsUndatedRows() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()
            #expect(try fixture.count(
                "SELECT COUNT(*) FROM dbo.f_trafegoc01_default WHERE dia_date IS NOT NULL") == 0)
            #expect(try fixture.count("SELECT COUNT(*) FROM dbo.f_trafegoc01_default")
                == RetentionRows.invalid.count)
            #expect(try fixture.count("SELECT COUNT(*) FROM dbo.f_trafegoc01_p202506") == 9)
        }
    }

    @Test("partition mode keeps the straddling month", arguments: TestServer.configured)
    func partitionMode(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()
            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--mode", "partition"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let summary = try result.jsonObject()
            #expect(summary["rows_deleted_by_delete"] as? Int == 0)
            #expect(summary["records_deleted"] as? Int == RetentionRows.expired.count - 5)
            #expect(summary["expired_rows_kept"] as? Int == 5)
            #expect(summary["days_kept_past_cutoff"] as? Int == 9, "1 June stays, 9 days early")
            let rows = try fixture.rowsByDia()
            #expect(rows["9/6/2025"] == 3)
            #expect(rows["1/6/2025"] == 1)
            #expect(rows["31/5/2025"] == nil)

            let plain = try RetentionFixture.make(database, layout: .plain)
            let refused = try plain.purge(["--as-of", "2025-09-10", "--mode", "partition"])
            #expect(refused.exitCode == 3)
            #expect(refused.stderr.contains("not partitioned"))
        }
    }

    @Test("archive keeps removed partitions")
    func archiveKeepsPartitions() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()
            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--archive"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(try fixture.count("SELECT COUNT(*) FROM archive.f_trafegoc01_p202409") == 1)
            #expect(try fixture.count("SELECT COUNT(*) FROM archive.f_trafegoc01_p202503") == 2)
            #expect(try fixture.rowsByDia() == RetentionRows.keptCounts)
        }
    }

    @Test("leftover detached partition is finished")
    func leftoverIsFinished() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()
            let (connection, _) = try database.connect()
            defer { connection.close() }
            // The state a run killed between DETACH CONCURRENTLY and DROP leaves behind:
            // its START row and the marker comment naming the parent's OID.
            try markLeftover(
                connection, table: "dbo.f_trafegoc01_p202503",
                executionId: "0badc0de-0000-0000-0000-000000000000")
            try connection.execute(
                "ALTER TABLE dbo.f_trafegoc01 DETACH PARTITION dbo.f_trafegoc01_p202503")
            // A leftover holding a row of a kept date must be reported, not dropped.
            try markLeftover(
                connection, table: "dbo.f_trafegoc01_p202507",
                executionId: "0badc0de-0000-0000-0000-000000000001")
            try connection.execute(
                "ALTER TABLE dbo.f_trafegoc01 DETACH PARTITION dbo.f_trafegoc01_p202507")

            let dryRun = try fixture.purge(["--as-of", "2025-09-10", "--min-remaining", "0", "--dry-run"])
            let planned = try dryRun.jsonObject()["leftovers"] as? [[String: Any]] ?? []
            #expect(planned.count == 2)

            let result = try fixture.purge(["--as-of", "2025-09-10", "--min-remaining", "0"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let leftovers = try result.jsonObject()["leftovers"] as? [[String: Any]] ?? []
            #expect(leftovers.contains { $0["table"] as? String == "dbo.f_trafegoc01_p202503" })
            #expect(leftovers.contains {
                ($0["problem"] as? String)?.contains("f_trafegoc01_p202507") == true
            })
            #expect(try !tableExists(connection, "f_trafegoc01_p202503"))
            #expect(try tableExists(connection, "f_trafegoc01_p202507"))
            #expect(try fixture.count("SELECT COUNT(*) FROM dbo.f_trafegoc01_p202507") == 1)
            let audit = try fixture.auditRows()
            #expect(audit.contains {
                $0.operation == "SWITCH" && $0.metrics.contains("leftover_of_execution")
            })
        }
    }

    @Test("lock timeout changes nothing", arguments: TestServer.configured)
    func lockTimeout(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()
            let before = try fixture.rowsByDia()
            let (holder, _) = try database.connect()
            defer { holder.close() }
            try holder.beginTransaction()
            // A reader in an open transaction holds a shared lock that DETACH or SWITCH
            // must wait for.
            _ = try holder.query("SELECT COUNT(*) AS n FROM dbo.f_trafegoc01")

            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--lock-timeout", "1"])
            try holder.rollback()
            #expect(result.exitCode == 1)
            #expect(result.stderr.contains("could not lock"), "\(result.stderr)")
            #expect(try fixture.rowsByDia() == before)
            #expect(try fixture.auditRows().map(\.operation) == ["START", "ERROR"])
            #expect(try fixture.count("SELECT COUNT(*) FROM dbo.error_logs") == 1)

            let listing = try CLI.run(
                ["partitions", "--as-of", "2025-09-10", "--json"], environment: fixture.environment)
            let partitions = try listing.jsonObject()["partitions"] as? [Any] ?? []
            #expect(partitions.count == 17, "16 months and DEFAULT, all still attached")
        }
    }

    @Test("no DEFAULT partition detaches concurrently")
    func detachConcurrently() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .plain)
            try fixture.makeDatedTable(
                asOf: "2025-03-10", monthsAhead: 7, firstDay: "2025-03-01", days: 200)
            let (connection, _) = try database.connect()
            defer { connection.close() }

            let result = try CLI.run(
                ["purge", "--json", "--table", "dbo.f_dated", "--date-column", "dia_date",
                 "--as-of", "2025-09-10", "--min-remaining", "0", "--batch-pause", "0"],
                environment: fixture.environment)
            #expect(result.exitCode == 0, "\(result.stderr)")
            let summary = try result.jsonObject()
            #expect(summary["partitions_switched"] as? Int == 3, "March, April, May")
            #expect(summary["rows_deleted_by_delete"] as? Int == 9)
            #expect(try fixture.count(
                "SELECT COUNT(*) FROM dbo.f_dated WHERE dia_date < DATE '2025-06-10'") == 0)
            #expect(try fixture.count("SELECT COUNT(*) FROM dbo.f_dated") == 200 - 92 - 9)
            #expect(try !tableExists(connection, "f_dated_p202503"))
        }
    }

    @Test("partitions of a plain table")
    func plainTable() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .plain)
            let listing = try CLI.run(
                ["partitions", "--table", "dbo.f_plain"], environment: fixture.environment)
            #expect(listing.exitCode == 0, "\(listing.stderr)")
            #expect(listing.stdout.contains("dbo.f_plain is not partitioned"))
            let check = try CLI.run(
                ["partitions", "check", "--table", "dbo.f_plain"], environment: fixture.environment)
            #expect(check.exitCode == 3)
            let ensure = try CLI.run(
                ["partitions", "ensure", "--table", "dbo.f_plain"], environment: fixture.environment)
            #expect(ensure.exitCode == 2)
            let action = try CLI.run(["partitions", "grow"], environment: fixture.environment)
            #expect(action.exitCode == 2)
            #expect(action.stderr.contains("unknown action grow"))
        }
    }
}

extension PartitionsTests {
    @Test("ensure rejects a far older row")
    func ensureRejectsOldRow() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            try fixture.insert(["1/1/2022", "1/9/2025"])
            let refused = try CLI.run(
                ["partitions", "ensure", "--as-of", "2025-09-10"], environment: fixture.environment)
            #expect(refused.exitCode == 1, "\(refused.stderr)")
            #expect(refused.stderr.contains("2022-01-01"), "\(refused.stderr)")
            #expect(refused.stderr.contains("--from 2022-01-01"), "\(refused.stderr)")
            #expect(try fixture.count(
                "SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'dbo.f_trafegoc01'::regclass")
                == 1, "only DEFAULT")

            let allowed = try CLI.run(
                ["partitions", "ensure", "--as-of", "2025-09-10", "--from", "2022-01-01"],
                environment: fixture.environment)
            #expect(allowed.exitCode == 0, "\(allowed.stderr)")
        }
    }

    @Test("check does not advise ensure for far future rows")
    func checkFutureRow() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            try fixture.insert(["1/9/2025"])
            try fixture.ensurePartitions()
            try fixture.insert(["1/1/2099"])
            let check = try CLI.run(
                ["partitions", "check", "--as-of", "2025-09-10", "--months-ahead", "3"],
                environment: fixture.environment)
            #expect(check.exitCode == 3)
            #expect(check.stdout.contains("mistyped") || check.stderr.contains("mistyped"),
                "\(check.stdout)\(check.stderr)")
        }
    }
}

/// Writes the START row and the marker comment an interrupted purge of
/// `dbo.f_trafegoc01` leaves on a partition it detached (PostgreSQL only).
func markLeftover(
    _ connection: Connection, table: String, executionId: String, archive: Bool = false,
    withStartRow: Bool = true
) throws {
    if withStartRow {
        try connection.execute(
            """
            INSERT INTO dbo.etl016_audit_trail (operation_type, table_name, records_affected,
                execution_id)
            VALUES ('START', 'dbo.f_trafegoc01', 0, ?)
            """, [.string(executionId)])
    }
    let oid = try connection.scalar(
        "SELECT 'dbo.f_trafegoc01'::regclass::oid::bigint AS parent_oid").integerValue ?? 0
    try connection.execute(
        "COMMENT ON TABLE \(table) IS 'etl016-db purge execution \(executionId) parent \(oid) "
            + "archive \(archive): detached for removal'")
}
