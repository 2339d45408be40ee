import ETL016Core
import Foundation
import Testing

/// A script and the batches it must split into.
struct TSQLSplitCase: Sendable, CustomTestStringConvertible {
    var name: String
    var script: String
    /// Expected batches as (repeat count, SQL text).
    var batches: [(repeatCount: Int, sql: String)]

    var testDescription: String { name }
}

/// The acceptance cases for sqlcmd-style splitting, with the script and batches copied in so
/// the suite does not depend on the case files.
private let acceptanceCases: [TSQLSplitCase] = [
    TSQLSplitCase(
        name: "basic",
        script: "CREATE TABLE dbo.a (id int);\nGO\nINSERT INTO dbo.a VALUES (1);\nGO\n",
        batches: [(1, "CREATE TABLE dbo.a (id int);"), (1, "INSERT INTO dbo.a VALUES (1);")]),
    TSQLSplitCase(
        name: "go-as-identifier",
        script: "SELECT go FROM dbo.t\nGOTO done\ndone:\nSELECT 1 AS [GO]\nGO\n",
        batches: [(1, "SELECT go FROM dbo.t\nGOTO done\ndone:\nSELECT 1 AS [GO]")]),
    TSQLSplitCase(
        name: "go-in-block-comment",
        script: "/* How to call it:\n   EXEC dbo.p\nGO\n*/\n"
            + "CREATE PROCEDURE dbo.p AS SELECT 1;\n",
        batches: [
            (1, "/* How to call it:\n   EXEC dbo.p\nGO\n*/\nCREATE PROCEDURE dbo.p AS SELECT 1;")
        ]),
    TSQLSplitCase(
        name: "go-in-string",
        script: "INSERT INTO dbo.notes (body) VALUES ('first line\nGO\nlast line');\nGO\n"
            + "SELECT body FROM dbo.notes;\n",
        batches: [
            (1, "INSERT INTO dbo.notes (body) VALUES ('first line\nGO\nlast line');"),
            (1, "SELECT body FROM dbo.notes;"),
        ]),
    TSQLSplitCase(
        name: "go-trailing-comment",
        script: "CREATE TABLE dbo.b (id int);\nGO -- end of part one\nDROP TABLE dbo.b;\n",
        batches: [(1, "CREATE TABLE dbo.b (id int);"), (1, "DROP TABLE dbo.b;")]),
    TSQLSplitCase(
        name: "leading-comment-batch",
        script: "/*\n  Release notes for this script.\n*/\nGO\nSET NOCOUNT ON;\nSELECT 1;\n",
        batches: [(1, "SET NOCOUNT ON;\nSELECT 1;")]),
    TSQLSplitCase(
        name: "nested-block-comment",
        script: "CREATE FUNCTION dbo.f() RETURNS int AS\nBEGIN\n"
            + "/* outer comment /* inner comment ) */\nGO\n   still the outer comment */\n"
            + "  RETURN 1;\nEND\nGO\nSELECT dbo.f();\n",
        batches: [
            (1, "CREATE FUNCTION dbo.f() RETURNS int AS\nBEGIN\n"
                + "/* outer comment /* inner comment ) */\nGO\n   still the outer comment */\n"
                + "  RETURN 1;\nEND"),
            (1, "SELECT dbo.f();"),
        ]),
    TSQLSplitCase(
        name: "repeat-count",
        script: "INSERT INTO dbo.counter DEFAULT VALUES;\ngo 3\n"
            + "SELECT COUNT(*) FROM dbo.counter;\n",
        batches: [
            (3, "INSERT INTO dbo.counter DEFAULT VALUES;"),
            (1, "SELECT COUNT(*) FROM dbo.counter;"),
        ]),
]

