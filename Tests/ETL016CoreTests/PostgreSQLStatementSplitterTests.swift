import ETL016Core
import Testing

/// A PostgreSQL script and the statements it must split into.
struct PostgreSQLSplitCase: Sendable, CustomTestStringConvertible {
    var name: String
    var script: String
    var statements: [String]

    var testDescription: String { name }
}

private let splitCases: [PostgreSQLSplitCase] = [
    PostgreSQLSplitCase(
        name: "splits on semicolons",
        script: "CREATE TABLE dbo.a (id int);\nINSERT INTO dbo.a VALUES (1);\n",
        statements: ["CREATE TABLE dbo.a (id int);", "INSERT INTO dbo.a VALUES (1);"]),
    PostgreSQLSplitCase(
        name: "several statements on one line",
        script: "SELECT 1; SELECT 2;",
        statements: ["SELECT 1;", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "semicolon in string",
        script: "SELECT 'a;b';\nSELECT 2;",
        statements: ["SELECT 'a;b';", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "doubled quote in string",
        script: "SELECT 'it''s; fine';\nSELECT 2;",
        statements: ["SELECT 'it''s; fine';", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "backslash quote in escape string",
        script: "SELECT E'it\\'s; fine';\nSELECT 2;",
        statements: ["SELECT E'it\\'s; fine';", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "escape string made of a quote",
        script: "SELECT E'\\'';\nSELECT 2;",
        statements: ["SELECT E'\\'';", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "escaped backslash ends escape string",
        script: "SELECT e'\\\\'; SELECT 2;",
        statements: ["SELECT e'\\\\';", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "backslash in standard string",
        script: "SELECT 'C:\\'; SELECT 2;",
        statements: ["SELECT 'C:\\';", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "word ending in e before string",
        script: "SELECT name'x\\'; SELECT 2;",
        statements: ["SELECT name'x\\';", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "semicolon in quoted identifier",
        script: "SELECT 1 AS \"a;\"\"b\";\nSELECT 2;",
        statements: ["SELECT 1 AS \"a;\"\"b\";", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "dollar quoted function body",
        script: """
            CREATE FUNCTION dbo.one() RETURNS int LANGUAGE plpgsql AS $$
            BEGIN
                RETURN 1;
            END;
            $$;
            SELECT dbo.one();
            """,
        statements: [
            "CREATE FUNCTION dbo.one() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n"
                + "    RETURN 1;\nEND;\n$$;",
            "SELECT dbo.one();",
        ]),
    PostgreSQLSplitCase(
        name: "tagged body with inner dollars",
        script: "DO $body$ BEGIN EXECUTE $$SELECT 1;$$; END $body$;\nSELECT 2;",
        statements: ["DO $body$ BEGIN EXECUTE $$SELECT 1;$$; END $body$;", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "near miss tag inside body",
        script: "SELECT $a$ x $b$; $ab$; $a$;\nSELECT 2;",
        statements: ["SELECT $a$ x $b$; $ab$; $a$;", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "dollars inside standard string",
        script: "SELECT '$$'; SELECT 2;",
        statements: ["SELECT '$$';", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "parameter is not a tag",
        script: "PREPARE p (int) AS SELECT $1; EXECUTE p(1);",
        statements: ["PREPARE p (int) AS SELECT $1;", "EXECUTE p(1);"]),
    PostgreSQLSplitCase(
        name: "dollar inside identifier",
        script: "SELECT a$b$ FROM t; SELECT 2;",
        statements: ["SELECT a$b$ FROM t;", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "semicolon in line comment",
        script: "SELECT 1 -- first; still a comment\n; SELECT 2;",
        statements: ["SELECT 1 -- first; still a comment\n;", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "semicolon in nested block comment",
        script: "SELECT /* a /* b; */ c; */ 1;\nSELECT 2;",
        statements: ["SELECT /* a /* b; */ c; */ 1;", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "line comment hides block start",
        script: "SELECT 1; -- /* no comment starts\nSELECT 2;",
        statements: ["SELECT 1; -- /* no comment starts", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "semicolon inside parentheses",
        script: "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); "
            + "INSERT INTO b VALUES (2));\nSELECT 2;",
        statements: [
            "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); "
                + "INSERT INTO b VALUES (2));",
            "SELECT 2;",
        ]),
    PostgreSQLSplitCase(
        name: "begin atomic body",
        script: """
            CREATE OR REPLACE FUNCTION dbo.f(x int) RETURNS int LANGUAGE sql
            BEGIN ATOMIC
                SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;
                SELECT x;
            END;
            SELECT 2;
            """,
        statements: [
            "CREATE OR REPLACE FUNCTION dbo.f(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n"
                + "    SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n    SELECT x;\nEND;",
            "SELECT 2;",
        ]),
    PostgreSQLSplitCase(
        name: "transaction begin is a statement",
        script: "BEGIN; SELECT 1; END;",
        statements: ["BEGIN;", "SELECT 1;", "END;"]),
    PostgreSQLSplitCase(
        name: "trailing comment stays with statement",
        script: "SELECT 1; -- the first\n-- about the second\nSELECT 2;",
        statements: ["SELECT 1; -- the first", "-- about the second\nSELECT 2;"]),
    PostgreSQLSplitCase(
        name: "empty statements skipped",
        script: ";;\nSELECT 1;;\n  ;\n",
        statements: ["SELECT 1;"]),
    PostgreSQLSplitCase(
        name: "comment only statements skipped",
        script: "-- header\n/* block */;\nSELECT 1;\n-- trailer\n",
        statements: ["SELECT 1;"]),
    PostgreSQLSplitCase(
        name: "final statement without semicolon",
        script: "SELECT 1;\nSELECT 2\n\n",
        statements: ["SELECT 1;", "SELECT 2"]),
    PostgreSQLSplitCase(
        name: "crlf line ends",
        script: "SELECT 'a\r\nb';\r\nSELECT 2;\r\n",
        statements: ["SELECT 'a\nb';", "SELECT 2;"]),
    PostgreSQLSplitCase(
        name: "leading byte order mark",
        script: "\u{FEFF}SELECT 1;",
        statements: ["SELECT 1;"]),
    PostgreSQLSplitCase(
        name: "backslash inside body and comment",
        script: "SELECT $$\\n$$; -- \\connect\n/* \\i x */ SELECT E'\\\\';",
        statements: ["SELECT $$\\n$$; -- \\connect", "/* \\i x */ SELECT E'\\\\';"]),
    PostgreSQLSplitCase(
        name: "empty script",
        script: "",
        statements: []),
]

/// A PostgreSQL script that must be rejected, with the error kind and line.
struct PostgreSQLErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var script: String
    var kind: ScriptError.Kind
    var line: Int

    var testDescription: String { name }
}

private let errorCases: [PostgreSQLErrorCase] = [
    PostgreSQLErrorCase(
        name: "unterminated string", script: "SELECT 1;\nSELECT 'abc;\nSELECT 2;",
        kind: .unterminatedString, line: 2),
    PostgreSQLErrorCase(
        name: "unterminated escape string", script: "SELECT E'abc\\';\n",
        kind: .unterminatedString, line: 1),
    PostgreSQLErrorCase(
        name: "unterminated dollar quote", script: "\n\nDO $fn$ BEGIN NULL; END $$;\n",
        kind: .unterminatedDollarQuote, line: 3),
    PostgreSQLErrorCase(
        name: "unterminated quoted identifier", script: "SELECT \"a;\nSELECT 2;",
        kind: .unterminatedQuotedIdentifier, line: 1),
    PostgreSQLErrorCase(
        name: "unbalanced nested comment", script: "SELECT 1;\n/* a /* b */ SELECT 2;",
        kind: .unterminatedBlockComment, line: 2),
    PostgreSQLErrorCase(
        name: "meta-command at line start", script: "SELECT 1;\n\\connect other\nSELECT 2;",
        kind: .unsupportedClientCommand, line: 2),
    PostgreSQLErrorCase(
        name: "indented include", script: "  \\i other.sql\n",
        kind: .unsupportedClientCommand, line: 1),
    PostgreSQLErrorCase(
        name: "meta-command after query", script: "SELECT 1 \\gset\n",
        kind: .unsupportedClientCommand, line: 1),
]

@Suite("PostgreSQLStatementSplitter")
struct PostgreSQLStatementSplitterTests {
    @Test("splits statements", arguments: splitCases)
    func splitsStatements(_ testCase: PostgreSQLSplitCase) throws {
        let statements = try PostgreSQLStatementSplitter.split(testCase.script)

        #expect(statements.map(\.sql) == testCase.statements)
        #expect(statements.allSatisfy { $0.repeatCount == 1 })
    }

    @Test("rejects invalid scripts", arguments: errorCases)
    func rejectsInvalidScript(_ testCase: PostgreSQLErrorCase) {
        #expect {
            try PostgreSQLStatementSplitter.split(testCase.script)
        } throws: { error in
            guard let error = error as? ScriptError else {
                return false
            }
            return error.kind == testCase.kind && error.line == testCase.line
        }
    }

    @Test("records statement lines")
    func recordsLines() throws {
        let script = "\n-- create\nCREATE TABLE t (id int);\n\nINSERT INTO t\nVALUES (1); SELECT 1;"
        let statements = try PostgreSQLStatementSplitter.split(script)

        #expect(statements.map(\.line) == [2, 5, 6])
    }

    @Test("counts lines after dollar body")
    func countsLinesAfterDollarBody() throws {
        let script = "DO $$\nBEGIN\nNULL;\nEND\n$$;\r\n\r\nSELECT 1;"
        let statements = try PostgreSQLStatementSplitter.split(script)

        #expect(statements.map(\.line) == [1, 7])
    }

    @Test("keeps function body unchanged")
    func keepsFunctionBody() throws {
        let body = "$fn$\n  -- keep; this\n  SELECT 'x;y';  \n\n  RETURN $$a$$;\n$fn$"
        let script = "CREATE FUNCTION f() RETURNS text AS \(body) LANGUAGE plpgsql;\n"
        let statements = try PostgreSQLStatementSplitter.split(script)

        #expect(statements.count == 1)
        #expect(statements.first?.sql.contains(body) == true)
    }

    @Test("dollar quote message names tag")
    func dollarQuoteMessage() throws {
        let error = try #require(throws: ScriptError.self) {
            try PostgreSQLStatementSplitter.split("DO $fn$ BEGIN END")
        }

        #expect(error.message.contains("$fn$"))
    }

    @Test("meta-command message names command")
    func metaCommandMessage() throws {
        let error = try #require(throws: ScriptError.self) {
            try PostgreSQLStatementSplitter.split("\\set ON_ERROR_STOP on\n")
        }

        #expect(error.message.contains("\\set"))
        #expect(error.message.contains("SQL statements only"))
    }
}
