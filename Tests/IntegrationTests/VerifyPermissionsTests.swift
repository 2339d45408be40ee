import ETL016Core
import Foundation
import Testing

/// Runs verify-permissions with `--json` and the service login variable, and returns the
/// result with its parsed JSON object.
func verifyPermissions(
    _ database: TestDatabase, _ arguments: [String] = [], environment: [String: String]? = nil
) throws -> (CLIResult, [String: Any]) {
    let result = try CLI.run(
        ["verify-permissions", "--json", "--var", "service_login=\(serviceLogin)"] + arguments,
        environment: environment ?? database.environment)
    return (result, try result.jsonObject())
}

/// Returns the entries of one report list, such as `missing`.
func entries(_ report: [String: Any], _ key: String) -> [[String: Any]] {
    report[key] as? [[String: Any]] ?? []
}

/// Returns true when a list contains an entry for that principal, permission and object.
func hasEntry(
    _ list: [[String: Any]], principal: String, permission: String, object: String
) -> Bool {
    list.contains { entry in
        entry["principal"] as? String == principal && entry["permission"] as? String == permission
            && entry["object"] as? String == object
    }
}

/// Migrates a fresh database with the project migrations and permissions file.
func migrateProject(_ database: TestDatabase, permissionsFile: String? = nil) throws {
    var arguments = ["migrate", "--var", "service_login=\(serviceLogin)"]
    if let permissionsFile { arguments += ["--permissions", permissionsFile] }
    let result = try CLI.run(arguments, environment: database.environment)
    #expect(result.exitCode == 0, "migrate failed: \(result.stderr)")
}

/// A role of this test only, declared in a copy of the project permissions file with one grant
/// and the service login as member.
///
/// Roles and memberships belong to the whole PostgreSQL cluster, so the tests that drop a role
/// or remove a membership do it to this role rather than to etl016_role, which other databases
/// and concurrent runs on the same server use. `remove()` drops the role again.
struct PrivateRole {
    let name: String
    let server: TestServer
    let folder: MigrationFolder

    var permissionsFile: String { folder.url.appendingPathComponent("permissions.sql").path }
    var membership: Membership { Membership(role: name, member: serviceLogin) }

    init(_ database: TestDatabase) throws {
        name = "etl016_t_role_" + UUID().uuidString.prefix(8).lowercased()
        server = database.server
        let dialect = ETL016Core.dialect(for: database.server.kind)
        let quoted = dialect.quoteIdentifier(name)
        let project = try String(
            contentsOf: CLI.packageRoot.appendingPathComponent(
                "sql/permissions.\(database.server.kind).sql"),
            encoding: .utf8)
        let additions = sql(
            database.server,
            postgres: """
                GRANT SELECT ON TABLE dbo.audit_log TO \(quoted);
                GRANT \(quoted) TO "$(service_login)";
                """,
            tsql: """
                GRANT SELECT ON OBJECT::dbo.audit_log TO \(quoted);
                ALTER ROLE \(quoted) ADD MEMBER [$(service_login)];
                """)
        folder = try MigrationFolder(files: ["permissions.sql": project + "\n" + additions + "\n"])

        let (connection, _) = try database.connect()
        defer { connection.close() }
        try connection.execute(
            sql(database.server, postgres: "CREATE ROLE \(quoted) NOLOGIN",
                tsql: "CREATE ROLE \(quoted)"))
    }

    /// Drops the role and removes the file.
    func remove(_ database: TestDatabase) {
        dropRole(database)
        folder.remove()
    }