private let hardCases: [TSQLSplitCase] = [
    TSQLSplitCase(
        name: "lowercase go with count",
        script: "SELECT 1;\ngo 2\nSELECT 2;",
        batches: [(2, "SELECT 1;"), (1, "SELECT 2;")]),
    TSQLSplitCase(
        name: "mixed case go",
        script: "SELECT 1;\nGo\nSELECT 2;\ngO\n",
        batches: [(1, "SELECT 1;"), (1, "SELECT 2;")]),
    TSQLSplitCase(
        name: "go with surrounding spaces and tabs",
        script: "SELECT 1;\n \t GO \t \nSELECT 2;",
        batches: [(1, "SELECT 1;"), (1, "SELECT 2;")]),
    TSQLSplitCase(
        name: "tab before repeat count",
        script: "SELECT 1;\nGO\t4\n",
        batches: [(4, "SELECT 1;")]),
    TSQLSplitCase(
        name: "comment right after go",
        script: "SELECT 1;\nGO--end\nSELECT 2;",
        batches: [(1, "SELECT 1;"), (1, "SELECT 2;")]),
    TSQLSplitCase(
        name: "count followed by comment",
        script: "SELECT 1;\nGO 2 -- twice\nSELECT 2;",
        batches: [(2, "SELECT 1;"), (1, "SELECT 2;")]),
    TSQLSplitCase(
        name: "comment hiding block start after go",
        script: "SELECT 1;\nGO -- /* not a comment\nSELECT 2;",
        batches: [(1, "SELECT 1;"), (1, "SELECT 2;")]),
    TSQLSplitCase(
        name: "go at end without newline",
        script: "SELECT 1;\nGO",
        batches: [(1, "SELECT 1;")]),
    TSQLSplitCase(
        name: "goto and go semicolon are text",
        script: "GOTO finish\nGO;\nfinish:\nSELECT 1;",
        batches: [(1, "GOTO finish\nGO;\nfinish:\nSELECT 1;")]),
    TSQLSplitCase(
        name: "go after code on same line",
        script: "SELECT 1 GO\nSELECT 2;",
        batches: [(1, "SELECT 1 GO\nSELECT 2;")]),
    TSQLSplitCase(
        name: "go glued to count",
        script: "SELECT 1;\nGO3\n",
        batches: [(1, "SELECT 1;\nGO3")]),
    TSQLSplitCase(
        name: "go after closed block comment",
        script: "SELECT 1;\n/* note */ GO\nSELECT 2;",
        batches: [(1, "SELECT 1;\n/* note */"), (1, "SELECT 2;")]),
    TSQLSplitCase(
        name: "go after multiline comment end",
        script: "SELECT 1;\n/* first\n   second */ GO\nSELECT 2;",
        batches: [(1, "SELECT 1;\n/* first\n   second */"), (1, "SELECT 2;")]),
    TSQLSplitCase(
        name: "go after string ending on its line",
        script: "SELECT 'a\n' GO\nSELECT 2;",
        batches: [(1, "SELECT 'a\n' GO\nSELECT 2;")]),
    TSQLSplitCase(
        name: "go in double quoted identifier",
        script: "SELECT 1 AS \"x\nGO\ny\";\nGO\nSELECT 2;",
        batches: [(1, "SELECT 1 AS \"x\nGO\ny\";"), (1, "SELECT 2;")]),
    TSQLSplitCase(
        name: "doubled quote inside string",
        script: "SELECT 'it''s\nGO\nfine';\nGO\nSELECT 2;",
        batches: [(1, "SELECT 'it''s\nGO\nfine';"), (1, "SELECT 2;")]),
    TSQLSplitCase(
        name: "escaped bracket inside identifier",
        script: "SELECT 1 AS [a]]\nGO\nb];\nGO\nSELECT 2;",
        batches: [(1, "SELECT 1 AS [a]]\nGO\nb];"), (1, "SELECT 2;")]),
    TSQLSplitCase(
        name: "dashes inside string",
        script: "SELECT '-- not a comment /*';\nGO\nSELECT 2;",
        batches: [(1, "SELECT '-- not a comment /*';"), (1, "SELECT 2;")]),
    TSQLSplitCase(
        name: "line comment hides block start",
        script: "SELECT 1; -- /* not a block comment\nGO\nSELECT 2;",
        batches: [(1, "SELECT 1; -- /* not a block comment"), (1, "SELECT 2;")]),
    TSQLSplitCase(
        name: "deeply nested block comment",
        script: "/* a /* b /* c */\nGO\n */\nGO\n*/\nSELECT 1;\nGO\nSELECT 2;",
        batches: [(1, "/* a /* b /* c */\nGO\n */\nGO\n*/\nSELECT 1;"), (1, "SELECT 2;")]),
    TSQLSplitCase(
        name: "comment only batches skipped",
        script: "-- header\nGO\n/* block */\nGO 5\n\n   \nGO\nSELECT 1;\nGO\n-- trailer\n",
        batches: [(1, "SELECT 1;")]),
    TSQLSplitCase(
        name: "final batch without go",
        script: "SELECT 1;\nGO\nSELECT 2;\nSELECT 3;\n\n",
        batches: [(1, "SELECT 1;"), (1, "SELECT 2;\nSELECT 3;")]),
    TSQLSplitCase(
        name: "inner blank lines and indentation kept",
        script: "\n\n    SELECT 1\n\n    FROM dbo.t;   \n\nGO\n",
        batches: [(1, "SELECT 1\n\n    FROM dbo.t;")]),
    TSQLSplitCase(
        name: "crlf line ends",
        script: "SELECT 1;\r\nGO\r\nSELECT 'a\r\nb';\r\ngo 2\r\n",
        batches: [(1, "SELECT 1;"), (2, "SELECT 'a\nb';")]),
    TSQLSplitCase(
        name: "leading byte order mark",
        script: "\u{FEFF}SELECT 1;\nGO\nSELECT 2;",
        batches: [(1, "SELECT 1;"), (1, "SELECT 2;")]),
    TSQLSplitCase(
        name: "variables and labels stay text",
        script: "DECLARE @go int = 1;\nGO\nSELECT #go.x FROM #go;\n",
        batches: [(1, "DECLARE @go int = 1;"), (1, "SELECT #go.x FROM #go;")]),
    TSQLSplitCase(
        name: "double colon at line start",
        script: "GRANT SELECT ON SCHEMA\n::dbo TO etl016_role;\n",
        batches: [(1, "GRANT SELECT ON SCHEMA\n::dbo TO etl016_role;")]),
    TSQLSplitCase(
        name: "empty script",
        script: "",
        batches: []),
    TSQLSplitCase(
        name: "only go lines",
        script: "GO\nGO\n",
        batches: []),
]

