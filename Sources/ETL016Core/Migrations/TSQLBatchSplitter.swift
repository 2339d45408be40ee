/// Splits a T-SQL script into batches on `GO` lines, the way sqlcmd does.
///
/// A line is a `GO` line when `GO` (any case) is its first code: only whitespace or the end of
/// a block comment may come before it. After `GO` the line may hold whitespace, a repeat count
/// (`GO 3`) and a `--` comment, and nothing else. `GO` inside a string, a `"quoted"` or
/// `[bracketed]` identifier or a block comment is text, and T-SQL block comments nest. A `--`
/// comment hides everything after it on its line, `/*` included.
///
///     let batches = try TSQLBatchSplitter.split("""
///         CREATE TABLE dbo.a (id int);
///         GO
///         INSERT INTO dbo.a DEFAULT VALUES;
///         go 3 -- three rows
///         """)
///     // batches[1].sql == "INSERT INTO dbo.a DEFAULT VALUES;", batches[1].repeatCount == 3
///
/// Where this differs from go-sqlcmd, the open-source sqlcmd, on purpose:
/// - `GO 0`, `GO x` and `GO 3 x` are errors. go-sqlcmd also rejects the first two, but it reads
///   `GO 3 x` as `GO 3`.
/// - A tab may separate `GO` from its count. go-sqlcmd accepts only spaces there.
/// - A string, identifier or comment left open at the end of the script is an error here, found
///   before anything runs, instead of a syntax error from the server.
/// - sqlcmd commands (`:setvar`, `:r`, `:connect`, `!!` and the rest) are errors, because the
///   migrator sends SQL only. Variables come from `--var NAME=VALUE` through `ScriptVariables`.
public enum TSQLBatchSplitter {
    /// The sqlcmd commands written with a colon, from go-sqlcmd's command table. `:ON` starts
    /// `:ON ERROR`.
    private static let sqlcmdCommands: Set<String> = [
        "CONNECT", "ED", "ERROR", "EXIT", "LIST", "LISTVAR", "ON", "OUT", "QUIT", "R", "RESET",
        "SETVAR", "XML",
    ]

    /// Splits `script` into the batches that sqlcmd would send, in order.
    ///
    /// A leading UTF-8 byte order mark is ignored and CRLF line ends become LF. Batches that hold
    /// only comments or whitespace are left out, and text after the last `GO` is a batch of its
    /// own.
    ///
    /// - Throws: `ScriptError` for an invalid `GO` count, a sqlcmd command, or a string,
    ///   identifier or block comment that is never closed.
    public static func split(_ script: String) throws -> [Batch] {
        let bytes = ScriptBytes.normalizedBytes(script.utf8)
        var scanner = SQLScanner(bytes, dialect: .transactSQL)
        var batches: [Batch] = []
        var batchStart = 0
        var batchStartLine = 1
        var batchHasCode = false
        var lineHasCode = false

        func appendBatch(endingAt end: Int, repeatCount: Int) {
            guard batchHasCode,
                let (sql, line) = ScriptBytes.trimmedText(
                    of: bytes, in: batchStart..<end, startLine: batchStartLine)
            else {
                return
            }
            batches.append(Batch(sql: sql, line: line, repeatCount: repeatCount))
        }

        while let token = scanner.next() {
            guard token.isTerminated else {
                throw ScriptError.unterminated(token, in: scanner)
            }
            if token.lineBreaks > 0 {
                lineHasCode = false
            }
            if token.isTrivia {
                continue
            }

            if !lineHasCode {
                try rejectSqlcmdCommand(at: token, in: scanner)

                if let repeatCount = try goRepeatCount(at: token, in: scanner) {
                    appendBatch(endingAt: token.range.lowerBound, repeatCount: repeatCount)
                    let nextLineStart = min(scanner.endOfLine(from: token.range.upperBound) + 1,
                                            bytes.count)
                    scanner.skip(to: nextLineStart)
                    batchStart = nextLineStart
                    batchStartLine = scanner.line
                    batchHasCode = false
                    continue
                }
            }

            batchHasCode = true
            lineHasCode = true
        }

        appendBatch(endingAt: bytes.count, repeatCount: 1)
        return batches
    }

