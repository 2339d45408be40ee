import ETL016Core
import Foundation
import Testing

/// A NOLOGIN role of one test, created on the server and dropped by `remove(_:)`.
///
/// Roles belong to the whole PostgreSQL cluster, so tests that change ownership, grant as
/// another grantor or need a role that no file declares use one of these rather than a role
/// that other databases share.
struct ScratchRole {
    let name: String

    init(_ database: TestDatabase, purpose: String) throws {
        name = "etl016_t_\(purpose)_" + UUID().uuidString.prefix(8).lowercased()
        try execute(database, "CREATE ROLE \"\(name)\" NOLOGIN")
    }

    /// Hands what the role owns in the test database back to the administrator, drops its
    /// privileges there, then drops the role.
    func remove(_ database: TestDatabase) {
        do {
            try execute(
                database, "REASSIGN OWNED BY \"\(name)\" TO CURRENT_USER",
                "DROP OWNED BY \"\(name)\"", "DROP ROLE \"\(name)\"")
        } catch {
            Issue.record("could not drop the test role \(name): \(error)")
        }
    }
}

/// Runs each statement on the test database as the administrator.
func execute(_ database: TestDatabase, _ statements: String...) throws {
    let (connection, _) = try database.connect()
    defer { connection.close() }
    for statement in statements {
        try connection.execute(statement)
    }
}

/// Returns true when `member` belongs to `role`, read as the administrator.
func isMember(_ database: TestDatabase, _ member: String, of role: String) throws -> Bool {
    let (connection, _) = try database.connect()
    defer { connection.close() }
    let rows = try connection.query(
        """
        SELECT 1 AS found
        FROM pg_auth_members AS am
        JOIN pg_roles AS r ON r.oid = am.roleid
        JOIN pg_roles AS m ON m.oid = am.member
        WHERE r.rolname = ? AND m.rolname = ?
        """, [.string(role), .string(member)])
    return !rows.isEmpty
}

/// Runs verify-permissions with `--json` and exactly the given arguments.
func verifyPermissionsJSON(_ arguments: [String], environment: [String: String]) throws
    -> (CLIResult, [String: Any])
{
    let result = try CLI.run(["verify-permissions", "--json"] + arguments, environment: environment)
    return (result, try result.jsonObject())
}

/// Returns the first entry of a report list for that principal, permission and object.
func entry(
    _ list: [[String: Any]], principal: String, permission: String, object: String
) -> [String: Any]? {
    list.first { entry in
        entry["principal"] as? String == principal && entry["permission"] as? String == permission
            && entry["object"] as? String == object
    }
}

private let postgreSQLServers = TestServer.configured.filter { $0.kind == .postgreSQL }

@Suite(
    "verify-permissions drift cases on a real database", .serialized,
    .enabled(if: TestServer.isConfigured))
struct VerifyPermissionsDriftTests {
    // MARK: - Ownership