/// A script that must be rejected, with the error kind and line.
struct TSQLErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var script: String
    var kind: ScriptError.Kind
    var line: Int

    var testDescription: String { name }
}

private let errorCases: [TSQLErrorCase] = [
    TSQLErrorCase(name: "go zero", script: "SELECT 1;\nGO 0\n", kind: .invalidRepeatCount, line: 2),
    TSQLErrorCase(
        name: "go letters", script: "SELECT 1;\nGO x\n", kind: .invalidRepeatCount, line: 2),
    TSQLErrorCase(
        name: "go count with trailing text", script: "SELECT 1;\nGO 3 x\n",
        kind: .invalidRepeatCount, line: 2),
    TSQLErrorCase(
        name: "go negative count", script: "SELECT 1;\n\nGO -1\n", kind: .invalidRepeatCount,
        line: 3),
    TSQLErrorCase(
        name: "go count too large", script: "SELECT 1;\nGO 99999999999999999999999\n",
        kind: .invalidRepeatCount, line: 2),
    TSQLErrorCase(
        name: "go with block comment", script: "SELECT 1;\nGO /* x */\n",
        kind: .invalidRepeatCount, line: 2),
    TSQLErrorCase(
        name: "unterminated string", script: "SELECT 1;\nGO\nSELECT 'abc\nGO\nSELECT 2;",
        kind: .unterminatedString, line: 3),
    TSQLErrorCase(
        name: "unterminated bracket", script: "SELECT [name\nGO\n",
        kind: .unterminatedQuotedIdentifier, line: 1),
    TSQLErrorCase(
        name: "unterminated double quote", script: "\n\nSELECT \"name\nGO\n",
        kind: .unterminatedQuotedIdentifier, line: 3),
    TSQLErrorCase(
        name: "unbalanced nested comment", script: "SELECT 1;\n/* a /* b */\nGO\n",
        kind: .unterminatedBlockComment, line: 2),
    TSQLErrorCase(
        name: "sqlcmd setvar", script: "SELECT 1;\n:setvar Login talend_user\nGO\n",
        kind: .unsupportedClientCommand, line: 2),
    TSQLErrorCase(
        name: "sqlcmd include", script: "  :r other.sql\n", kind: .unsupportedClientCommand,
        line: 1),
    TSQLErrorCase(
        name: "sqlcmd on error", script: ":ON ERROR EXIT\nSELECT 1;\n",
        kind: .unsupportedClientCommand, line: 1),
    TSQLErrorCase(
        name: "sqlcmd shell command", script: "SELECT 1;\nGO\n!! dir\n",
        kind: .unsupportedClientCommand, line: 3),
]

