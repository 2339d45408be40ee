import ETL016Core
import Foundation
import Testing

/// Picks the script text for the server's dialect.
func sql(_ server: TestServer, postgres: String, tsql: String) -> String {
    server.kind == .postgreSQL ? postgres : tsql
}

func tableExists(_ connection: Connection, _ name: String) throws -> Bool {
    let count = try connection.scalar(
        """
        SELECT COUNT(*) AS n FROM INFORMATION_SCHEMA.TABLES
        WHERE TABLE_SCHEMA = 'dbo' AND TABLE_NAME = ?
        """, [.string(name)])
    return count.integerValue == 1
}

func historyStates(_ database: TestDatabase, folder: MigrationFolder) throws -> [String: String] {
    let result = try CLI.run(
        ["status", "--json", "--migrations", folder.url.path], environment: database.environment)
    let object = try result.jsonObject()
    let migrations = object["migrations"] as? [[String: Any]] ?? []
    var states: [String: String] = [:]
    for migration in migrations {
        states[migration["version"] as? String ?? ""] = migration["state"] as? String
    }
    return states
}

/// Five small migrations; the third fails after creating a table.
func fiveMigrations(_ server: TestServer, thirdFails: Bool) -> [String: String] {
    let failing = sql(
        server, postgres: "CREATE TABLE dbo.t3 (id int);\nSELECT * FROM dbo.no_such_table;",
        tsql: "CREATE TABLE dbo.t3 (id int);\nGO\nSELECT * FROM dbo.no_such_table;\n")
    return [
        "20250101_0001_first.sql": "CREATE TABLE dbo.t1 (id int);\n",
        "20250101_0002_second.sql": "CREATE TABLE dbo.t2 (id int);\n",
        "20250101_0003_third.sql": thirdFails ? failing : "CREATE TABLE dbo.t3 (id int);\n",
        "20250101_0004_fourth.sql": "CREATE TABLE dbo.t4 (id int);\n",
        "20250101_0005_fifth.sql": "CREATE TABLE dbo.t5 (id int);\n",
    ]
}

