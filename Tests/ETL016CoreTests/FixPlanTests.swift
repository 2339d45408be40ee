import ETL016Core
import Testing

@Suite("permission fix plan")
struct FixPlanTests {
    typealias F = PermissionFixture

    /// Returns the comparison with a drifted catalog: DELETE denied to the role, the
    /// membership gone, INSERT extra with the grant option, and the member in db_owner.
    static func driftedResult() -> ComparisonResult {
        var snapshot = F.matchingSnapshot()
        snapshot.grants[1] = CatalogGrant(grant: F.grant(F.role, "DELETE"), state: .deny)
        snapshot.grants.append(
            CatalogGrant(grant: F.grant(F.role, "INSERT"), state: .grantWithGrantOption))
        snapshot.memberships = [
            CatalogMembership(membership: Membership(role: "db_owner", member: "talend_user"))
        ]
        return PermissionComparison.compare(F.declared(), with: snapshot)
    }

    @Test("fix on SQL Server removes the DENY first")
    func sqlServerFix() throws {
        let plan = try FixPlan.build(
            Self.driftedResult(), revokeExtra: false, dialect: SQLServerDialect())
        #expect(plan.statements.map(\.sql) == [
            "REVOKE DELETE ON OBJECT::[dbo].[f_trafegoc01] FROM [etl016_role];",
            "GRANT DELETE ON OBJECT::[dbo].[f_trafegoc01] TO [etl016_role];",
            "ALTER ROLE [etl016_role] ADD MEMBER [talend_user];",
        ])
        #expect(plan.skipped.isEmpty)
    }

    @Test("revoke-extra on SQL Server revokes first")
    func sqlServerRevokeExtra() throws {
        let plan = try FixPlan.build(
            Self.driftedResult(), revokeExtra: true, dialect: SQLServerDialect())
        #expect(plan.statements.map(\.sql) == [
            "REVOKE INSERT ON OBJECT::[dbo].[f_trafegoc01] FROM [etl016_role] CASCADE;",
            "REVOKE DELETE ON OBJECT::[dbo].[f_trafegoc01] FROM [etl016_role];",
            "GRANT DELETE ON OBJECT::[dbo].[f_trafegoc01] TO [etl016_role];",
            "ALTER ROLE [db_owner] DROP MEMBER [talend_user];",
            "ALTER ROLE [etl016_role] ADD MEMBER [talend_user];",
        ])
        #expect(plan.statements.map(\.action) == [
            .revoke, .revokeDeny, .grant, .dropMember, .addMember,
        ])
    }

    @Test("revoke-extra on PostgreSQL revokes first")
    func postgreSQLFix() throws {
        let plan = try FixPlan.build(
            Self.driftedResult(), revokeExtra: true, dialect: PostgreSQLDialect())
        #expect(plan.statements.map(\.sql) == [
            #"REVOKE INSERT ON TABLE "dbo"."f_trafegoc01" FROM "etl016_role" CASCADE;"#,
            #"REVOKE DELETE ON TABLE "dbo"."f_trafegoc01" FROM "etl016_role";"#,
            #"GRANT DELETE ON TABLE "dbo"."f_trafegoc01" TO "etl016_role";"#,
            #"REVOKE "db_owner" FROM "talend_user";"#,
            #"GRANT "etl016_role" TO "talend_user";"#,
        ])
    }

    @Test("missing role is skipped with its reason")
    func missingRoleSkipped() throws {
        var snapshot = F.matchingSnapshot()
        snapshot.principals[F.role] = nil
        snapshot.grants = []
        snapshot.memberships = []
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        let plan = try FixPlan.build(result, revokeExtra: false, dialect: PostgreSQLDialect())
        #expect(plan.statements.isEmpty)
        #expect(plan.skipped.count == 3)
        #expect(
            plan.skipped.first
                == "SELECT on dbo.f_trafegoc01 for etl016_role: etl016_role does not exist")
    }

    @Test("grant option only is revoked alone")
    func grantOptionRevoke() throws {
        var snapshot = F.matchingSnapshot()
        snapshot.grants[0] = CatalogGrant(
            grant: F.grant(F.role, "SELECT"), state: .grantWithGrantOption)
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        let plan = try FixPlan.build(result, revokeExtra: true, dialect: PostgreSQLDialect())
        #expect(plan.statements.map(\.sql) == [
            #"REVOKE GRANT OPTION FOR SELECT ON TABLE "dbo"."f_trafegoc01" FROM "etl016_role" "#
                + "CASCADE;"
        ])
    }
}

@Suite("permission fix plan order and refusals")
struct FixPlanOrderTests {
    typealias F = PermissionFixture

    static let dia = Securable.object(schema: "dbo", name: "f_trafegoc01", column: "dia")

