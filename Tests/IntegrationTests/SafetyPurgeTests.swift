import ETL016Core
import Foundation
import Testing

/// Safety of `purge` against tables it did not create, concurrent loads, failures midway
/// and refusals (PostgreSQL).
@Suite("purge safety on PostgreSQL", .serialized, .enabled(if: TestServer.postgreSQL != nil))
struct SafetyPurgeTests {
    @Test("unrelated commented tables stay")
    func unrelatedTablesStay() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()
            let (connection, _) = try database.connect()
            defer { connection.close() }
            try connection.execute(
                """
                CREATE TABLE dbo.legal_hold_2024 AS SELECT * FROM dbo.f_trafegoc01_p202409;
                COMMENT ON TABLE dbo.legal_hold_2024 IS
                    'etl016-db purge must not touch this: legal hold';
                CREATE TABLE dbo.forged_2024 AS SELECT * FROM dbo.f_trafegoc01_p202409;
                """)
            // The exact marker format, but no run with this execution id ever started.
            try markLeftover(
                connection, table: "dbo.forged_2024",
                executionId: "0badc0de-0000-0000-0000-000000000002", withStartRow: false)

            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--max-delete", "200000", "--min-remaining", "0",
                 "--batch-pause", "0"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(try tableExists(connection, "legal_hold_2024"))
            #expect(try tableExists(connection, "forged_2024"))
            #expect(try fixture.count("SELECT COUNT(*) FROM dbo.legal_hold_2024") == 1)
            let leftovers = try result.jsonObject()["leftovers"] as? [Any] ?? []
            #expect(leftovers.isEmpty)
        }
    }

    @Test("leftover rows count against max delete")
    func leftoverRowsCounted() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()
            let (connection, _) = try database.connect()
            defer { connection.close() }
            try markLeftover(
                connection, table: "dbo.f_trafegoc01_p202503",
                executionId: "0badc0de-0000-0000-0000-000000000003")
            try connection.execute(
                "ALTER TABLE dbo.f_trafegoc01 DETACH PARTITION dbo.f_trafegoc01_p202503")
            let total = RetentionRows.expired.count

            let refused = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--max-delete", "\(total - 1)"])
            #expect(refused.exitCode == 3, "\(refused.stderr)")
            #expect(refused.stderr.contains("\(total) rows"), "\(refused.stderr)")
            #expect(try tableExists(connection, "f_trafegoc01_p202503"))

            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--max-delete", "\(total)",
                 "--batch-pause", "0"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let summary = try result.jsonObject()
            #expect(summary["records_deleted"] as? Int == total)
            #expect(summary["leftover_rows_deleted"] as? Int == 2)
            #expect(summary["records_kept"] as? Int == RetentionRows.keptCounts.values.reduce(0, +))
            #expect(try !tableExists(connection, "f_trafegoc01_p202503"))
            #expect(try fixture.count(
                "SELECT SUM(record_count) FROM dbo.data_modification_log") == total)
        }
    }

    @Test("leftover of archiving run is archived")
    func archivedLeftover() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()
            let (connection, _) = try database.connect()
            defer { connection.close() }
            try markLeftover(
                connection, table: "dbo.f_trafegoc01_p202503",
                executionId: "0badc0de-0000-0000-0000-000000000004", archive: true)
            try connection.execute(
                "ALTER TABLE dbo.f_trafegoc01 DETACH PARTITION dbo.f_trafegoc01_p202503")

            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--batch-pause", "0"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(try fixture.count("SELECT COUNT(*) FROM archive.f_trafegoc01_p202503") == 2)
            #expect(try fixture.auditRows().contains {
                $0.operation == "SWITCH" && $0.metrics.contains("\"archived\"")
            })
        }
    }

    @Test("rows loaded after planning stay")
    func lateLoadStays() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .plain)
            try fixture.insert(RetentionRows.all)
            let (connection, _) = try database.connect()
            defer { connection.close() }
            // A load of old-dated rows that commits between the plan and the delete phase:
            // the START audit row is written in between.
            try connection.execute(
                """
                CREATE FUNCTION dbo.late_load() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO dbo.f_plain (dia, campo1)
                    SELECT '1/1/2025', 'late' FROM generate_series(1, 50);
                    RETURN NULL;
                END $$;
                CREATE TRIGGER late_load AFTER INSERT ON dbo.etl016_audit_trail
                    FOR EACH ROW WHEN (NEW.operation_type = 'START')
                    EXECUTE FUNCTION dbo.late_load();
                """)
            let total = RetentionRows.expired.count

            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--max-delete", "\(total)",
                 "--batch-size", "2", "--batch-pause", "0"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(try result.jsonObject()["records_deleted"] as? Int == total)
            #expect(try fixture.count(
                "SELECT COUNT(*) FROM dbo.f_plain WHERE campo1 = 'late'") == 50)
        }
    }

    @Test("failure midway reports what went")
    func failureMidwayReported() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .monthly)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()
            let (connection, _) = try database.connect()
            defer { connection.close() }
            // Fails the run after the partitions and delete batches have committed.
            try connection.execute(
                """
                CREATE FUNCTION dbo.fail_delete_row() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'audit row rejected by test trigger';
                END $$;
                CREATE TRIGGER fail_delete_row BEFORE INSERT ON dbo.etl016_audit_trail
                    FOR EACH ROW WHEN (NEW.operation_type = 'DELETE')
                    EXECUTE FUNCTION dbo.fail_delete_row();
                """)
            let folder = FileManager.default.temporaryDirectory
                .appendingPathComponent("etl016-purge-" + UUID().uuidString)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("purge.prom")

            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--batch-pause", "0",
                 "--metrics-file", file.path])
            #expect(result.exitCode == 1, "\(result.stderr)")
            let summary = try result.jsonObject()
            #expect(summary["success"] as? Bool == false)
            #expect((summary["error"] as? String)?.contains("rejected by test trigger") == true)
            let deleted = summary["records_deleted"] as? Int ?? -1
            #expect(deleted == RetentionRows.expired.count)
            #expect((summary["partitions_switched"] as? Int ?? 0) >= 3)
            let metrics = try String(contentsOf: file, encoding: .utf8)
            #expect(metrics.contains(
                "etl016_purge_records_deleted{table=\"dbo.f_trafegoc01\"} \(deleted)"), "\(metrics)")
            #expect(metrics.contains("etl016_purge_success{table=\"dbo.f_trafegoc01\"} 0"))
            #expect(try fixture.count(
                "SELECT SUM(record_count) FROM dbo.data_modification_log") == deleted)
        }
    }

    @Test("option refusals print JSON")
    func optionRefusalsPrintJSON() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .plain)
            try fixture.insert(RetentionRows.all)
            for option in [["--require-switch"], ["--mode", "partition"]] {
                let result = try fixture.purge(
                    ["--as-of", "2025-09-10", "--min-remaining", "0"] + option)
                #expect(result.exitCode == 3, "\(option): \(result.stderr)")
                let summary = try result.jsonObject()
                #expect(summary["success"] as? Bool == false, "\(option)")
                #expect(summary["refused"] is String, "\(option)")
            }
        }
    }

    @Test("dry run reports refusal")
    func dryRunWouldRefuse() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .plain)
            try fixture.insert(RetentionRows.all)
            let before = try fixture.rowsByDia()
            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--max-delete", "0",
                 "--dry-run"])
            #expect(result.exitCode == 3, "\(result.stderr)")
            let summary = try result.jsonObject()
            #expect((summary["would_refuse"] as? String)?.contains("--max-delete 0") == true)
            #expect(summary["success"] as? Bool == false)
            #expect(try fixture.rowsByDia() == before)
        }
    }

    @Test("metrics label is canonical")
    func metricsLabelCanonical() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .plain)
            try fixture.insert(RetentionRows.all)
            let folder = FileManager.default.temporaryDirectory
                .appendingPathComponent("etl016-purge-" + UUID().uuidString)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("purge.prom")

            let refused = try CLI.run(
                ["purge", "--table", "DBO.F_Plain", "--mode", "partition", "--as-of",
                 "2025-09-10", "--metrics-file", file.path], environment: fixture.environment)
            #expect(refused.exitCode == 3, "\(refused.stderr)")
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.contains("etl016_purge_success{table=\"dbo.f_plain\"} 0"), "\(text)")

            let missing = try CLI.run(
                ["purge", "--table", "DBO.No_Such", "--as-of", "2025-09-10", "--metrics-file",
                 file.path], environment: fixture.environment)
            #expect(missing.exitCode != 0)
            let after = try String(contentsOf: file, encoding: .utf8)
            #expect(after.contains("table=\"dbo.no_such\""), "\(after)")
        }
    }

    @Test("metrics write failure keeps summary")
    func metricsWriteFailure() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .plain)
            try fixture.insert(RetentionRows.all)
            let folder = FileManager.default.temporaryDirectory
                .appendingPathComponent("etl016-purge-" + UUID().uuidString)
            // A folder where the metrics file should go makes the write fail.
            let file = folder.appendingPathComponent("purge.prom")
            try FileManager.default.createDirectory(at: file, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }

            let result = try fixture.purge(
                ["--as-of", "2025-09-10", "--min-remaining", "0", "--batch-pause", "0",
                 "--metrics-file", file.path])
            #expect(result.exitCode == 1, "\(result.stderr)")
            #expect(result.stderr.contains("metrics file was not updated"), "\(result.stderr)")
            let summary = try result.jsonObject()
            #expect(summary["success"] as? Bool == true)
            #expect(summary["records_deleted"] as? Int == RetentionRows.expired.count)
            #expect(summary["metrics_file_error"] is String)
        }
    }

    @Test("detach timeout leaves pending partition")
    func detachTimeoutPending() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .plain)
            try fixture.makeDatedTable(
                asOf: "2025-05-10", monthsAhead: 5, firstDay: "2025-05-01", days: 100)
            let (connection, _) = try database.connect()
            defer { connection.close() }
            let purge = ["purge", "--json", "--table", "dbo.f_dated", "--date-column", "dia_date",
                "--as-of", "2025-09-10", "--min-remaining", "0", "--batch-pause", "0"]

            // An open reader of the parent makes the second phase of DETACH CONCURRENTLY wait.
            let (holder, _) = try database.connect()
            defer { holder.close() }
            try holder.beginTransaction()
            _ = try holder.query("SELECT COUNT(*) AS n FROM dbo.f_dated")
            let first = try CLI.run(purge + ["--lock-timeout", "1"], environment: fixture.environment)
            try holder.rollback()
            #expect(first.exitCode == 1, "\(first.stderr)")
            #expect(first.stderr.contains("is now detach pending"), "\(first.stderr)")
            #expect(try first.jsonObject()["success"] as? Bool == false)

            let listing = try CLI.run(
                ["partitions", "--json", "--table", "dbo.f_dated", "--date-column", "dia_date",
                 "--as-of", "2025-09-10"], environment: fixture.environment)
            let entries = try listing.jsonObject()["partitions"] as? [[String: Any]] ?? []
            let pending = entries.first { $0["partition"] as? String == "dbo.f_dated_p202505" }
            #expect(pending?["detach_pending"] as? Bool == true)
            #expect(pending?["catch_all"] as? Bool == false)
            #expect(pending?["lower_bound"] as? String == "2025-05-01")

            let second = try CLI.run(purge, environment: fixture.environment)
            #expect(second.exitCode == 0, "\(second.stderr)")
            let summary = try second.jsonObject()
            #expect(summary["records_deleted"] as? Int == 40, "May 31 days and 9 June days")
            #expect(try !tableExists(connection, "f_dated_p202505"))
            let firstId = try first.jsonObject()["execution_id"] as? String ?? "?"
            let switchRow = try fixture.auditRows().first {
                $0.operation == "SWITCH" && $0.metrics.contains("leftover_of_execution")
            }
            #expect(switchRow?.metrics.contains("\"2025-05-01\"") == true, "\(switchRow?.metrics ?? "")")
            #expect(switchRow?.metrics.contains(firstId) == true, "\(switchRow?.metrics ?? "")")
        }
    }

    @Test("concurrent purge fails fast")
    func concurrentPurgeFailsFast() throws {
        guard let server = TestServer.postgreSQL else { return }
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .plain)
            try fixture.insert(RetentionRows.all)
            let before = try fixture.rowsByDia()
            let (holder, _) = try database.connect()
            defer { holder.close() }
            try holder.execute(
                "SELECT pg_advisory_lock(hashtextextended('etl016-db.purge:dbo.f_plain', 0))")

            let result = try fixture.purge(["--as-of", "2025-09-10", "--min-remaining", "0"])
            #expect(result.exitCode == 1, "\(result.stderr)")
            #expect(result.stderr.contains("another etl016-db purge of dbo.f_plain"),
                "\(result.stderr)")
            #expect(try fixture.rowsByDia() == before)
            #expect(try fixture.auditRows().isEmpty)
        }
    }
}