@Suite("migrate on a real database", .serialized, .enabled(if: TestServer.isConfigured))
struct MigrateTests {
    @Test("applies the project migrations then nothing", arguments: TestServer.configured)
    func appliesProjectMigrations(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let arguments = ["migrate", "--json", "--var", "service_login=\(serviceLogin)"]
            let first = try CLI.run(arguments, environment: database.environment)
            #expect(first.exitCode == 0, "\(first.stderr)")
            let applied = try first.jsonObject()["applied"] as? [[String: Any]] ?? []
            #expect(applied.count >= 6)

            let second = try CLI.run(arguments, environment: database.environment)
            #expect(second.exitCode == 0, "\(second.stderr)")
            let reapplied = try second.jsonObject()["applied"] as? [[String: Any]] ?? []
            #expect(reapplied.isEmpty)

            let status = try CLI.run(["status", "--check"], environment: database.environment)
            #expect(status.exitCode == 0, "\(status.stdout)\(status.stderr)")

            let (connection, _) = try database.connect()
            for table in ["f_trafegoc01", "error_logs", "audit_log", "data_modification_log",
                "etl016_audit_trail", "schema_version"]
            {
                #expect(try tableExists(connection, table), "table \(table)")
            }
        }
    }

    @Test("failing third migration keeps the first two", arguments: TestServer.configured)
    func failingThirdMigration(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let folder = try MigrationFolder(files: fiveMigrations(server, thirdFails: true))
            defer { folder.remove() }
            let result = try CLI.run(
                ["migrate", "--migrations", folder.url.path, "--no-permissions"],
                environment: database.environment)
            #expect(result.exitCode == 1)
            #expect(result.stderr.contains("20250101_0003_third.sql"))
            #expect(result.stderr.contains("batch 2 of 2") || result.stderr.contains("line 2"))

            let (connection, _) = try database.connect()
            #expect(try tableExists(connection, "t1"))
            #expect(try tableExists(connection, "t2"))
            #expect(try !tableExists(connection, "t3"), "the failed migration's first statement")
            #expect(try !tableExists(connection, "t4"))

            let states = try historyStates(database, folder: folder)
            #expect(states["20250101_0001"] == "applied")
            #expect(states["20250101_0002"] == "applied")
            #expect(states["20250101_0003"] == "failed")
            #expect(states["20250101_0004"] == "pending")

            try folder.write("20250101_0003_third.sql", "CREATE TABLE dbo.t3 (id int);\n")
            let rerun = try CLI.run(
                ["migrate", "--migrations", folder.url.path, "--no-permissions"],
                environment: database.environment)
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            #expect(try tableExists(connection, "t5"))
        }
    }

    @Test("two concurrent runs apply each migration once", arguments: TestServer.configured)
    func concurrentRuns(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let pause = sql(server, postgres: "SELECT pg_sleep(0.4);", tsql: "WAITFOR DELAY '00:00:00.400';")
            var files = ["20250101_0001_counter.sql": "CREATE TABLE dbo.runs (version varchar(20));\n"]
            for number in 2...4 {
                files["20250101_000\(number)_step.sql"] =
                    "INSERT INTO dbo.runs (version) VALUES ('\(number)');\n\(pause)\n"
            }
            let folder = try MigrationFolder(files: files)
            defer { folder.remove() }
            let arguments = ["migrate", "--migrations", folder.url.path, "--no-permissions"]
            let first = try CLI.start(arguments, environment: database.environment)
            let second = try CLI.start(arguments, environment: database.environment)
            let results = [CLI.finish(first), CLI.finish(second)]
            for result in results {
                #expect(result.exitCode == 0, "\(result.stderr)")
            }
            let (connection, _) = try database.connect()
            let rows = try connection.query(
                "SELECT version, COUNT(*) AS n FROM dbo.runs GROUP BY version ORDER BY version")
            #expect(rows.count == 3)
            for row in rows {
                #expect(row.int("n") == 1, "version \(row.string("version") ?? "")")
            }
        }
    }

    @Test("edited applied file stops the run", arguments: TestServer.configured)
    func editedAppliedFile(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let folder = try MigrationFolder(files: [
                "20250101_0001_first.sql": "CREATE TABLE dbo.t1 (id int);\n"
            ])
            defer { folder.remove() }
            let arguments = ["migrate", "--migrations", folder.url.path, "--no-permissions"]
            #expect(try CLI.run(arguments, environment: database.environment).exitCode == 0)

            try folder.write("20250101_0001_first.sql", "CREATE TABLE dbo.t1 (id bigint);\n")
            try folder.write("20250101_0002_second.sql", "CREATE TABLE dbo.t2 (id int);\n")
            let result = try CLI.run(arguments, environment: database.environment)
            #expect(result.exitCode == 1)
            #expect(result.stderr.contains("20250101_0001_first.sql changed"))
            let (connection, _) = try database.connect()
            #expect(try !tableExists(connection, "t2"))

            let states = try historyStates(database, folder: folder)
            #expect(states["20250101_0001"] == "changed")
            let check = try CLI.run(
                ["status", "--check", "--migrations", folder.url.path],
                environment: database.environment)
            #expect(check.exitCode == 3)
        }
    }

    @Test("line endings and BOM do not change the checksum", arguments: TestServer.configured)
    func lineEndingsKeepChecksum(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let folder = try MigrationFolder(files: [
                "20250101_0001_first.sql": "CREATE TABLE dbo.t1 (id int);\nCREATE TABLE dbo.t2 (id int);\n"
            ])
            defer { folder.remove() }
            let arguments = ["migrate", "--migrations", folder.url.path, "--no-permissions"]
            #expect(try CLI.run(arguments, environment: database.environment).exitCode == 0)
            try folder.write(
                "20250101_0001_first.sql",
                "\u{FEFF}CREATE TABLE dbo.t1 (id int);\r\nCREATE TABLE dbo.t2 (id int);\r\n")
            let states = try historyStates(database, folder: folder)
            #expect(states["20250101_0001"] == "applied")
        }
    }

    @Test("adopts the legacy three-column history", arguments: TestServer.configured)
    func adoptsLegacyHistory(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let (connection, _) = try database.connect()
            if server.kind == .postgreSQL { try connection.execute("CREATE SCHEMA dbo") }
            try connection.execute(
                sql(server,
                    postgres: "CREATE TABLE dbo.schema_version (version varchar(50) PRIMARY KEY, applied_date timestamp NOT NULL, description varchar(200))",
                    tsql: "CREATE TABLE dbo.schema_version (version varchar(50) PRIMARY KEY, applied_date datetime NOT NULL, description varchar(200))"))
            try connection.execute(
                sql(server,
                    postgres: "INSERT INTO dbo.schema_version VALUES ('1.0', '2024-01-15T10:00:00', 'hand-written schema'), ('20250101_0001', '2024-02-01T09:00:00', 'first')",
                    tsql: "INSERT INTO dbo.schema_version VALUES ('1.0', '2024-01-15T10:00:00', 'hand-written schema'), ('20250101_0001', '2024-02-01T09:00:00', 'first')"))
            try connection.execute("CREATE TABLE dbo.t1 (id int)")
            let folder = try MigrationFolder(files: [
                "20250101_0001_first.sql": "CREATE TABLE dbo.t1 (id int);\n",
                "20250101_0002_second.sql": "CREATE TABLE dbo.t2 (id int);\n",
            ])
            defer { folder.remove() }

            let before = try historyStates(database, folder: folder)
            #expect(before["1.0"] == "applied")
            #expect(before["20250101_0001"] == "applied")
            #expect(before["20250101_0002"] == "pending")

            let result = try CLI.run(
                ["migrate", "--json", "--migrations", folder.url.path, "--no-permissions"],
                environment: database.environment)
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(try result.jsonObject()["adopted_legacy_history"] as? Bool == true)
            #expect(try tableExists(connection, "t2"))
            let rows = try connection.query(
                "SELECT version, applied_date, success FROM dbo.schema_version ORDER BY version")
            #expect(rows.map { $0.string("version") } == ["1.0", "20250101_0001", "20250101_0002"])
            #expect(rows.allSatisfy { $0.bool("success") == true })
            #expect(rows.allSatisfy { !$0["applied_date"].isNull })
            let after = try historyStates(database, folder: folder)
            #expect(after.values.allSatisfy { $0 == "applied" })
        }
    }

    @Test("target, dry run, baseline and repair", arguments: TestServer.configured)
    func targetDryRunBaselineRepair(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let folder = try MigrationFolder(files: fiveMigrations(server, thirdFails: false))
            defer { folder.remove() }
            let base = ["--migrations", folder.url.path, "--no-permissions"]
            let (connection, _) = try database.connect()

            let dryRun = try CLI.run(["migrate", "--dry-run", "--json"] + base, environment: database.environment)
            #expect(dryRun.exitCode == 0, "\(dryRun.stderr)")
            #expect((try dryRun.jsonObject()["applied"] as? [Any])?.count == 5)
            #expect(try !tableExists(connection, "t1"))
            #expect(try !tableExists(connection, "schema_version"))

            let targeted = try CLI.run(["migrate", "--target", "20250101_0002"] + base, environment: database.environment)
            #expect(targeted.exitCode == 0, "\(targeted.stderr)")
            #expect(try tableExists(connection, "t2"))
            #expect(try !tableExists(connection, "t3"))

            try folder.write("20250101_0002_second.sql", "CREATE TABLE dbo.t2 (id int, name varchar(10));\n")
            #expect(try historyStates(database, folder: folder)["20250101_0002"] == "changed")
            let repairArguments = ["repair", "--migrations", folder.url.path]
            let noConfirmation = try CLI.run(repairArguments, environment: database.environment)
            #expect(noConfirmation.exitCode == 2)
            let repaired = try CLI.run(repairArguments + ["--yes"], environment: database.environment)
            #expect(repaired.exitCode == 0, "\(repaired.stderr)")
            #expect(try historyStates(database, folder: folder)["20250101_0002"] == "applied")

            let rest = try CLI.run(["migrate"] + base, environment: database.environment)
            #expect(rest.exitCode == 0, "\(rest.stderr)")
            #expect(try tableExists(connection, "t5"))
        }
    }

    @Test("baseline records without running", arguments: TestServer.configured)
    func baselineRecords(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let folder = try MigrationFolder(files: fiveMigrations(server, thirdFails: false))
            defer { folder.remove() }
            let base = ["--migrations", folder.url.path]
            let result = try CLI.run(["baseline", "--version", "20250101_0003"] + base, environment: database.environment)
            #expect(result.exitCode == 0, "\(result.stderr)")
            let (connection, _) = try database.connect()
            #expect(try !tableExists(connection, "t1"))
            let states = try historyStates(database, folder: folder)
            #expect(states["20250101_0003"] == "applied")
            #expect(states["20250101_0004"] == "pending")
            let again = try CLI.run(["baseline", "--version", "20250101_0004"] + base, environment: database.environment)
            #expect(again.exitCode == 1)
        }
    }

    @Test("out-of-order pending needs the flag", arguments: TestServer.configured)
    func outOfOrder(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let folder = try MigrationFolder(files: ["20250101_0002_second.sql": "CREATE TABLE dbo.t2 (id int);\n"])
            defer { folder.remove() }
            let base = ["migrate", "--migrations", folder.url.path, "--no-permissions"]
            #expect(try CLI.run(base, environment: database.environment).exitCode == 0)
            try folder.write("20250101_0001_first.sql", "CREATE TABLE dbo.t1 (id int);\n")
            let refused = try CLI.run(base, environment: database.environment)
            #expect(refused.exitCode == 1)
            #expect(refused.stderr.contains("--allow-out-of-order"))
            let allowed = try CLI.run(base + ["--allow-out-of-order"], environment: database.environment)
            #expect(allowed.exitCode == 0, "\(allowed.stderr)")
        }
    }

    @Test("unresolved variable changes nothing", arguments: TestServer.configured)
    func unresolvedVariable(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let folder = try MigrationFolder(files: [
                "20250101_0001_first.sql": "CREATE TABLE dbo.t1 (id int);\n",
                "20250101_0002_second.sql": "CREATE TABLE dbo.$(table_name) (id int);\n",
            ])
            defer { folder.remove() }
            let base = ["migrate", "--migrations", folder.url.path, "--no-permissions"]
            let refused = try CLI.run(base, environment: database.environment)
            #expect(refused.exitCode == 2)
            #expect(refused.stderr.contains("$(table_name)"))
            let (connection, _) = try database.connect()
            #expect(try !tableExists(connection, "t1"))
            let applied = try CLI.run(base + ["--var", "table_name=t2"], environment: database.environment)
            #expect(applied.exitCode == 0, "\(applied.stderr)")
            #expect(try tableExists(connection, "t2"))
        }
    }

    @Test("no-transaction script resumes after its last batch", arguments: TestServer.configured)
    func noTransactionResumes(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let separator = server.kind == .postgreSQL ? "" : "GO\n"
            let script = { (third: String) in
                "-- etl016:no-transaction\nCREATE TABLE dbo.a (id int);\n\(separator)"
                    + "CREATE TABLE dbo.b (id int);\n\(separator)\(third)\n"
            }
            let folder = try MigrationFolder(files: [
                "20250101_0001_steps.sql": script("SELECT * FROM dbo.no_such_table;")
            ])
            defer { folder.remove() }
            let base = ["migrate", "--migrations", folder.url.path, "--no-permissions"]
            let failed = try CLI.run(base, environment: database.environment)
            #expect(failed.exitCode == 1)
            #expect(failed.stderr.contains("batch 3 of 3"))
            #expect(failed.stderr.contains("resumes at batch 3"))
            #expect(try historyStates(database, folder: folder)["20250101_0001"] == "failed")

            let status = try CLI.run(["status", "--json", "--migrations", folder.url.path], environment: database.environment)
            let migrations = try status.jsonObject()["migrations"] as? [[String: Any]] ?? []
            #expect(migrations.first?["batches_completed"] as? Int == 2)

            let repairedText = script("CREATE TABLE dbo.c (id int);")
            try folder.write("20250101_0001_steps.sql", repairedText)
            let changed = try CLI.run(base, environment: database.environment)
            #expect(changed.exitCode == 1, "a changed script must not resume silently")

            let repair = try CLI.run(["repair", "--yes", "--migrations", folder.url.path], environment: database.environment)
            #expect(repair.exitCode == 0, "\(repair.stderr)")
            let (connection, _) = try database.connect()
            try connection.execute("DROP TABLE dbo.a")
            try connection.execute("DROP TABLE dbo.b")
            let rerun = try CLI.run(base, environment: database.environment)
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            #expect(try tableExists(connection, "c"))
        }
    }

    @Test("transaction-hostile statement needs the header", arguments: TestServer.configured)
    func nonTransactionalStatementDetected(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let statement = sql(server,
                postgres: "CREATE TABLE dbo.t1 (id int);\nCREATE INDEX CONCURRENTLY ix_t1 ON dbo.t1 (id);\n",
                tsql: "CREATE TABLE dbo.t1 (id int);\nGO\nALTER DATABASE CURRENT SET RECOVERY SIMPLE;\n")
            let folder = try MigrationFolder(files: ["20250101_0001_first.sql": statement])
            defer { folder.remove() }
            let result = try CLI.run(["migrate", "--migrations", folder.url.path, "--no-permissions"], environment: database.environment)
            #expect(result.exitCode == 2)
            #expect(result.stderr.contains("etl016:no-transaction"))
            let (connection, _) = try database.connect()
            #expect(try !tableExists(connection, "t1"))
        }
    }
}

