@testable import ETL016Core
import Foundation
import Testing

@Suite("permission T-SQL parses with sqlfluff")
struct PermissionsTSQLParseTests {
    static let dialect = SQLServerDialect()
    static let role = Principal.named("etl016_role")
    static let table = Securable.object(schema: "dbo", name: "f_trafegoc01")

    /// Returns every catalog query verify-permissions sends to SQL Server.
    static func catalogQueries() -> [String: String] {
        var queries: [String: String] = [
            "session principal": SQLServerPermissionSQL.sessionPrincipal,
            "principal": SQLServerPermissionSQL.principal,
            "current database": SQLServerPermissionSQL.currentDatabase,
            "schema": SQLServerPermissionSQL.schema,
            "object": SQLServerPermissionSQL.object,
            "column": SQLServerPermissionSQL.column,
            "grants": SQLServerPermissionSQL.grants,
            "inherited denials": SQLServerPermissionSQL.inheritedDenials,
            "common criteria": SQLServerPermissionSQL.commonCriteria,
            "memberships": SQLServerPermissionSQL.memberships,
        ]
        let checks = [
            "database": SQLServerPermissionSQL.databaseCheck,
            "schema": SQLServerPermissionSQL.schemaCheck,
            "object": SQLServerPermissionSQL.objectCheck,
            "column": SQLServerPermissionSQL.columnCheck,
        ]
        for (name, check) in checks {
            queries["effective \(name) check"] = SQLServerPermissionSQL.effectiveCheck(
                check, impersonating: false)
            queries["effective \(name) check as member"] = SQLServerPermissionSQL.effectiveCheck(
                check, impersonating: true)
        }
        queries["partition switch"] = SQLServerPermissionSQL.partitionSwitch(impersonating: false)
        queries["partition switch as member"] = SQLServerPermissionSQL.partitionSwitch(
            impersonating: true)
        return queries
    }

    /// Returns every kind of statement `--fix` and `--revoke-extra` build, with sample names.
    static func fixStatements() -> [String: String] {
        let grants: [String: Grant] = [
            "object": Grant(
                principal: role, permission: "SELECT", securable: table, objectType: .table),
            "column": Grant(
                principal: role, permission: "UPDATE",
                securable: .object(schema: "dbo", name: "f_trafegoc01", column: "Campo1"),
                objectType: .table),
            "procedure": Grant(
                principal: role, permission: "EXECUTE",
                securable: .object(schema: "dbo", name: "sp_etl016_performance_analysis"),
                objectType: .procedure),
            "schema": Grant(
                principal: role, permission: "SELECT", securable: .schema("dbo"),
                objectType: .schema),
            "database": Grant(
                principal: role, permission: "ALTER ANY DATASPACE", securable: .database(),
                objectType: .database),
            "create table": Grant(
                principal: role, permission: "CREATE TABLE", securable: .database(),
                objectType: .database),
            "alter schema": Grant(
                principal: role, permission: "ALTER", securable: .schema("dbo"),
                objectType: .schema),
            "public": Grant(
                principal: .public, permission: "SELECT", securable: table, objectType: .table),
            "grant option": Grant(
                principal: .named("talend user"), permission: "VIEW DEFINITION",
                securable: table, objectType: .table, withGrantOption: true),
        ]
        var statements: [String: String] = [:]
        for (name, grant) in grants {
            statements["grant \(name)"] = dialect.grantStatement(grant)
            statements["revoke \(name)"] = dialect.revokeStatement(
                grant, grantOptionOnly: false, cascade: false)
            statements["revoke \(name) cascade"] = dialect.revokeStatement(
                grant, grantOptionOnly: false, cascade: true)
            statements["revoke grant option for \(name)"] = dialect.revokeStatement(
                grant, grantOptionOnly: true, cascade: true)
        }
        let others: [String: (String, Securable, ObjectType)] = [
            "user": (
                "IMPERSONATE", Securable(securableClass: .other, schema: nil, name: "u"), .user
            ),
            "role": ("CONTROL", Securable(securableClass: .other, schema: nil, name: "r"), .role),
            "type": (
                "REFERENCES", Securable(securableClass: .other, schema: "dbo", name: "t"), .type
            ),
            "xml schema collection": (
                "EXECUTE", Securable(securableClass: .other, schema: "dbo", name: "x"),
                .xmlSchemaCollection
            ),
            "assembly": (
                "REFERENCES", Securable(securableClass: .other, schema: nil, name: "a"), .assembly
            ),
            "certificate": (
                "CONTROL", Securable(securableClass: .other, schema: nil, name: "c"), .certificate
            ),
            "symmetric key": (
                "VIEW DEFINITION", Securable(securableClass: .other, schema: nil, name: "k"),
                .symmetricKey
            ),
            "asymmetric key": (
                "CONTROL", Securable(securableClass: .other, schema: nil, name: "k"),
                .asymmetricKey
            ),
        ]
        for (name, (permission, securable, type)) in others {
            let grant = Grant(
                principal: role, permission: permission, securable: securable, objectType: type)
            statements["revoke on \(name)"] = dialect.revokeStatement(
                grant, grantOptionOnly: false, cascade: false)
        }
        statements["grant connect"] = dialect.grantStatement(
            Grant(
                principal: .named("talend_user"), permission: "CONNECT", securable: .database(),
                objectType: .database))

        let membership = Membership(role: "etl016_role", member: "talend_user")
        statements["add member"] = dialect.addMemberStatement(membership)
        statements["drop member"] = dialect.dropMemberStatement(membership)
        return statements
    }