    /// Drops the role's privileges in the test database and the role itself, if it still
    /// exists.
    func dropRole(_ database: TestDatabase) {
        do {
            let (connection, dialect) = try database.connect()
            defer { connection.close() }
            let quoted = dialect.quoteIdentifier(name)
            switch server.kind {
            case .postgreSQL:
                try connection.execute(
                    """
                    DO $$ BEGIN
                        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(name)') THEN
                            EXECUTE 'DROP OWNED BY \(quoted)';
                            EXECUTE 'DROP ROLE \(quoted)';
                        END IF;
                    END $$
                    """)
            case .sqlServer:
                try connection.execute(
                    """
                    IF DATABASE_PRINCIPAL_ID(N'\(name)') IS NOT NULL
                    BEGIN
                        IF IS_ROLEMEMBER(N'\(name)', N'\(serviceLogin)') = 1
                            \(dialect.dropMemberStatement(membership))
                        DROP ROLE \(quoted);
                    END
                    """)
            }
        } catch {
            Issue.record("could not drop the test role \(name): \(error)")
        }
    }
}

/// Returns the connection string of the test database with the service login's credentials.
func serviceLoginEnvironment(_ database: TestDatabase) -> [String: String] {
    let password =
        ProcessInfo.processInfo.environment["ETL016_TEST_SERVICE_PASSWORD"] ?? "talend-local"
    let credentialKeys: Set<String> = ["uid", "pwd", "user", "user id", "password"]
    let withoutCredentials = database.connectionString.attributes.filter {
        !credentialKeys.contains($0.key.lowercased())
    }
    let parts = withoutCredentials.map { key, value -> String in
        let needsBraces = value.contains(";") || value.contains("{") || value.hasPrefix(" ")
        return "\(key)=" + (needsBraces ? "{\(value.replacing("}", with: "}}"))}" : value)
    }
    let escaped = password.replacing("}", with: "}}")
    let text = (parts + ["Uid=\(serviceLogin)", "Pwd={\(escaped)}"]).joined(separator: ";")
    return ["ETL016_DB_CONNECTION": text]
}