extension MigrateTests {
    @Test("adopted legacy history tracks later failures", arguments: TestServer.configured)
    func adoptedHistoryTracksFailures(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let (connection, _) = try database.connect()
            if server.kind == .postgreSQL { try connection.execute("CREATE SCHEMA dbo") }
            try connection.execute(
                "CREATE TABLE dbo.schema_version (version varchar(50) PRIMARY KEY, "
                    + "applied_date \(server.kind == .postgreSQL ? "timestamp" : "datetime") "
                    + "NOT NULL, description varchar(200))")
            try connection.execute(
                "INSERT INTO dbo.schema_version VALUES ('20250101_0001', '2024-02-01T09:00:00', 'first')")
            let folder = try MigrationFolder(files: [
                "20250101_0001_first.sql": "CREATE TABLE dbo.t1 (id int);\n",
                "20250101_0002_second.sql": "CREATE TABLE dbo.t2 (id int);\n",
            ])
            defer { folder.remove() }
            let base = ["migrate", "--migrations", folder.url.path, "--no-permissions"]
            #expect(try CLI.run(base, environment: database.environment).exitCode == 0)

            try folder.write(
                "20250101_0003_third.sql", "CREATE TABLE dbo.t3 (id int);\nSELECT * FROM dbo.no_such_table;\n")
            #expect(try CLI.run(base, environment: database.environment).exitCode == 1)
            #expect(try historyStates(database, folder: folder)["20250101_0003"] == "failed")

            try folder.write("20250101_0003_third.sql", "CREATE TABLE dbo.t3 (id int);\n")
            let rerun = try CLI.run(base + ["--json"], environment: database.environment)
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            #expect(try rerun.jsonObject()["adopted_legacy_history"] as? Bool == false)
            #expect(try tableExists(connection, "t3"))

            try folder.write("20250101_0002_second.sql", "CREATE TABLE dbo.t2 (id bigint);\n")
            #expect(try historyStates(database, folder: folder)["20250101_0002"] == "changed")
        }
    }

    @Test("unknown target or baseline version is rejected", arguments: TestServer.configured)
    func unknownVersionRejected(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let folder = try MigrationFolder(files: fiveMigrations(server, thirdFails: false))
            defer { folder.remove() }
            let base = ["--migrations", folder.url.path, "--no-permissions"]
            for target in ["bogus", "2025", "20250101_0150"] {
                let result = try CLI.run(["migrate", "--target", target] + base, environment: database.environment)
                #expect(result.exitCode == 2, "--target \(target)")
                #expect(result.stderr.contains("invalid --target \(target)"))
            }
            let baseline = try CLI.run(
                ["baseline", "--version", "bogus", "--migrations", folder.url.path],
                environment: database.environment)
            #expect(baseline.exitCode == 2)
            let (connection, _) = try database.connect()
            #expect(try !tableExists(connection, "t1"))
            #expect(try !tableExists(connection, "schema_version"))
        }
    }

    @Test("variables of applied migrations need no value", arguments: TestServer.configured)
    func appliedVariablesNeedNoValue(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let folder = try MigrationFolder(files: [
                "20250101_0001_first.sql": "CREATE TABLE dbo.$(name) (id int);\n"
            ])
            defer { folder.remove() }
            let base = ["migrate", "--migrations", folder.url.path, "--no-permissions"]
            #expect(try CLI.run(base + ["--var", "name=t1"], environment: database.environment).exitCode == 0)
            let rerun = try CLI.run(base, environment: database.environment)
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        }
    }

    @Test("missing permissions file stops migrate", arguments: TestServer.configured)
    func missingPermissionsFile(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let folder = try MigrationFolder(files: ["20250101_0001_first.sql": "CREATE TABLE dbo.t1 (id int);\n"])
            defer { folder.remove() }
            let result = try CLI.run(
                ["migrate", "--migrations", folder.url.path], environment: database.environment,
                directory: folder.url)
            #expect(result.exitCode == 2)
            #expect(result.stderr.contains("permissions file"))
            let (connection, _) = try database.connect()
            #expect(try !tableExists(connection, "t1"))
        }
    }

    @Test("check with JSON prints one document", arguments: TestServer.configured)
    func checkPrintsOneDocument(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let folder = try MigrationFolder(files: ["20250101_0001_first.sql": "CREATE TABLE dbo.t1 (id int);\n"])
            defer { folder.remove() }
            let result = try CLI.run(
                ["status", "--check", "--json", "--migrations", folder.url.path],
                environment: database.environment)
            #expect(result.exitCode == 3)
            let object = try result.jsonObject()
            #expect(object["ok"] as? Bool == false)
        }
    }
}

@Suite("migrate checks on PostgreSQL", .enabled(if: TestServer.postgreSQL != nil))
struct PostgreSQLMigrateChecks {
    @Test("COMMIT inside a migration is rejected")
    func commitRejected() throws {
        try withTestDatabase(on: TestServer.postgreSQL!) { database in
            let folder = try MigrationFolder(files: [
                "20250101_0001_first.sql":
                    "CREATE TABLE dbo.before_commit (id int);\nCOMMIT;\nCREATE TABLE dbo.after_commit (id int);\n"
            ])
            defer { folder.remove() }
            let result = try CLI.run(
                ["migrate", "--migrations", folder.url.path, "--no-permissions"],
                environment: database.environment)
            #expect(result.exitCode == 2)
            #expect(result.stderr.contains("COMMIT would end the transaction"))
            let (connection, _) = try database.connect()
            #expect(try !tableExists(connection, "before_commit"))
        }
    }
}

/// The member login of etl016_role in the test environment.
let serviceLogin = ProcessInfo.processInfo.environment["ETL016_TEST_SERVICE_LOGIN"] ?? "talend_user"