    // MARK: - GO lines

    /// Returns the repeat count when `token`, the first code on its line, starts a `GO` line,
    /// and nil when it does not.
    ///
    /// sqlcmd reads the rest of a `GO` line as plain text, so this does too: `GO -- x` and
    /// `GO--x` carry a comment, while `GO;` and `GOTO` are not `GO` lines.
    private static func goRepeatCount(at token: SQLToken, in scanner: SQLScanner) throws -> Int? {
        guard token.kind == .word, scanner.keyword(token) == "GO" else {
            return nil
        }

        let lineEnd = scanner.endOfLine(from: token.range.upperBound)
        let rest = scanner.bytes[token.range.upperBound..<lineEnd]
        let startsComment = rest.starts(with: [ASCII.hyphen, ASCII.hyphen])
        if let first = rest.first, !ASCII.isHorizontalSpace(first), !startsComment {
            return nil
        }

        var argument = rest
        if let commentStart = firstCommentStart(in: rest) {
            argument = rest[..<commentStart]
        }
        while let first = argument.first, ASCII.isWhitespace(first) {
            argument = argument.dropFirst()
        }
        while let last = argument.last, ASCII.isWhitespace(last) {
            argument = argument.dropLast()
        }
        let countText = String(decoding: argument, as: UTF8.self)
        if countText.isEmpty {
            return 1
        }
        return try parseRepeatCount(countText, line: token.line)
    }

    private static func firstCommentStart(in text: ArraySlice<UInt8>) -> Int? {
        var index = text.startIndex
        while index + 1 < text.endIndex {
            if text[index] == ASCII.hyphen && text[index + 1] == ASCII.hyphen {
                return index
            }
            index += 1
        }
        return nil
    }

    private static func parseRepeatCount(_ text: String, line: Int) throws -> Int {
        let isWholeNumber = text.utf8.allSatisfy(ASCII.isDigit)
        if isWholeNumber, let count = Int(text), count > 0 {
            return count
        }

        if isWholeNumber, Int(text) == 0 {
            throw ScriptError(
                kind: .invalidRepeatCount, line: line,
                message: "GO \(text) would run the batch zero times, and sqlcmd rejects it. "
                    + "Write GO to run the batch once, or remove the batch.")
        }
        throw ScriptError(
            kind: .invalidRepeatCount, line: line,
            message: "Invalid GO repeat count '\(text)'. After GO write nothing, a positive "
                + "whole number such as GO 3, or a -- comment.")
    }

    // MARK: - sqlcmd commands

    /// Throws when `token`, the first code on its line, starts a sqlcmd command such as
    /// `:setvar` or `!!`, which the server would reject as a syntax error.
    private static func rejectSqlcmdCommand(at token: SQLToken, in scanner: SQLScanner) throws {
        guard token.kind == .symbol else {
            return
        }

        let bytes = scanner.bytes
        let start = token.range.lowerBound
        var command: String?
        if bytes[start] == ASCII.exclamation, start + 1 < bytes.count,
            bytes[start + 1] == ASCII.exclamation
        {
            command = "!!"
        } else if bytes[start] == ASCII.colon {
            var end = start + 1
            while end < bytes.count, ASCII.isLetter(bytes[end]) {
                end += 1
            }
            let name = String(decoding: bytes[(start + 1)..<end].map(ASCII.uppercased),
                              as: UTF8.self)
            if sqlcmdCommands.contains(name) {
                command = ":" + name.lowercased()
            }
        }

        guard let command else {
            return
        }
        let advice =
            command == ":setvar"
            ? "Pass script variables with --var NAME=VALUE instead."
            : "Write the step as T-SQL, or run it with sqlcmd outside the migration."
        throw ScriptError(
            kind: .unsupportedClientCommand, line: token.line,
            message: "The sqlcmd command \(command) is not supported, because etl016-db sends "
                + "T-SQL batches only. \(advice)")
    }
}