@Suite("TSQLBatchSplitter")
struct TSQLBatchSplitterTests {
    @Test("splits acceptance cases", arguments: acceptanceCases)
    func splitsAcceptanceCase(_ testCase: TSQLSplitCase) throws {
        let batches = try TSQLBatchSplitter.split(testCase.script)

        #expect(batches.map(\.sql) == testCase.batches.map(\.sql))
        #expect(batches.map(\.repeatCount) == testCase.batches.map(\.repeatCount))
    }

    @Test("splits hard cases", arguments: hardCases)
    func splitsHardCase(_ testCase: TSQLSplitCase) throws {
        let batches = try TSQLBatchSplitter.split(testCase.script)

        #expect(batches.map(\.sql) == testCase.batches.map(\.sql))
        #expect(batches.map(\.repeatCount) == testCase.batches.map(\.repeatCount))
    }

    @Test("rejects invalid scripts", arguments: errorCases)
    func rejectsInvalidScript(_ testCase: TSQLErrorCase) {
        #expect {
            try TSQLBatchSplitter.split(testCase.script)
        } throws: { error in
            guard let error = error as? ScriptError else {
                return false
            }
            return error.kind == testCase.kind && error.line == testCase.line
        }
    }

    @Test("records first non-blank line")
    func recordsLines() throws {
        let script = "-- header\n\nSELECT 1;\nGO\n\n\n  SELECT 2;\nGO 2\nSELECT 3;"
        let batches = try TSQLBatchSplitter.split(script)

        #expect(batches.map(\.line) == [1, 7, 9])
    }

    @Test("counts lines in crlf files")
    func countsCRLFLines() throws {
        let script = "\u{FEFF}SELECT 1;\r\nGO\r\n\r\nSELECT 2;\r\n"
        let batches = try TSQLBatchSplitter.split(script)

        #expect(batches.map(\.line) == [1, 4])
        #expect(!batches.contains { $0.sql.contains("\r") })
    }

    @Test("go zero message explains fix")
    func goZeroMessage() throws {
        let error = try #require(throws: ScriptError.self) {
            try TSQLBatchSplitter.split("SELECT 1;\nGO 0\n")
        }

        #expect(error.message.contains("zero times"))
        #expect(error.description.hasPrefix("line 2: "))
    }

    @Test("invalid count message quotes value")
    func invalidCountMessage() throws {
        let error = try #require(throws: ScriptError.self) {
            try TSQLBatchSplitter.split("SELECT 1;\nGO many\n")
        }

        #expect(error.message.contains("'many'"))
        #expect(error.message.contains("GO 3"))
    }

    @Test("setvar message points to var option")
    func setvarMessage() throws {
        let error = try #require(throws: ScriptError.self) {
            try TSQLBatchSplitter.split(":setvar Login x\n")
        }

        #expect(error.message.contains(":setvar"))
        #expect(error.message.contains("--var NAME=VALUE"))
    }

    @Test("matches acceptance case files", .enabled(if: AcceptanceCaseFiles.folder != nil))
    func matchesCaseFiles() throws {
        let folder = try #require(AcceptanceCaseFiles.folder)
        let scripts = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".sql") }
            .sorted()
        #expect(!scripts.isEmpty)

        for scriptName in scripts {
            let scriptURL = folder.appendingPathComponent(scriptName)
            let expectedURL = scriptURL.deletingPathExtension()
                .appendingPathExtension("expected.json")
            let script = try String(contentsOf: scriptURL, encoding: .utf8)
            let expected = try JSONDecoder().decode(
                AcceptanceCaseFiles.Expected.self, from: Data(contentsOf: expectedURL))

            let batches = try TSQLBatchSplitter.split(script)

            let actualSQL = batches.map { AcceptanceCaseFiles.normalize($0.sql) }
            let expectedSQL = expected.batches.map { AcceptanceCaseFiles.normalize($0.sql) }
            #expect(actualSQL == expectedSQL, "\(scriptName)")
            #expect(batches.map(\.repeatCount) == expected.batches.map(\.repeat), "\(scriptName)")
        }
    }
}

/// The acceptance case files, found beside the package when the checkout has them.
enum AcceptanceCaseFiles {
    struct Expected: Decodable {
        struct ExpectedBatch: Decodable {
            var sql: String
            var `repeat`: Int
        }
        var batches: [ExpectedBatch]
    }

    static let folder: URL? = {
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
        let folder = packageRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/cases/tsql-batches")
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory)
        return exists && isDirectory.boolValue ? folder : nil
    }()

    /// Compares texts the way the acceptance checker does: CRLF as LF, outer whitespace trimmed.
    static func normalize(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