    /// The two impersonation statements of the effective and partition checks.
    static let impersonationLines = ["EXECUTE AS USER = @principal;", "REVERT;"]

    @Test("catalog queries")
    func catalogQueriesParse() throws {
        // NOTE: sqlfluff 4.5's tsql grammar has no rule for EXECUTE AS or REVERT (even a
        // bare `REVERT;` is unparsable), so those two lines are taken out before the parse
        // and checked as text by "impersonation wraps the check" below.
        let queries = Self.catalogQueries().mapValues { query in
            query.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !Self.impersonationLines.contains(String($0)) }
                .joined(separator: "\n")
        }
        let failures = try SQLFluff.unparsable(queries.mapValues(TSQLParseTests.replacingMarkers))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("impersonation wraps the check")
    func impersonationWrapsCheck() {
        let queries = Self.catalogQueries()
        for (name, query) in queries where name.hasSuffix(" as member") {
            let lines = query.split(separator: "\n").map(String.init)
            #expect(lines.first == "DECLARE @principal sysname = ?;", "\(name)")
            #expect(lines.filter { $0 == "EXECUTE AS USER = @principal;" }.count == 1, "\(name)")
            #expect(lines.filter { $0 == "REVERT;" }.count == 1, "\(name)")
            let revert = lines.firstIndex(of: "REVERT;") ?? 0
            let select = lines.lastIndex { $0.hasPrefix("SELECT ") } ?? 0
            #expect(select > revert, "\(name): the result is read after REVERT")
            let plain = queries[String(name.dropLast(" as member".count))] ?? ""
            let unwrapped = lines.dropFirst().filter { !Self.impersonationLines.contains($0) }
            #expect(unwrapped.joined(separator: "\n") == plain, "\(name)")
        }
    }

    @Test("fix statements")
    func fixStatementsParse() throws {
        let failures = try SQLFluff.unparsable(Self.fixStatements())
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("revoke on an application role")
    func revokeOnApplicationRole() {
        // NOTE: sqlfluff 4.5's tsql grammar rejects the APPLICATION ROLE:: class, which
        // the REVOKE reference lists, so this statement is checked as text.
        let grant = Grant(
            principal: Self.role, permission: "ALTER",
            securable: Securable(securableClass: .other, schema: nil, name: "reporting app"),
            objectType: .applicationRole)
        #expect(
            Self.dialect.revokeStatement(grant, grantOptionOnly: false, cascade: false)
                == "REVOKE ALTER ON APPLICATION ROLE::[reporting app] FROM [etl016_role];")
    }

    @Test("grants query keeps a user's DENY CONNECT")
    func grantsKeepDenyConnect() {
        let query = SQLServerPermissionSQL.grants
        #expect(query.contains("dp.permission_name = N'CONNECT' AND dp.state = 'G'"))
        #expect(query.contains("WHEN 4 THEN tp.name"))
    }

    @Test("inherited denials walk nested roles")
    func inheritedDenialsRecurse() {
        let query = SQLServerPermissionSQL.inheritedDenials
        #expect(query.contains("INNER JOIN role_chain AS rc"))
        #expect(query.contains("WHERE dp.state = 'D'"))
    }

    @Test("only SQL, Windows and external users are impersonated")
    func impersonatedTypes() {
        #expect(
            SQLServerPermissionSQL.principal.contains(
                "CASE WHEN p.type IN ('S', 'U', 'E') THEN 1 ELSE 0 END AS can_be_impersonated"))
        let group = PrincipalInfo(
            name: "DOMAIN\\etl", canLogIn: true, isSuperuser: false, canBeImpersonated: false,
            kind: "WINDOWS_GROUP")
        #expect(
            PermissionVerifier.impersonationLimit(group).hasPrefix(
                "the server cannot impersonate a principal of its kind (WINDOWS_GROUP)"))
    }

    @Test("switch advice warns of schema-wide DDL")
    func switchCautions() {
        let table = QualifiedName(schema: "dbo", name: "f_trafegoc01")
        let role = Principal.named("etl016_role")
        let grants = [
            Grant(
                principal: role, permission: "ALTER", securable: .schema("dbo"),
                objectType: .schema),
            Grant(
                principal: role, permission: "ALTER ANY DATASPACE", securable: .database(),
                objectType: .database),
        ]
        let cautions = SQLServerDialect.switchCautions(grants, grantee: "etl016_role", table: table)
        #expect(cautions.count == 3)
        #expect(cautions.first?.contains("DDL rights over the whole schema") == true)
        #expect(cautions.last?.hasPrefix("Declare the grants in the permissions file") == true)
    }

    @Test("every catalog query binds its values")
    func queriesHaveMarkers() {
        for (name, query) in Self.catalogQueries() where name != "session principal"
            && name != "current database" && name != "common criteria"
            && !name.hasPrefix("effective database check")
        {
            #expect(query.contains("?"), "\(name)")
        }
    }
}