    /// Returns the fixture's declarations plus `permission` on the column `dia` for the
    /// role.
    static func declaredWithColumn(_ permission: String = "SELECT") -> DeclaredPermissions {
        var declared = F.declared()
        declared.add(F.grant(F.role, permission, dia), line: 3)
        return declared
    }

    @Test("table-level revoke grants declared columns again")
    func regrantsColumns() throws {
        var snapshot = F.matchingSnapshot()
        snapshot.securables[Self.dia] = ResolvedSecurable(
            securable: Self.dia, objectType: .table, owner: "postgres")
        snapshot.grants.append(
            CatalogGrant(grant: F.grant(F.role, "UPDATE"), state: .grant))
        snapshot.grants.append(
            CatalogGrant(grant: F.grant(F.role, "UPDATE", Self.dia), state: .grant))
        let result = PermissionComparison.compare(
            Self.declaredWithColumn("UPDATE"), with: snapshot)
        let plan = try FixPlan.build(result, revokeExtra: true, dialect: PostgreSQLDialect())
        #expect(plan.statements.map(\.sql) == [
            #"REVOKE UPDATE ON TABLE "dbo"."f_trafegoc01" FROM "etl016_role";"#,
            #"GRANT UPDATE ("dia") ON TABLE "dbo"."f_trafegoc01" TO "etl016_role";"#,
        ])
        #expect(plan.statements.map(\.action) == [.revoke, .regrant])
    }

    @Test("missing column grant follows the table revoke")
    func columnGrantAfterRevoke() throws {
        var snapshot = F.matchingSnapshot()
        snapshot.securables[Self.dia] = ResolvedSecurable(
            securable: Self.dia, objectType: .table, owner: "dbo")
        snapshot.grants.append(CatalogGrant(grant: F.grant(F.role, "UPDATE"), state: .grant))
        let result = PermissionComparison.compare(
            Self.declaredWithColumn("UPDATE"), with: snapshot)
        let plan = try FixPlan.build(result, revokeExtra: true, dialect: SQLServerDialect())
        #expect(plan.statements.map(\.sql) == [
            "REVOKE UPDATE ON OBJECT::[dbo].[f_trafegoc01] FROM [etl016_role];",
            "GRANT UPDATE ([dia]) ON OBJECT::[dbo].[f_trafegoc01] TO [etl016_role];",
        ])
    }

    @Test("revoked table DENY grants declared columns again")
    func regrantsAfterDenyRevoke() throws {
        var snapshot = F.matchingSnapshot()
        snapshot.tableDenyOverridesColumnGrants = true
        snapshot.securables[Self.dia] = ResolvedSecurable(
            securable: Self.dia, objectType: .table, owner: "dbo")
        snapshot.grants[0] = CatalogGrant(grant: F.grant(F.role, "SELECT"), state: .deny)
        snapshot.grants.append(
            CatalogGrant(grant: F.grant(F.role, "SELECT", Self.dia), state: .grant))
        let result = PermissionComparison.compare(Self.declaredWithColumn(), with: snapshot)
        let plan = try FixPlan.build(result, revokeExtra: false, dialect: SQLServerDialect())
        #expect(plan.statements.map(\.sql) == [
            "REVOKE SELECT ON OBJECT::[dbo].[f_trafegoc01] FROM [etl016_role];",
            "GRANT SELECT ON OBJECT::[dbo].[f_trafegoc01] TO [etl016_role];",
            "GRANT SELECT ([dia]) ON OBJECT::[dbo].[f_trafegoc01] TO [etl016_role];",
        ])
    }

    @Test("revoke-extra rejected while a member is missing")
    func rejectsMissingMember() {
        var snapshot = F.matchingSnapshot()
        snapshot.principals[F.member] = nil
        snapshot.memberships = []
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        do {
            let plan = try FixPlan.build(result, revokeExtra: true, dialect: PostgreSQLDialect())
            Issue.record("built a plan: \(plan.statements.map(\.sql))")
        } catch let error as ConfigurationError {
            #expect(error.message.contains("principal talend_user (line 2) does not exist"))
            #expect(error.message.contains("--var"))
        } catch {
            Issue.record("unexpected error: \(error)")
        }
    }

    @Test("fix alone runs while a member is missing")
    func fixWithMissingMember() throws {
        var snapshot = F.matchingSnapshot()
        snapshot.principals[F.member] = nil
        snapshot.memberships = []
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        let plan = try FixPlan.build(result, revokeExtra: false, dialect: PostgreSQLDialect())
        #expect(plan.statements.isEmpty)
        #expect(plan.skipped == [
            "membership of talend_user in etl016_role: talend_user does not exist"
        ])
    }

    @Test("DENY CONNECT to a user is replaced by a grant")
    func denyConnectToUser() throws {
        var snapshot = F.matchingSnapshot()
        snapshot.grants.append(
            CatalogGrant(
                grant: F.grant(F.member, "CONNECT", .database("etl016"), type: .database),
                state: .deny))
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.denied.count == 2)
        let plan = try FixPlan.build(result, revokeExtra: false, dialect: SQLServerDialect())
        #expect(plan.statements.map(\.sql) == ["GRANT CONNECT TO [talend_user];"])
        #expect(plan.statements.map(\.action) == [.grantOverDeny])
    }

    @Test("DENY held by another role is left alone")
    func inheritedDenyNotRevoked() throws {
        var snapshot = F.matchingSnapshot()
        snapshot.inheritedDenials = [
            InheritedDenial(deny: F.grant(.named("deny_writers"), "DELETE"), member: "talend_user")
        ]
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        let plan = try FixPlan.build(result, revokeExtra: false, dialect: SQLServerDialect())
        #expect(plan.statements.isEmpty)
        #expect(plan.skipped.count == 1)
        #expect(plan.skipped.first?.contains("take talend_user out of the role") == true)
    }

    @Test("permission on a user is revoked with its class")
    func revokesOnUser() throws {
        var snapshot = F.matchingSnapshot()
        let user = Securable(securableClass: .other, schema: nil, name: "auditor")
        snapshot.grants.append(
            CatalogGrant(grant: F.grant(F.role, "IMPERSONATE", user, type: .user), state: .grant))
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.extra.map(F.describe) == ["etl016_role IMPERSONATE user auditor"])
        let plan = try FixPlan.build(result, revokeExtra: true, dialect: SQLServerDialect())
        #expect(plan.statements.map(\.sql) == [
            "REVOKE IMPERSONATE ON USER::[auditor] FROM [etl016_role];"
        ])
    }

    @Test("permission on an unknown class is not revoked")
    func unknownClassSkipped() throws {
        var snapshot = F.matchingSnapshot()
        let route = Securable(securableClass: .other, schema: nil, name: "ROUTE 65536")
        snapshot.grants.append(
            CatalogGrant(
                grant: F.grant(F.role, "ALTER", route, type: .otherSecurable), state: .grant))
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.extra.count == 1)
        let plan = try FixPlan.build(result, revokeExtra: true, dialect: SQLServerDialect())
        #expect(plan.statements.isEmpty)
        #expect(plan.skipped.first?.contains("revoke it by hand") == true)
    }
}