    @Test("owner of the table holds its grants", arguments: postgreSQLServers)
    func ownerHoldsGrants(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            try execute(database, "ALTER TABLE dbo.f_trafegoc01 OWNER TO etl016_role")

            let (result, report) = try verifyPermissions(database)
            #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
            #expect(entries(report, "missing").isEmpty)
            #expect(entries(report, "extra").isEmpty)
            let notes = report["notes"] as? [String] ?? []
            #expect(notes.contains { $0.hasPrefix("etl016_role owns dbo.f_trafegoc01") })
        }
    }

    @Test("owner that revoked its own DELETE is repaired", arguments: postgreSQLServers)
    func ownerRevokedItsDelete(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            try execute(
                database, "ALTER TABLE dbo.f_trafegoc01 OWNER TO etl016_role",
                "REVOKE DELETE ON dbo.f_trafegoc01 FROM etl016_role")

            let (result, report) = try verifyPermissions(database)
            #expect(result.exitCode == 3, "\(result.stderr)")
            let missing = entry(
                entries(report, "missing"), principal: "etl016_role", permission: "DELETE",
                object: "dbo.f_trafegoc01")
            #expect((missing?["reason"] as? String)?.contains("revoked it from itself") == true)

            let (fixed, _) = try verifyPermissions(database, ["--fix"])
            #expect(fixed.exitCode == 0, "\(fixed.stdout)\(fixed.stderr)")
        }
    }

    @Test("owning role is suggested with its declaration", arguments: postgreSQLServers)
    func owningRoleSuggestion(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let owner = try ScratchRole(database, purpose: "owner")
            defer { owner.remove(database) }
            try execute(
                database, "ALTER TABLE dbo.f_trafegoc01 OWNER TO \"\(owner.name)\"",
                "ALTER TABLE dbo.f_trafegoc01_default OWNER TO \"\(owner.name)\"")

            let (_, report) = try verifyPermissions(database)
            let capabilities = entries(report, "capabilities").first ?? [:]
            #expect(
                capabilities["suggested_statements"] as? [String] == [
                    "GRANT \"\(owner.name)\" TO \"etl016_role\";"
                ])
            let cautions = capabilities["suggestion_cautions"] as? [String] ?? []
            #expect(
                cautions.contains {
                    $0.contains("Declare it in the permissions file as GRANT \(owner.name) TO")
                })
        }
    }

    @Test("missing declared role moves no ownership", arguments: postgreSQLServers)
    func missingRoleSuggestsNothing(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let role = "etl016_t_absent_" + UUID().uuidString.prefix(8).lowercased()
            let folder = try MigrationFolder(files: [
                "permissions.sql": """
                    GRANT SELECT ON TABLE dbo.audit_log TO \(role);
                    GRANT \(role) TO "$(service_login)";
                    """
            ])
            defer { folder.remove() }
            let file = folder.url.appendingPathComponent("permissions.sql").path

            let (result, report) = try verifyPermissions(database, ["--permissions", file])
            #expect(result.exitCode == 3, "\(result.stderr)")
            let capabilities = entries(report, "capabilities").first ?? [:]
            #expect(capabilities["suggested_statements"] as? [String] == [])
            let cautions = capabilities["suggestion_cautions"] as? [String] ?? []
            #expect(cautions.first?.contains("the declared role \(role) does not exist") == true)
        }
    }

    // MARK: - Repairs

    @Test("mistyped member stops revoke-extra", arguments: postgreSQLServers)
    func mistypedMemberStopsRevokes(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let role = try ScratchRole(database, purpose: "members")
            defer { role.remove(database) }
            try execute(
                database, "GRANT SELECT ON dbo.audit_log TO \"\(role.name)\"",
                "GRANT \"\(role.name)\" TO \"\(serviceLogin)\"")
            let folder = try MigrationFolder(files: [
                "permissions.sql": """
                    GRANT SELECT ON TABLE dbo.audit_log TO \(role.name);
                    GRANT \(role.name) TO "$(service_login)";
                    """
            ])
            defer { folder.remove() }
            let file = folder.url.appendingPathComponent("permissions.sql").path

            let (result, report) = try verifyPermissionsJSON(
                ["--permissions", file, "--var", "service_login=\(serviceLogin)x",
                 "--revoke-extra"],
                environment: database.environment)
            #expect(result.exitCode == 2, "\(result.stdout)\(result.stderr)")
            #expect(report["ok"] as? Bool == false)
            #expect(result.stderr.contains("principal \(serviceLogin)x (line 2) does not exist"))
            #expect(try isMember(database, serviceLogin, of: role.name))
        }
    }

    @Test("revoke-extra keeps declared column grants", arguments: postgreSQLServers)
    func columnGrantsSurviveRevokes(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let role = try ScratchRole(database, purpose: "columns")
            defer { role.remove(database) }
            let folder = try MigrationFolder(files: [
                "permissions.sql": """
                    GRANT UPDATE (status) ON TABLE dbo.error_logs TO \(role.name);
                    GRANT SELECT (status) ON TABLE dbo.error_logs TO \(role.name);
                    """
            ])
            defer { folder.remove() }
            let arguments = [
                "--permissions", folder.url.appendingPathComponent("permissions.sql").path,
            ]
            // UPDATE (status) is missing and SELECT (status) is held, while both are
            // also granted on the whole table, which the file does not declare.
            try execute(
                database, "GRANT UPDATE, SELECT ON dbo.error_logs TO \"\(role.name)\"",
                "GRANT SELECT (status) ON dbo.error_logs TO \"\(role.name)\"")

            let (fixed, fixReport) = try verifyPermissions(
                database, arguments + ["--revoke-extra"])
            #expect(fixed.exitCode == 0, "\(fixed.stdout)\(fixed.stderr)")
            let actions = (fixReport["fixed"] as? [[String: Any]] ?? [])
                .compactMap { $0["action"] as? String }
            #expect(actions == ["revoke", "revoke", "grant", "grant again"])

            let (second, _) = try verifyPermissions(database, arguments)
            #expect(second.exitCode == 0, "\(second.stdout)\(second.stderr)")
        }
    }

    @Test("fix the server ignores is reported", arguments: postgreSQLServers)
    func ignoredFixReported(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            try execute(database, "REVOKE DELETE ON dbo.f_trafegoc01 FROM etl016_role")

            // The service login holds SELECT but no grant option, so PostgreSQL only warns.
            let (result, report) = try verifyPermissions(
                database, ["--fix"], environment: serviceLoginEnvironment(database))
            #expect(result.exitCode == 3, "\(result.stderr)")
            let fixed = report["fixed"] as? [[String: Any]] ?? []
            #expect(fixed.count == 1)
            let warning = fixed.first?["server_warning"] as? String
            #expect(warning?.contains("no privileges were granted") == true)
            let missing = entry(
                entries(report, "missing"), principal: "etl016_role", permission: "DELETE",
                object: "dbo.f_trafegoc01")
            #expect(missing?["fix_result"] as? String == warning)
        }
    }

    @Test("grant by another grantor names it", arguments: postgreSQLServers)
    func otherGrantorNamed(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let grantor = try ScratchRole(database, purpose: "grantor")
            defer { grantor.remove(database) }
            try execute(
                database, "GRANT USAGE ON SCHEMA dbo TO \"\(grantor.name)\"",
                "GRANT INSERT ON dbo.audit_log TO \"\(grantor.name)\" WITH GRANT OPTION",
                "SET ROLE \"\(grantor.name)\"", "GRANT INSERT ON dbo.audit_log TO etl016_role",
                "RESET ROLE")

            let (result, report) = try verifyPermissions(database, ["--revoke-extra"])
            #expect(result.exitCode == 3, "the owner's REVOKE leaves the grantor's grant")
            let extra = entry(
                entries(report, "extra"), principal: "etl016_role", permission: "INSERT",
                object: "dbo.audit_log")
            #expect(extra?["granted_by"] as? [String] == [grantor.name])
        }
    }

    @Test("failed fix prints one JSON object", arguments: postgreSQLServers)
    func failedFixJSON(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let role = try ScratchRole(database, purpose: "failing")
            defer { role.remove(database) }
            let folder = try MigrationFolder(files: [
                "permissions.sql": "GRANT SELECT ON TABLE dbo.audit_log TO \(role.name);\n"
            ])
            defer { folder.remove() }
            let file = folder.url.appendingPathComponent("permissions.sql").path

            // The service login has no privilege on dbo.audit_log, so the GRANT fails.
            let (result, report) = try verifyPermissions(
                database, ["--permissions", file, "--fix"],
                environment: serviceLoginEnvironment(database))
            #expect(result.exitCode == 1, "\(result.stdout)\(result.stderr)")
            #expect(report["ok"] as? Bool == false)
            #expect(report["success"] as? Bool == false)
        }
    }

    // MARK: - Capabilities and objects

    @Test("purge by deletes needs USAGE on the schema", arguments: postgreSQLServers)
    func purgeNeedsSchemaUsage(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            try execute(database, "REVOKE USAGE ON SCHEMA dbo FROM etl016_role")

            let (result, report) = try verifyPermissions(database)
            #expect(result.exitCode == 3)
            let capabilities = entries(report, "capabilities").first ?? [:]
            #expect(capabilities["purge_by_deletes"] as? Bool == false)
            #expect(
                capabilities["purge_by_deletes_missing"] as? [String] == ["USAGE on schema dbo"])
        }
    }

    @Test("hidden and overloaded functions are told apart", arguments: postgreSQLServers)
    func functionLookupReasons(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            let role = try ScratchRole(database, purpose: "routines")
            defer { role.remove(database) }
            try execute(
                database,
                "CREATE FUNCTION dbo.etl016_t_hidden(integer) RETURNS integer "
                    + "LANGUAGE sql AS 'SELECT 1'",
                "CREATE FUNCTION dbo.etl016_t_twice(integer) RETURNS integer "
                    + "LANGUAGE sql AS 'SELECT 1'",
                "CREATE FUNCTION dbo.etl016_t_twice(text) RETURNS integer "
                    + "LANGUAGE sql AS 'SELECT 1'",
                "REVOKE USAGE ON SCHEMA dbo FROM etl016_role")
            let folder = try MigrationFolder(files: [
                "permissions.sql": """
                    GRANT EXECUTE ON FUNCTION dbo.etl016_t_hidden(int) TO \(role.name);
                    GRANT EXECUTE ON FUNCTION dbo.etl016_t_twice TO \(role.name);
                    GRANT EXECUTE ON FUNCTION dbo.etl016_t_gone(int) TO \(role.name);
                    """
            ])
            defer { folder.remove() }
            let file = folder.url.appendingPathComponent("permissions.sql").path

            let (result, report) = try verifyPermissions(
                database, ["--permissions", file], environment: serviceLoginEnvironment(database))
            #expect(result.exitCode == 3, "\(result.stderr)")
            let reasons = entries(report, "missing").map { $0["reason"] as? String ?? "" }
            #expect(reasons.count == 3)
            #expect(reasons.first?.hasPrefix("not visible to this login") == true)
            #expect(reasons.dropFirst().first?.hasPrefix("ambiguous: give the argument") == true)
            #expect(reasons.last?.hasSuffix("not found") == true)
        }
    }

    @Test("PUBLIC DELETE on the fact table fails", arguments: TestServer.configured)
    func publicDeleteFails(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            try migrateProject(database)
            try execute(database, "GRANT DELETE ON dbo.f_trafegoc01 TO PUBLIC")

            let (result, report) = try verifyPermissions(database)
            #expect(result.exitCode == 3, "\(result.stderr)")
            #expect(
                hasEntry(
                    entries(report, "extra"), principal: "PUBLIC", permission: "DELETE",
                    object: "dbo.f_trafegoc01"))
        }
    }

    @Test("variable without a value names the real one", arguments: TestServer.configured)
    func variableWithoutValue(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let result = try CLI.run(
                ["verify-permissions", "--var", "service_login"],
                environment: database.environment)
            #expect(result.exitCode == 2)
            #expect(result.stderr.contains("--var service_login=talend_user"), "\(result.stderr)")
        }
    }
}
