import ETL016Core
import Foundation
import Testing

/// A permissions file and the grants and memberships it must declare.
struct GrantParseCase: Sendable, CustomTestStringConvertible {
    var name: String
    var kind: DialectKind
    var text: String
    var variables: [String: String] = [:]
    /// Each grant as `principal PERMISSION type object [column c] [with grant option]`.
    var grants: [String]
    /// Each membership as `member in role`.
    var memberships: [String] = []

    var testDescription: String { "\(kind): \(name)" }
}

/// A permissions file that must be rejected at a line, with a phrase of the message.
struct GrantErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var kind: DialectKind
    var text: String
    var line: Int
    var messageContains: String

    var testDescription: String { "\(kind): \(name)" }
}

/// Writes a grant in the compact form the test tables use.
func compact(_ grant: Grant) -> String {
    var text = "\(grant.principal) \(grant.permission) \(grant.objectType.rawValue) "
        + grant.securable.withoutColumn.description
    if let column = grant.securable.column { text += " column \(column)" }
    if grant.withGrantOption { text += " with grant option" }
    return text
}

private let postgreSQLCases: [GrantParseCase] = [
    GrantParseCase(
        name: "list of privileges",
        kind: .postgreSQL,
        text: "GRANT SELECT, INSERT, UPDATE ON TABLE dbo.error_logs TO etl016_role;",
        grants: [
            "etl016_role SELECT table dbo.error_logs", "etl016_role INSERT table dbo.error_logs",
            "etl016_role UPDATE table dbo.error_logs",
        ]),
    GrantParseCase(
        name: "lower case privileges become upper case",
        kind: .postgreSQL,
        text: "grant select, delete on table dbo.f_trafegoc01 to etl016_role;",
        grants: [
            "etl016_role SELECT table dbo.f_trafegoc01",
            "etl016_role DELETE table dbo.f_trafegoc01",
        ]),
    GrantParseCase(
        name: "object without a kind is a table",
        kind: .postgreSQL,
        text: "GRANT SELECT ON dbo.vw_etl016_errors TO etl016_role;",
        grants: ["etl016_role SELECT table dbo.vw_etl016_errors"]),
    GrantParseCase(
        name: "unquoted names fold to lower case",
        kind: .postgreSQL,
        text: "GRANT SELECT ON TABLE DBO.Error_Logs TO ETL016_Role;",
        grants: ["etl016_role SELECT table dbo.error_logs"]),
    GrantParseCase(
        name: "quoted names keep case and spaces",
        kind: .postgreSQL,
        text: #"GRANT SELECT ON TABLE "Dbo"."Traffic ""Data""" TO "Role One";"#,
        grants: [#"Role One SELECT table Dbo.Traffic "Data""#]),
    GrantParseCase(
        name: "function with argument types",
        kind: .postgreSQL,
        text: "GRANT EXECUTE ON FUNCTION dbo.etl016_dia_date(text, numeric(10, 2)) TO r;",
        grants: ["r EXECUTE function dbo.etl016_dia_date(text, numeric(10, 2))"]),
    GrantParseCase(
        name: "function with empty argument list",
        kind: .postgreSQL,
        text: "GRANT EXECUTE ON FUNCTION dbo.sp_etl016_performance_analysis() TO etl016_role;",
        grants: ["etl016_role EXECUTE function dbo.sp_etl016_performance_analysis()"]),
    GrantParseCase(
        name: "function without argument list",
        kind: .postgreSQL,
        text: "GRANT EXECUTE ON FUNCTION dbo.sp_etl016_performance_analysis TO etl016_role;",
        grants: ["etl016_role EXECUTE function dbo.sp_etl016_performance_analysis"]),
    GrantParseCase(
        name: "procedure and sequence",
        kind: .postgreSQL,
        text: """
            GRANT EXECUTE ON PROCEDURE dbo.purge(integer) TO r;
            GRANT USAGE, SELECT ON SEQUENCE dbo.ids TO r;
            """,
        grants: [
            "r EXECUTE procedure dbo.purge(integer)", "r USAGE sequence dbo.ids",
            "r SELECT sequence dbo.ids",
        ]),
    GrantParseCase(
        name: "schema and database",
        kind: .postgreSQL,
        text: "GRANT USAGE ON SCHEMA dbo TO etl016_role;\nGRANT CONNECT ON DATABASE etl016 TO r;",
        grants: ["etl016_role USAGE schema dbo", "r CONNECT database etl016"]),
    GrantParseCase(
        name: "several objects and grantees",
        kind: .postgreSQL,
        text: "GRANT SELECT ON TABLE dbo.a, dbo.b TO r1, r2;",
        grants: [
            "r1 SELECT table dbo.a", "r2 SELECT table dbo.a", "r1 SELECT table dbo.b",
            "r2 SELECT table dbo.b",
        ]),
    GrantParseCase(
        name: "column privileges",
        kind: .postgreSQL,
        text: "GRANT SELECT (dia, campo1), UPDATE (campo2) ON dbo.f_trafegoc01 TO r;",
        grants: [
            "r SELECT table dbo.f_trafegoc01 column dia",
            "r SELECT table dbo.f_trafegoc01 column campo1",
            "r UPDATE table dbo.f_trafegoc01 column campo2",
        ]),
    GrantParseCase(
        name: "grant option and grantor",
        kind: .postgreSQL,
        text: "GRANT SELECT ON TABLE dbo.t TO r WITH GRANT OPTION GRANTED BY postgres;",
        grants: ["r SELECT table dbo.t with grant option"]),
    GrantParseCase(
        name: "grant to PUBLIC",
        kind: .postgreSQL,
        text: "GRANT EXECUTE ON FUNCTION dbo.f() TO PUBLIC;",
        grants: ["PUBLIC EXECUTE function dbo.f()"]),
    GrantParseCase(
        name: "role membership with a variable",
        kind: .postgreSQL,
        text: #"GRANT etl016_role TO "$(service_login)";"#,
        variables: ["service_login": "talend_user"],
        grants: [],
        memberships: ["talend_user in etl016_role"]),
    GrantParseCase(
        name: "variable names ignore case",
        kind: .postgreSQL,
        text: #"GRANT etl016_role TO "$(Service_Login)";"#,
        variables: ["service_login": "Talend_User"],
        grants: [],
        memberships: ["Talend_User in etl016_role"]),
    GrantParseCase(
        name: "role memberships with options",
        kind: .postgreSQL,
        text: #"GRANT etl016_role, "Readers" TO m1, "M2" WITH ADMIN OPTION GRANTED BY postgres;"#,
        grants: [],
        memberships: ["m1 in etl016_role", "m1 in Readers", "M2 in etl016_role", "M2 in Readers"]),
    GrantParseCase(
        name: "comments everywhere",
        kind: .postgreSQL,
        text: """
            -- header
            GRANT /* inline */ SELECT -- trailing
                ON TABLE dbo.t /* nested /* comment */ */ TO r;
            /* GRANT DELETE ON TABLE dbo.t TO r; */
            """,
        grants: ["r SELECT table dbo.t"]),
    GrantParseCase(
        name: "TEMP is TEMPORARY",
        kind: .postgreSQL,
        text: """
            GRANT TEMP, CONNECT ON DATABASE etl016 TO r;
            GRANT TEMPORARY ON DATABASE etl016 TO r;
            """,
        grants: ["r TEMPORARY database etl016", "r CONNECT database etl016"]),
    GrantParseCase(
        name: "sequence privileges",
        kind: .postgreSQL,
        text: "GRANT USAGE, SELECT, UPDATE ON SEQUENCE dbo.ids TO r;",
        grants: [
            "r USAGE sequence dbo.ids", "r SELECT sequence dbo.ids", "r UPDATE sequence dbo.ids",
        ]),
    GrantParseCase(
        name: "repeated grant counted once",
        kind: .postgreSQL,
        text: "GRANT SELECT ON TABLE dbo.t TO r;\nGRANT SELECT ON TABLE dbo.t TO r;",
        grants: ["r SELECT table dbo.t"]),
]

private let transactSQLCases: [GrantParseCase] = [
    GrantParseCase(
        name: "object list of permissions",
        kind: .sqlServer,
        text: "GRANT SELECT, DELETE ON OBJECT::dbo.f_trafegoc01 TO etl016_role;",
        grants: [
            "etl016_role SELECT object dbo.f_trafegoc01",
            "etl016_role DELETE object dbo.f_trafegoc01",
        ]),
    GrantParseCase(
        name: "lower case keywords and permissions",
        kind: .sqlServer,
        text: "grant select on object::dbo.error_logs to etl016_role",
        grants: ["etl016_role SELECT object dbo.error_logs"]),
    GrantParseCase(
        name: "bracketed names keep case and spaces",
        kind: .sqlServer,
        text: "GRANT SELECT ON OBJECT::[Dbo].[Traffic [Data]]] TO [ETL Role];",
        grants: ["ETL Role SELECT object Dbo.Traffic [Data]"]),
    GrantParseCase(
        name: "double-quoted names",
        kind: .sqlServer,
        text: #"GRANT SELECT ON OBJECT::"dbo"."Traffic Data" TO "ETL Role";"#,
        grants: ["ETL Role SELECT object dbo.Traffic Data"]),
    GrantParseCase(
        name: "unqualified name is in dbo",
        kind: .sqlServer,
        text: "GRANT EXECUTE ON sp_etl016_performance_analysis TO etl016_role;",
        grants: ["etl016_role EXECUTE object dbo.sp_etl016_performance_analysis"]),
    GrantParseCase(
        name: "schema-qualified name without class",
        kind: .sqlServer,
        text: "GRANT SELECT ON staging.loads TO etl016_role;",
        grants: ["etl016_role SELECT object staging.loads"]),
    GrantParseCase(
        name: "schema class with spaces",
        kind: .sqlServer,
        text: "GRANT SELECT ON SCHEMA :: dbo TO etl016_role;",
        grants: ["etl016_role SELECT schema dbo"]),
    GrantParseCase(
        name: "database-level permissions",
        kind: .sqlServer,
        text: "GRANT CREATE TABLE, VIEW DEFINITION, ALTER ANY DATASPACE TO etl016_role;",
        grants: [
            "etl016_role CREATE TABLE database current database",
            "etl016_role VIEW DEFINITION database current database",
            "etl016_role ALTER ANY DATASPACE database current database",
        ]),
    GrantParseCase(
        name: "role membership with a variable",
        kind: .sqlServer,
        text: "ALTER ROLE etl016_role ADD MEMBER [$(service_login)];",
        variables: ["service_login": "talend_user"],
        grants: [],
        memberships: ["talend_user in etl016_role"]),
    GrantParseCase(
        name: "statements without semicolons",
        kind: .sqlServer,
        text: """
            GRANT SELECT ON OBJECT::dbo.a TO r
            GRANT INSERT ON OBJECT::dbo.a TO r
            ALTER ROLE r ADD MEMBER m
            """,
        grants: ["r SELECT object dbo.a", "r INSERT object dbo.a"],
        memberships: ["m in r"]),
    GrantParseCase(
        name: "batches separated by GO",
        kind: .sqlServer,
        text: "GRANT SELECT ON OBJECT::dbo.a TO r;\nGO\nGRANT DELETE ON OBJECT::dbo.a TO r;\ngo\n",
        grants: ["r SELECT object dbo.a", "r DELETE object dbo.a"]),
    GrantParseCase(
        name: "columns after the object",
        kind: .sqlServer,
        text: "GRANT SELECT ON OBJECT::dbo.f_trafegoc01 (Dia, Campo1) TO r;",
        grants: [
            "r SELECT object dbo.f_trafegoc01 column Dia",
            "r SELECT object dbo.f_trafegoc01 column Campo1",
        ]),
    GrantParseCase(
        name: "columns after the permission",
        kind: .sqlServer,
        text: "GRANT UPDATE ([Campo2]) ON OBJECT::dbo.f_trafegoc01 TO r;",
        grants: ["r UPDATE object dbo.f_trafegoc01 column Campo2"]),
    GrantParseCase(
        name: "grant option and grantor",
        kind: .sqlServer,
        text: "GRANT SELECT ON OBJECT::dbo.t TO r WITH GRANT OPTION AS dbo;",
        grants: ["r SELECT object dbo.t with grant option"]),
    GrantParseCase(
        name: "EXEC is EXECUTE",
        kind: .sqlServer,
        text: "GRANT EXEC ON OBJECT::dbo.p TO r;\nGRANT EXECUTE ON OBJECT::dbo.p TO r;",
        grants: ["r EXECUTE object dbo.p"]),
    GrantParseCase(
        name: "multi-word permissions",
        kind: .sqlServer,
        text: "GRANT VIEW DEFINITION, TAKE OWNERSHIP ON OBJECT::dbo.t TO r;",
        grants: ["r VIEW DEFINITION object dbo.t", "r TAKE OWNERSHIP object dbo.t"]),
    GrantParseCase(
        name: "grant to public",
        kind: .sqlServer,
        text: "GRANT SELECT ON OBJECT::dbo.t TO [public];",
        grants: ["PUBLIC SELECT object dbo.t"]),
]

private let errorCases: [GrantErrorCase] = [
    GrantErrorCase(
        name: "CREATE ROLE", kind: .postgreSQL,
        text: "-- roles\n\nCREATE ROLE etl016_role;", line: 3,
        messageContains: "CREATE ROLE is not a statement verify-permissions reads"),
    GrantErrorCase(
        name: "REVOKE after grants", kind: .postgreSQL,
        text: "GRANT SELECT ON TABLE dbo.t TO r;\nREVOKE SELECT ON TABLE dbo.t FROM r;", line: 2,
        messageContains: "REVOKE is not a statement"),
    GrantErrorCase(
        name: "GRANT ALL", kind: .postgreSQL,
        text: "GRANT ALL PRIVILEGES ON TABLE dbo.t TO r;", line: 1,
        messageContains: "GRANT ALL is not supported"),
    GrantErrorCase(
        name: "table without schema", kind: .postgreSQL,
        text: "GRANT SELECT ON TABLE f_trafegoc01 TO r;", line: 1,
        messageContains: "dbo.f_trafegoc01"),
    GrantErrorCase(
        name: "ALL TABLES IN SCHEMA", kind: .postgreSQL,
        text: "GRANT SELECT ON ALL TABLES IN SCHEMA dbo TO r;", line: 1,
        messageContains: "ON ALL TABLES IN SCHEMA is not supported"),
    GrantErrorCase(
        name: "privilege without ON", kind: .postgreSQL,
        text: "GRANT SELECT TO r;", line: 1,
        messageContains: "expected ON after the privilege list"),
    GrantErrorCase(
        name: "grant to CURRENT_USER", kind: .postgreSQL,
        text: "GRANT SELECT ON TABLE dbo.t TO CURRENT_USER;", line: 1,
        messageContains: "name the role instead of CURRENT_USER"),
    GrantErrorCase(
        name: "FROM instead of TO", kind: .postgreSQL,
        text: "GRANT SELECT\nON TABLE dbo.t\nFROM r;", line: 3,
        messageContains: "expected TO after the object name, found 'FROM'"),
    GrantErrorCase(
        name: "privileges on a type", kind: .postgreSQL,
        text: "GRANT USAGE ON TYPE dbo.money_t TO r;", line: 1,
        messageContains: "privileges on TYPE objects are not supported"),
    GrantErrorCase(
        name: "variable without a value", kind: .postgreSQL,
        text: "GRANT SELECT ON TABLE dbo.t TO r;\nGRANT r TO \"$(service_login)\";", line: 2,
        messageContains: "$(service_login) on line 2"),
    GrantErrorCase(
        name: "unclosed quoted identifier", kind: .postgreSQL,
        text: "GRANT SELECT ON TABLE dbo.t TO r;\nGRANT r TO \"talend_user;", line: 2,
        messageContains: "never closed"),
    GrantErrorCase(
        name: "DENY", kind: .sqlServer,
        text: "GRANT SELECT ON OBJECT::dbo.t TO r;\nDENY DELETE ON OBJECT::dbo.t TO r;", line: 2,
        messageContains: "DENY is not a statement"),
    GrantErrorCase(
        name: "sp_addrolemember", kind: .sqlServer,
        text: "EXEC sp_addrolemember N'etl016_role', N'talend_user';", line: 1,
        messageContains: "ALTER ROLE role ADD MEMBER member"),
    GrantErrorCase(
        name: "ALTER ROLE DROP MEMBER", kind: .sqlServer,
        text: "ALTER ROLE etl016_role DROP MEMBER talend_user;", line: 1,
        messageContains: "only ALTER ROLE role ADD MEMBER member declares a membership"),
    GrantErrorCase(
        name: "unsupported securable class", kind: .sqlServer,
        text: "GRANT EXECUTE ON TYPE::dbo.ids TO r;", line: 1,
        messageContains: "permissions on TYPE:: are not supported"),
    GrantErrorCase(
        name: "database-qualified name", kind: .sqlServer,
        text: "GRANT SELECT ON OBJECT::etl016.dbo.t TO r;", line: 1,
        messageContains: "database-qualified names are not supported"),
    GrantErrorCase(
        name: "unknown statement in a later batch", kind: .sqlServer,
        text: "GRANT SELECT ON OBJECT::dbo.t TO r;\nGO\n\n-- next\nUPDATE dbo.t SET a = 1;\n",
        line: 5, messageContains: "UPDATE is not a statement"),
    GrantErrorCase(
        name: "missing principal", kind: .sqlServer,
        text: "GRANT SELECT ON OBJECT::dbo.t TO;", line: 1,
        messageContains: "expected a role or user name after TO, found ';'"),
    GrantErrorCase(
        name: "no permission before ON", kind: .sqlServer,
        text: "GRANT ON OBJECT::dbo.t TO r;", line: 1,
        messageContains: "expected a permission name after GRANT, found 'ON'"),
    GrantErrorCase(
        name: "GRANT ALL", kind: .sqlServer,
        text: "GRANT ALL ON OBJECT::dbo.t TO r;", line: 1,
        messageContains: "List the permissions"),
    GrantErrorCase(
        name: "misspelled privilege", kind: .postgreSQL,
        text: "GRANT SELECT ON TABLE dbo.t TO r;\nGRANT SELCT ON TABLE dbo.t TO r;", line: 2,
        messageContains: "SELCT is not a PostgreSQL permission on a table. Write one of SELECT"),
    GrantErrorCase(
        name: "privilege of another kind", kind: .postgreSQL,
        text: "GRANT EXECUTE ON TABLE dbo.t TO r;", line: 1,
        messageContains: "EXECUTE is not a PostgreSQL permission on a table"),
    GrantErrorCase(
        name: "DELETE on a column", kind: .postgreSQL,
        text: "GRANT DELETE (a) ON TABLE dbo.t TO r;", line: 1,
        messageContains: "DELETE is not a PostgreSQL permission on a column"),
    GrantErrorCase(
        name: "SELECT on a schema", kind: .postgreSQL,
        text: "GRANT SELECT ON SCHEMA dbo TO r;", line: 1,
        messageContains: "Write one of USAGE and CREATE"),
    GrantErrorCase(
        name: "misspelled object type", kind: .postgreSQL,
        text: "GRANT SELECT ON TABEL dbo.x TO r;", line: 1,
        messageContains: "TABEL is not an object type PostgreSQL grants privileges on"),
    GrantErrorCase(
        name: "misspelled permission", kind: .sqlServer,
        text: "GRANT SELECT, DELTE ON OBJECT::dbo.t TO r;", line: 1,
        messageContains: "DELTE is not a SQL Server permission on an object"),
    GrantErrorCase(
        name: "INSERT on a column", kind: .sqlServer,
        text: "GRANT INSERT ON OBJECT::dbo.t (a) TO r;", line: 1,
        messageContains: "INSERT is not a SQL Server permission on a column"),
    GrantErrorCase(
        name: "misspelled database permission", kind: .sqlServer,
        text: "GRANT CREATE TABEL TO r;", line: 1,
        messageContains: "sys.fn_builtin_permissions(N'DATABASE')"),
    GrantErrorCase(
        name: "misspelled class without colons", kind: .sqlServer,
        text: "GRANT SELECT ON TABEL dbo.x TO r;", line: 1,
        messageContains: "TABEL is not a SQL Server securable class"),
    GrantErrorCase(
        name: "misspelled class", kind: .sqlServer,
        text: "GRANT SELECT ON TABEL::dbo.x TO r;", line: 1,
        messageContains: "TABEL is not a SQL Server securable class"),
    GrantErrorCase(
        name: "class of three words", kind: .sqlServer,
        text: "GRANT EXECUTE ON XML SCHEMA COLLECTION::dbo.c TO r;", line: 1,
        messageContains: "permissions on XML SCHEMA COLLECTION:: are not supported"),
]

@Suite("GRANT parser")
struct GrantParserTests {
    static func parse(_ text: String, _ kind: DialectKind, variables: [String: String] = [:])
        throws -> DeclaredPermissions
    {
        try GrantParser.parse(
            text, fileName: "permissions.sql", variables: variables, dialect: dialect(for: kind))
    }

    @Test("parses PostgreSQL grants", arguments: postgreSQLCases)
    func parsesPostgreSQL(_ testCase: GrantParseCase) throws {
        let declared = try Self.parse(testCase.text, testCase.kind, variables: testCase.variables)
        #expect(declared.grants.map { compact($0.grant) } == testCase.grants)
        #expect(declared.memberships.map { $0.membership.description } == testCase.memberships)
    }

    @Test("parses T-SQL grants", arguments: transactSQLCases)
    func parsesTransactSQL(_ testCase: GrantParseCase) throws {
        let declared = try Self.parse(testCase.text, testCase.kind, variables: testCase.variables)
        #expect(declared.grants.map { compact($0.grant) } == testCase.grants)
        #expect(declared.memberships.map { $0.membership.description } == testCase.memberships)
    }

    @Test("rejects with file and line", arguments: errorCases)
    func rejects(_ testCase: GrantErrorCase) {
        do {
            let declared = try Self.parse(testCase.text, testCase.kind)
            Issue.record("parsed without error: \(declared.grants.map { compact($0.grant) })")
        } catch let error as GrantParseError {
            #expect(error.fileName == "permissions.sql")
            #expect(error.line == testCase.line)
            #expect(error.message.contains(testCase.messageContains), "\(error.message)")
            #expect(error.description.hasPrefix("permissions.sql line \(testCase.line): "))
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
    }

    @Test("records the declaring line")
    func recordsLines() throws {
        let declared = try Self.parse(
            "-- header\nGRANT SELECT\n    ON TABLE dbo.t TO r;\n\nGRANT r TO m;", .postgreSQL)
        #expect(declared.grants.map(\.line) == [2])
        #expect(declared.memberships.map(\.line) == [5])
    }

    @Test("lists principals in order of use")
    func listsPrincipals() throws {
        let declared = try Self.parse(
            "GRANT SELECT ON TABLE dbo.t TO r, PUBLIC;\nGRANT r TO m;", .postgreSQL)
        #expect(declared.principals == [.named("r"), .public, .named("m")])
    }

    @Test("reads the project PostgreSQL file")
    func projectPostgreSQLFile() throws {
        let declared = try Self.parse(
            try Self.projectFile("sql/permissions.postgresql.sql"), .postgreSQL,
            variables: ["service_login": "talend_user"])
        #expect(declared.grants.count == 13)
        #expect(declared.grants.contains { compact($0.grant) == "etl016_role USAGE schema dbo" })
        #expect(
            declared.grants.contains {
                compact($0.grant) == "etl016_role DELETE table dbo.f_trafegoc01"
            })
        #expect(declared.memberships.map { $0.membership.description } == [
            "talend_user in etl016_role"
        ])
    }

    @Test("reads the project SQL Server file")
    func projectSQLServerFile() throws {
        let declared = try Self.parse(
            try Self.projectFile("sql/permissions.sqlserver.sql"), .sqlServer,
            variables: ["service_login": "talend_user"])
        #expect(declared.grants.count == 12)
        #expect(
            declared.grants.contains {
                compact($0.grant) == "etl016_role EXECUTE object dbo.sp_etl016_performance_analysis"
            })
        #expect(declared.memberships.map { $0.membership.description } == [
            "talend_user in etl016_role"
        ])
    }

    static func projectFile(_ path: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }
}