@Suite("verify-permissions on a real database", .serialized, .enabled(if: TestServer.isConfigured))
struct VerifyPermissionsTests {
    @Test("fresh database passes", arguments: TestServer.configured)
    func freshDatabasePasses(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let (result, report) = try verifyPermissions(database)
            #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
            #expect(report["ok"] as? Bool == true)
            #expect(entries(report, "missing").isEmpty)
            #expect(entries(report, "extra").isEmpty)
            #expect(entries(report, "denied").isEmpty)

            let capabilities = entries(report, "capabilities")
            #expect(capabilities.count == 1)
            #expect(capabilities.first?["login"] as? String == serviceLogin)
            #expect(capabilities.first?["purge_by_deletes"] as? Bool == true)
            #expect(capabilities.first?["switch_partitions"] as? Bool == false)
            let suggested = capabilities.first?["suggested_statements"] as? [String] ?? []
            #expect(!suggested.isEmpty, "a grant to suggest for switching")
        }
    }

    @Test("text report of a fresh database", arguments: TestServer.configured)
    func textReport(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let result = try CLI.run(
                ["verify-permissions", "--var", "service_login=\(serviceLogin)"],
                environment: database.environment)
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stdout.contains("No drift"))
            #expect(result.stdout.contains("Service login \(serviceLogin):"))
            #expect(result.stdout.contains("purge by deletes: yes"))
            #expect(result.stdout.contains("switch partitions: no"))
        }
    }

    @Test("revoked grant is missing", arguments: TestServer.configured)
    func revokedGrant(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let (connection, _) = try database.connect()
            defer { connection.close() }
            try connection.execute("REVOKE DELETE ON dbo.f_trafegoc01 FROM etl016_role")

            let (result, report) = try verifyPermissions(database)
            #expect(result.exitCode == 3, "\(result.stderr)")
            #expect(report["ok"] as? Bool == false)
            let missing = entries(report, "missing")
            #expect(missing.count == 1)
            #expect(
                hasEntry(
                    missing, principal: "etl016_role", permission: "DELETE",
                    object: "dbo.f_trafegoc01"))
            #expect(entries(report, "extra").isEmpty)
        }
    }

    @Test("extra grant to the role", arguments: TestServer.configured)
    func extraGrant(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let (connection, _) = try database.connect()
            defer { connection.close() }
            try connection.execute("GRANT INSERT ON dbo.f_trafegoc01 TO etl016_role")

            let (result, report) = try verifyPermissions(database)
            #expect(result.exitCode == 3, "\(result.stderr)")
            #expect(entries(report, "missing").isEmpty)
            #expect(
                hasEntry(
                    entries(report, "extra"), principal: "etl016_role", permission: "INSERT",
                    object: "dbo.f_trafegoc01"))
        }
    }

    @Test("grant straight to the member", arguments: TestServer.configured)
    func grantToMember(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let (connection, dialect) = try database.connect()
            defer { connection.close() }
            try connection.execute(
                "GRANT SELECT ON dbo.audit_log TO \(dialect.quoteIdentifier(serviceLogin))")

            let (result, report) = try verifyPermissions(database)
            #expect(result.exitCode == 3, "\(result.stderr)")
            let extra = entries(report, "extra")
            #expect(extra.count == 1)
            #expect(
                hasEntry(
                    extra, principal: serviceLogin, permission: "SELECT", object: "dbo.audit_log"))
        }
    }

    @Test("removed membership names the member", arguments: TestServer.configured)
    func removedMembership(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let role = try PrivateRole(database)
            defer { role.remove(database) }
            try migrateProject(database, permissionsFile: role.permissionsFile)
            let arguments = ["--permissions", role.permissionsFile]
            let (before, _) = try verifyPermissions(database, arguments)
            #expect(before.exitCode == 0, "\(before.stdout)\(before.stderr)")

            let (connection, dialect) = try database.connect()
            defer { connection.close() }
            try connection.execute(dialect.dropMemberStatement(role.membership))

            let (result, report) = try verifyPermissions(database, arguments)
            #expect(result.exitCode == 3, "\(result.stderr)")
            let missing = entries(report, "missing")
            #expect(missing.count == 1)
            #expect(
                hasEntry(missing, principal: serviceLogin, permission: "MEMBER", object: role.name))
            #expect(missing.first?["object_type"] as? String == "role")
        }
    }

    @Test("dropped role is reported", arguments: TestServer.configured)
    func droppedRole(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let role = try PrivateRole(database)
            defer { role.remove(database) }
            try migrateProject(database, permissionsFile: role.permissionsFile)
            role.dropRole(database)

            let (result, report) = try verifyPermissions(
                database, ["--permissions", role.permissionsFile])
            #expect(result.exitCode == 3, "\(result.stderr)")
            let missing = entries(report, "missing")
            #expect(
                hasEntry(
                    missing, principal: role.name, permission: "SELECT", object: "dbo.audit_log"))
            #expect(
                hasEntry(missing, principal: serviceLogin, permission: "MEMBER", object: role.name))
            let reasons = missing.compactMap { $0["reason"] as? String }
            #expect(reasons.count == 2)
            #expect(reasons.allSatisfy { $0.contains("does not exist") })
        }
    }

    @Test("fix repairs and a second run passes", arguments: TestServer.configured)
    func fixRepairs(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let role = try PrivateRole(database)
            defer { role.remove(database) }
            try migrateProject(database, permissionsFile: role.permissionsFile)
            let (connection, dialect) = try database.connect()
            defer { connection.close() }
            try connection.execute("REVOKE DELETE ON dbo.f_trafegoc01 FROM etl016_role")
            try connection.execute("GRANT INSERT ON dbo.f_trafegoc01 TO etl016_role")
            try connection.execute(dialect.dropMemberStatement(role.membership))
            let arguments = ["--permissions", role.permissionsFile]

            let (fixed, fixReport) = try verifyPermissions(database, arguments + ["--fix"])
            #expect(fixed.exitCode == 3, "the extra INSERT stays without --revoke-extra")
            let statements = (fixReport["fixed"] as? [[String: Any]] ?? [])
                .compactMap { $0["statement"] as? String }
            #expect(statements.count == 2, "\(statements)")
            #expect(entries(fixReport, "missing").isEmpty)
            #expect(entries(fixReport, "extra").count == 1)

            let (revoked, _) = try verifyPermissions(database, arguments + ["--revoke-extra"])
            #expect(revoked.exitCode == 0, "\(revoked.stdout)\(revoked.stderr)")

            let (second, report) = try verifyPermissions(database, arguments)
            #expect(second.exitCode == 0, "\(second.stdout)\(second.stderr)")
            #expect(report["ok"] as? Bool == true)
        }
    }

    @Test("without fix nothing changes", arguments: TestServer.configured)
    func reportOnly(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let (connection, _) = try database.connect()
            defer { connection.close() }
            try connection.execute("REVOKE DELETE ON dbo.f_trafegoc01 FROM etl016_role")

            let (first, _) = try verifyPermissions(database)
            let (second, report) = try verifyPermissions(database)
            #expect(first.exitCode == 3)
            #expect(second.exitCode == 3)
            #expect(entries(report, "missing").count == 1)
            #expect(report["fixed"] == nil)
        }
    }

    @Test("effective check as the member login", arguments: TestServer.configured)
    func effectiveAsMember(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let member = serviceLoginEnvironment(database)

            let (result, report) = try verifyPermissions(
                database, ["--effective"], environment: member)
            #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
            #expect(report["checked_as"] as? String == serviceLogin)
            #expect(report["not_effective"] as? [Any] != nil)
            #expect(entries(report, "not_effective").isEmpty)

            let (connection, _) = try database.connect()
            defer { connection.close() }
            try connection.execute("REVOKE DELETE ON dbo.f_trafegoc01 FROM etl016_role")
            let (revoked, revokedReport) = try verifyPermissions(
                database, ["--effective"], environment: member)
            #expect(revoked.exitCode == 3, "\(revoked.stderr)")
            #expect(
                hasEntry(
                    entries(revokedReport, "not_effective"), principal: serviceLogin,
                    permission: "DELETE", object: "dbo.f_trafegoc01"))
            let capabilities = entries(revokedReport, "capabilities")
            #expect(capabilities.first?["purge_by_deletes"] as? Bool == false)
        }
    }

    @Test("effective check impersonates the member", arguments: TestServer.configured)
    func effectiveAsAdministrator(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let (result, report) = try verifyPermissions(database, ["--effective"])
            #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
            #expect(entries(report, "not_effective").isEmpty)
        }
    }

    @Test(
        "DENY overriding a grant",
        arguments: TestServer.configured.filter { $0.kind == .sqlServer })
    func denyOverridesGrant(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let (connection, dialect) = try database.connect()
            defer { connection.close() }
            let member = dialect.quoteIdentifier(serviceLogin)
            try connection.execute("DENY DELETE ON OBJECT::dbo.f_trafegoc01 TO \(member)")

            let (result, report) = try verifyPermissions(database)
            #expect(result.exitCode == 3, "\(result.stderr)")
            #expect(
                hasEntry(
                    entries(report, "denied"), principal: serviceLogin, permission: "DELETE",
                    object: "dbo.f_trafegoc01"))

            let (fixed, _) = try verifyPermissions(database, ["--fix"])
            #expect(fixed.exitCode == 0, "\(fixed.stdout)\(fixed.stderr)")
        }
    }

    @Test("unknown statement names file and line", arguments: TestServer.configured)
    func unknownStatement(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let folder = try MigrationFolder(files: [
                "permissions.sql": "-- declared\nGRANT SELECT ON dbo.t TO r;\nCREATE ROLE r;\n"
            ])
            defer { folder.remove() }
            let path = folder.url.appendingPathComponent("permissions.sql").path
            let result = try CLI.run(
                ["verify-permissions", "--permissions", path], environment: database.environment)
            #expect(result.exitCode == 2)
            #expect(result.stderr.contains("\(path) line 3"), "\(result.stderr)")
            #expect(result.stderr.contains("CREATE ROLE"))
        }
    }
}
