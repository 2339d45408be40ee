/// Splits a PostgreSQL script into statements on `;`, the way psql does.
///
/// A `;` ends a statement only in code: not in a string (`'it''s'`, `E'it\'s'`), a quoted
/// identifier, a dollar-quoted body (`$$...$$`, `$fn$...$fn$`), a `--` comment or a nested block
/// comment. Like psql, it also ignores `;` inside parentheses and inside the `BEGIN ATOMIC ... END`
/// body of `CREATE FUNCTION` and `CREATE PROCEDURE`. `$1` is a parameter, not a dollar quote.
///
///     let statements = try PostgreSQLStatementSplitter.split("""
///         CREATE FUNCTION dbo.one() RETURNS int LANGUAGE plpgsql AS $$
///         BEGIN RETURN 1; END
///         $$;
///         SELECT dbo.one();
///         """)
///     // statements.count == 2, statements[1].line == 4
///
/// Each statement keeps its text as written, `;` included, so function bodies reach the server
/// unchanged. A `--` comment on the same line after the `;` stays with the statement it follows.
public enum PostgreSQLStatementSplitter {
    /// Splits `script` into statements, in order, each with a `repeatCount` of 1.
    ///
    /// A leading UTF-8 byte order mark is ignored and CRLF line ends become LF. Empty statements
    /// and statements that hold only comments are left out, and text after the last `;` is a
    /// statement of its own.
    ///
    /// - Throws: `ScriptError` for a string, quoted identifier, dollar quote or block comment that
    ///   is never closed, and for a psql meta-command such as `\connect`, which is not SQL.
    public static func split(_ script: String) throws -> [Batch] {
        let bytes = ScriptBytes.normalizedBytes(script.utf8)
        var scanner = SQLScanner(bytes, dialect: .postgreSQL)
        var statements: [Batch] = []
        var statement = StatementState(start: 0, line: 1)

        func appendStatement(endingAt end: Int) {
            guard statement.hasCode,
                let (sql, line) = ScriptBytes.trimmedText(
                    of: bytes, in: statement.start..<end, startLine: statement.line)
            else {
                return
            }
            statements.append(Batch(sql: sql, line: line, repeatCount: 1))
        }

        while let token = scanner.next() {
            guard token.isTerminated else {
                throw ScriptError.unterminated(token, in: scanner)
            }
            if token.isTrivia {
                continue
            }
            if token.kind == .symbol && bytes[token.range.lowerBound] == ASCII.backslash {
                throw metaCommandError(at: token, in: scanner)
            }

            if statement.endsStatement(token, in: scanner) {
                let end = endIncludingTrailingComment(after: token, in: scanner)
                appendStatement(endingAt: end)
                scanner.skip(to: end)
                statement = StatementState(start: end, line: scanner.line)
                continue
            }
            statement.record(token, in: scanner)
        }

        appendStatement(endingAt: bytes.count)
        return statements
    }

    /// Returns where the statement ending with the `;` of `token` ends: the end of the line when
    /// only blanks and a `--` comment follow the `;` there, and just after the `;` otherwise.
    private static func endIncludingTrailingComment(
        after token: SQLToken, in scanner: SQLScanner
    ) -> Int {
        let bytes = scanner.bytes
        var index = token.range.upperBound
        while index < bytes.count, ASCII.isHorizontalSpace(bytes[index]) {
            index += 1
        }

        let lineEnd = scanner.endOfLine(from: index)
        let rest = bytes[index..<lineEnd]
        if rest.isEmpty || rest.starts(with: [ASCII.hyphen, ASCII.hyphen]) {
            return lineEnd
        }
        return token.range.upperBound
    }

    private static func metaCommandError(at token: SQLToken, in scanner: SQLScanner) -> ScriptError
    {
        let bytes = scanner.bytes
        var end = token.range.upperBound
        while end < bytes.count, !ASCII.isWhitespace(bytes[end]) {
            end += 1
        }
        let command = String(decoding: bytes[token.range.lowerBound..<end], as: UTF8.self)
        return ScriptError(
            kind: .unsupportedClientCommand, line: token.line,
            message: "The psql meta-command \(command) is not supported, because etl016-db "
                + "runs SQL statements only. Write the step as SQL, or run it with psql outside "
                + "the migration.")
    }
}

/// The bookkeeping that decides whether a `;` ends the current statement.
private struct StatementState {
    var start: Int
    var line: Int
    var hasCode = false
    var parenthesisDepth = 0

    /// The depth of `BEGIN ... END` (and `CASE ... END` within it) in a routine body.
    var blockDepth = 0

    /// The first words of the statement, upper-cased, kept until they show whether it defines a
    /// function or procedure.
    var leadingWords: [String] = []

    init(start: Int, line: Int) {
        self.start = start
        self.line = line
    }

    func endsStatement(_ token: SQLToken, in scanner: SQLScanner) -> Bool {
        token.kind == .symbol && scanner.bytes[token.range.lowerBound] == ASCII.semicolon
            && parenthesisDepth == 0 && blockDepth == 0
    }

    mutating func record(_ token: SQLToken, in scanner: SQLScanner) {
        hasCode = true

        if token.kind == .symbol {
            switch scanner.bytes[token.range.lowerBound] {
            case ASCII.openParenthesis:
                parenthesisDepth += 1
            case ASCII.closeParenthesis:
                parenthesisDepth = max(parenthesisDepth - 1, 0)
            default:
                break
            }
            return
        }

        guard token.kind == .word else {
            return
        }
        let word = scanner.keyword(token)
        if leadingWords.count < 4 {
            leadingWords.append(word)
        }
        guard parenthesisDepth == 0, definesRoutine else {
            return
        }

        // psql's rule for SQL-standard bodies: BEGIN opens a block, CASE opens one only inside
        // a block, and END closes the innermost.
        switch word {
        case "BEGIN":
            blockDepth += 1
        case "CASE" where blockDepth > 0:
            blockDepth += 1
        case "END" where blockDepth > 0:
            blockDepth -= 1
        default:
            break
        }
    }

    /// True for `CREATE [OR REPLACE] FUNCTION` and `CREATE [OR REPLACE] PROCEDURE`.
    private var definesRoutine: Bool {
        let routineKinds: Set<String> = ["FUNCTION", "PROCEDURE"]
        guard leadingWords.first == "CREATE", leadingWords.count >= 2 else {
            return false
        }
        if routineKinds.contains(leadingWords[1]) {
            return true
        }
        return leadingWords.count >= 4 && leadingWords[1] == "OR" && leadingWords[2] == "REPLACE"
            && routineKinds.contains(leadingWords[3])
    }
}