@Suite("permission statement builders")
struct PermissionStatementTests {
    typealias F = PermissionFixture

    @Test("PostgreSQL names every kind of object")
    func postgreSQLKinds() {
        let dialect = PostgreSQLDialect()
        let function = F.grant(
            F.role, "EXECUTE", .object(schema: "dbo", name: "etl016_dia_date", arguments: "text"),
            type: .function)
        #expect(dialect.grantStatement(function)
            == #"GRANT EXECUTE ON FUNCTION "dbo"."etl016_dia_date"(text) TO "etl016_role";"#)
        let column = F.grant(
            F.role, "UPDATE", .object(schema: "dbo", name: "t", column: "Campo1"))
        #expect(dialect.grantStatement(column)
            == #"GRANT UPDATE ("Campo1") ON TABLE "dbo"."t" TO "etl016_role";"#)
        let schema = F.grant(F.role, "USAGE", .schema("dbo"), type: .schema)
        #expect(dialect.grantStatement(schema) == #"GRANT USAGE ON SCHEMA "dbo" TO "etl016_role";"#)
        let sequence = F.grant(
            .public, "USAGE", .object(schema: "dbo", name: "ids"), type: .sequence)
        #expect(dialect.revokeStatement(sequence, grantOptionOnly: false, cascade: false)
            == #"REVOKE USAGE ON SEQUENCE "dbo"."ids" FROM PUBLIC;"#)
    }

    @Test("quotes hostile names")
    func quotesNames() {
        let grant = F.grant(
            .named(#"x"; DROP ROLE y; --"#), "SELECT",
            .object(schema: "dbo", name: "t]; DROP TABLE z; --"))
        #expect(PostgreSQLDialect().grantStatement(grant)
            == #"GRANT SELECT ON TABLE "dbo"."t]; DROP TABLE z; --" TO "x""; DROP ROLE y; --";"#)
        #expect(SQLServerDialect().grantStatement(grant)
            == #"GRANT SELECT ON OBJECT::[dbo].[t]]; DROP TABLE z; --] TO [x"; DROP ROLE y; --];"#)
    }

    @Test("SQL Server database-level grant has no ON")
    func sqlServerDatabaseGrant() {
        let grant = F.grant(F.role, "ALTER ANY DATASPACE", .database(), type: .database)
        #expect(SQLServerDialect().grantStatement(grant)
            == "GRANT ALTER ANY DATASPACE TO [etl016_role];")
    }
}
