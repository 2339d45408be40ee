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
    func sqlServerFix() {
        let plan = FixPlan.build(
            Self.driftedResult(), revokeExtra: false, dialect: SQLServerDialect())
        #expect(plan.statements.map(\.sql) == [
            "REVOKE DELETE ON OBJECT::[dbo].[f_trafegoc01] FROM [etl016_role];",
            "GRANT DELETE ON OBJECT::[dbo].[f_trafegoc01] TO [etl016_role];",
            "ALTER ROLE [etl016_role] ADD MEMBER [talend_user];",
        ])
        #expect(plan.skipped.isEmpty)
    }

    @Test("revoke-extra on SQL Server adds revokes")
    func sqlServerRevokeExtra() {
        let plan = FixPlan.build(
            Self.driftedResult(), revokeExtra: true, dialect: SQLServerDialect())
        #expect(plan.statements.suffix(2).map(\.sql) == [
            "REVOKE INSERT ON OBJECT::[dbo].[f_trafegoc01] FROM [etl016_role] CASCADE;",
            "ALTER ROLE [db_owner] DROP MEMBER [talend_user];",
        ])
        #expect(plan.statements.suffix(2).map(\.action) == [.revoke, .dropMember])
    }

    @Test("fix on PostgreSQL")
    func postgreSQLFix() {
        let plan = FixPlan.build(
            Self.driftedResult(), revokeExtra: true, dialect: PostgreSQLDialect())
        #expect(plan.statements.map(\.sql) == [
            #"REVOKE DELETE ON TABLE "dbo"."f_trafegoc01" FROM "etl016_role";"#,
            #"GRANT DELETE ON TABLE "dbo"."f_trafegoc01" TO "etl016_role";"#,
            #"GRANT "etl016_role" TO "talend_user";"#,
            #"REVOKE INSERT ON TABLE "dbo"."f_trafegoc01" FROM "etl016_role" CASCADE;"#,
            #"REVOKE "db_owner" FROM "talend_user";"#,
        ])
    }

    @Test("missing role is skipped with its reason")
    func missingRoleSkipped() {
        var snapshot = F.matchingSnapshot()
        snapshot.principals[F.role] = nil
        snapshot.grants = []
        snapshot.memberships = []
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        let plan = FixPlan.build(result, revokeExtra: false, dialect: PostgreSQLDialect())
        #expect(plan.statements.isEmpty)
        #expect(plan.skipped.count == 3)
        #expect(
            plan.skipped.first
                == "SELECT on dbo.f_trafegoc01 for etl016_role: etl016_role does not exist")
    }

    @Test("grant option only is revoked alone")
    func grantOptionRevoke() {
        var snapshot = F.matchingSnapshot()
        snapshot.grants[0] = CatalogGrant(
            grant: F.grant(F.role, "SELECT"), state: .grantWithGrantOption)
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        let plan = FixPlan.build(result, revokeExtra: true, dialect: PostgreSQLDialect())
        #expect(plan.statements.map(\.sql) == [
            #"REVOKE GRANT OPTION FOR SELECT ON TABLE "dbo"."f_trafegoc01" FROM "etl016_role" "#
                + "CASCADE;"
        ])
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
