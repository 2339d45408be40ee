/// The SQL dialect whose lexical rules a `SQLScanner` applies.
enum SQLDialect: Sendable {
    /// SQL Server: `[bracketed]` identifiers, `@` and `#` in names, no backslash escapes.
    case transactSQL

    /// PostgreSQL: `E'...'` strings with backslash escapes, dollar quotes, `$1` parameters.
    case postgreSQL
}

/// One lexical token of a SQL script, located by its UTF-8 byte offsets.
struct SQLToken: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case whitespace
        case lineComment
        case blockComment
        /// A keyword or an unquoted identifier.
        case word
        case number
        /// A single-quoted string, including PostgreSQL `E'...'` strings.
        case string
        /// A `"double-quoted"` or, in T-SQL, a `[bracketed]` identifier.
        case quotedIdentifier
        case dollarQuotedString
        /// A PostgreSQL positional parameter such as `$1`.
        case parameter
        /// Any other single byte: punctuation and operator characters.
        case symbol
    }

    var kind: Kind

    /// Byte offsets of the token in the scanner's buffer.
    var range: Range<Int>

    /// The 1-based line where the token starts.
    var line: Int

    /// The number of line feeds inside the token.
    var lineBreaks: Int

    /// False when a string, quoted identifier, dollar quote or block comment runs to the end of
    /// the script without being closed.
    var isTerminated: Bool

    /// True for whitespace and comments, which never change what a statement does.
    var isTrivia: Bool {
        kind == .whitespace || kind == .lineComment || kind == .blockComment
    }
}

/// A tokenizer for T-SQL and PostgreSQL scripts that separates code from comments, strings and
/// quoted identifiers, so that the splitters and the transaction checks match code only.
///
/// The scanner does not throw. A construct left open at the end of the script comes back as one
/// token with `isTerminated == false`, and the caller decides what error to raise. Both dialects
/// nest block comments (`/* /* */ */`), as SQL Server and PostgreSQL do. PostgreSQL strings are
/// scanned with `standard_conforming_strings` on, the server default since PostgreSQL 9.1, so a
/// backslash escapes a quote only inside `E'...'`.
///
///     var scanner = SQLScanner(Array("SELECT 'a;b';".utf8), dialect: .postgreSQL)
///     while let token = scanner.next() { ... }   // word, whitespace, string, symbol
struct SQLScanner {
    let bytes: [UInt8]
    let dialect: SQLDialect

    /// The byte offset where the next token starts.
    private(set) var offset = 0

    /// The 1-based line of `offset`.
    private(set) var line = 1

    init(_ bytes: [UInt8], dialect: SQLDialect) {
        self.bytes = bytes
        self.dialect = dialect
    }

    // MARK: - Reading tokens

    /// Scans and returns the token at `offset`, or nil at the end of the buffer.
    mutating func next() -> SQLToken? {
        guard offset < bytes.count else {
            return nil
        }

        let start = offset
        let (kind, end, isTerminated) = scanToken(at: start)
        let lineBreaks = countLineFeeds(in: start..<end)
        let token = SQLToken(
            kind: kind,
            range: start..<end,
            line: line,
            lineBreaks: lineBreaks,
            isTerminated: isTerminated
        )
        offset = end
        line += lineBreaks
        return token
    }

    /// Moves forward to `newOffset` without producing tokens, keeping `line` correct.
    ///
    /// The splitters use it to step over text they have read as plain bytes, such as the rest of
    /// a `GO` line, which sqlcmd does not read as SQL.
    mutating func skip(to newOffset: Int) {
        let target = min(max(newOffset, offset), bytes.count)
        line += countLineFeeds(in: offset..<target)
        offset = target
    }

    /// Returns the text of `token` as written.
    func text(of token: SQLToken) -> String {
        String(decoding: bytes[token.range], as: UTF8.self)
    }

    /// Returns the text of a word token in ASCII upper case, for keyword comparisons.
    func keyword(_ token: SQLToken) -> String {
        String(decoding: bytes[token.range].map(ASCII.uppercased), as: UTF8.self)
    }

    /// Returns the offset of the line feed that ends the line containing `position`, or the
    /// buffer's end when that line is the last.
    func endOfLine(from position: Int) -> Int {
        var index = position
        while index < bytes.count, bytes[index] != ASCII.lineFeed {
            index += 1
        }
        return index
    }

    // MARK: - Token rules

    private func scanToken(at start: Int) -> (SQLToken.Kind, Int, Bool) {
        let byte = bytes[start]
        let nextByte = start + 1 < bytes.count ? bytes[start + 1] : 0

        switch byte {
        case _ where ASCII.isWhitespace(byte):
            return (.whitespace, scanWhile(from: start, ASCII.isWhitespace), true)
        case ASCII.hyphen where nextByte == ASCII.hyphen:
            return (.lineComment, endOfLine(from: start), true)
        case ASCII.slash where nextByte == ASCII.asterisk:
            let (end, closed) = scanBlockComment(from: start)
            return (.blockComment, end, closed)
        case ASCII.singleQuote:
            let (end, closed) = scanQuoted(from: start + 1, closing: byte, backslashEscapes: false)
            return (.string, end, closed)
        case ASCII.doubleQuote:
            let (end, closed) = scanQuoted(from: start + 1, closing: byte, backslashEscapes: false)
            return (.quotedIdentifier, end, closed)
        case ASCII.openBracket where dialect == .transactSQL:
            let (end, closed) = scanQuoted(
                from: start + 1, closing: ASCII.closeBracket, backslashEscapes: false)
            return (.quotedIdentifier, end, closed)
        case ASCII.dollar where dialect == .postgreSQL:
            return scanDollar(from: start)
        case _ where dialect == .postgreSQL && ASCII.uppercased(byte) == ASCII.upperE
            && nextByte == ASCII.singleQuote:
            // E'...' is an escape string only when the E starts a token. In `somee'x'` the E
            // belongs to the word, which `scanWhile` has already consumed.
            let (end, closed) = scanQuoted(
                from: start + 2, closing: ASCII.singleQuote, backslashEscapes: true)
            return (.string, end, closed)
        case _ where isWordStart(byte):
            return (.word, scanWhile(from: start + 1, isWordContinuation), true)
        case _ where ASCII.isDigit(byte):
            return (.number, scanWhile(from: start + 1, ASCII.isNumberContinuation), true)
        default:
            return (.symbol, start + 1, true)
        }
    }

    private func scanWhile(from start: Int, _ predicate: (UInt8) -> Bool) -> Int {
        var index = start
        while index < bytes.count, predicate(bytes[index]) {
            index += 1
        }
        return index
    }

    /// Scans a block comment starting at `/*`, counting nested `/*` and `*/` pairs.
    private func scanBlockComment(from start: Int) -> (end: Int, closed: Bool) {
        var depth = 1
        var index = start + 2
        while index < bytes.count {
            let pair = (bytes[index], index + 1 < bytes.count ? bytes[index + 1] : 0)
            if pair == (ASCII.slash, ASCII.asterisk) {
                depth += 1
                index += 2
            } else if pair == (ASCII.asterisk, ASCII.slash) {
                depth -= 1
                index += 2
                if depth == 0 {
                    return (index, true)
                }
            } else {
                index += 1
            }
        }
        return (bytes.count, false)
    }

    /// Scans the body of a quoted token that starts at `start`, just past the opening quote.
    ///
    /// A doubled closing character (`''`, `""`, `]]`) stands for itself. With
    /// `backslashEscapes`, a backslash also makes the next byte literal, as in PostgreSQL's
    /// `E'it\'s'`.
    private func scanQuoted(
        from start: Int, closing: UInt8, backslashEscapes: Bool
    ) -> (end: Int, closed: Bool) {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if backslashEscapes && byte == ASCII.backslash {
                index += 2
            } else if byte == closing {
                if index + 1 < bytes.count && bytes[index + 1] == closing {
                    index += 2
                } else {
                    return (index + 1, true)
                }
            } else {
                index += 1
            }
        }
        return (bytes.count, false)
    }

    /// Scans what follows a `$` in PostgreSQL: a parameter (`$1`), a dollar-quoted string
    /// (`$$...$$` or `$tag$...$tag$`), or a lone `$` symbol.
    private func scanDollar(from start: Int) -> (SQLToken.Kind, Int, Bool) {
        let afterDollar = start + 1
        if afterDollar < bytes.count && ASCII.isDigit(bytes[afterDollar]) {
            return (.parameter, scanWhile(from: afterDollar, ASCII.isDigit), true)
        }

        // A tag follows the identifier rules minus `$`, and it cannot start with a digit,
        // which the parameter case above has already taken.
        let tagEnd = scanWhile(from: afterDollar, isDollarTagCharacter)
        guard tagEnd < bytes.count && bytes[tagEnd] == ASCII.dollar else {
            return (.symbol, afterDollar, true)
        }

        let delimiter = bytes[start...tagEnd]
        let bodyStart = tagEnd + 1
        guard let closeStart = firstIndex(of: delimiter, from: bodyStart) else {
            return (.dollarQuotedString, bytes.count, false)
        }
        return (.dollarQuotedString, closeStart + delimiter.count, true)
    }

    private func firstIndex(of pattern: ArraySlice<UInt8>, from start: Int) -> Int? {
        guard let first = pattern.first, pattern.count <= bytes.count else {
            return nil
        }
        var index = start
        while index + pattern.count <= bytes.count {
            if bytes[index] == first && bytes[index..<(index + pattern.count)] == pattern {
                return index
            }
            index += 1
        }
        return nil
    }

    private func countLineFeeds(in range: Range<Int>) -> Int {
        var count = 0
        for index in range where bytes[index] == ASCII.lineFeed {
            count += 1
        }
        return count
    }

    // MARK: - Character classes

    // Bytes of 0x80 and above are parts of non-ASCII UTF-8 characters. Both servers accept
    // non-ASCII letters in unquoted names, and no such byte is a delimiter.

    private func isWordStart(_ byte: UInt8) -> Bool {
        if ASCII.isLetter(byte) || byte == ASCII.underscore || byte >= 0x80 {
            return true
        }
        // T-SQL names of variables (@total) and temporary tables (#staging).
        return dialect == .transactSQL && (byte == ASCII.at || byte == ASCII.hash)
    }

    private func isWordContinuation(_ byte: UInt8) -> Bool {
        isWordStart(byte) || ASCII.isDigit(byte) || byte == ASCII.dollar
    }

    private func isDollarTagCharacter(_ byte: UInt8) -> Bool {
        ASCII.isLetter(byte) || ASCII.isDigit(byte) || byte == ASCII.underscore || byte >= 0x80
    }
}

// MARK: - Script text

/// Line-ending and byte-order-mark normalization shared by the splitters and the checksum, so a
/// script saved with CRLF line ends runs the same SQL and has the same checksum as with LF.
enum ScriptBytes {
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Removes one leading UTF-8 byte order mark and turns CRLF and lone CR into LF.
    static func normalizedBytes<Bytes: Collection>(_ bytes: Bytes) -> [UInt8]
    where Bytes.Element == UInt8 {
        var input = bytes[...]
        if input.starts(with: byteOrderMark) {
            input = input.dropFirst(byteOrderMark.count)
        }

        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var previousWasCarriageReturn = false
        for byte in input {
            if byte == ASCII.carriageReturn {
                output.append(ASCII.lineFeed)
            } else if !(byte == ASCII.lineFeed && previousWasCarriageReturn) {
                output.append(byte)
            }
            previousWasCarriageReturn = byte == ASCII.carriageReturn
        }
        return output
    }

    /// Returns the text of `range` without surrounding whitespace, and the line where that text
    /// starts; nil when the range holds only whitespace.
    ///
    /// Line N of the returned text is line `startLine + N - 1` of the script, which lets a
    /// caller map a server's line numbers back to the file.
    static func trimmedText(
        of bytes: [UInt8], in range: Range<Int>, startLine: Int
    ) -> (text: String, line: Int)? {
        var start = range.lowerBound
        var line = startLine
        while start < range.upperBound, ASCII.isWhitespace(bytes[start]) {
            if bytes[start] == ASCII.lineFeed {
                line += 1
            }
            start += 1
        }

        var end = range.upperBound
        while end > start, ASCII.isWhitespace(bytes[end - 1]) {
            end -= 1
        }
        guard end > start else {
            return nil
        }
        return (String(decoding: bytes[start..<end], as: UTF8.self), line)
    }
}

/// ASCII byte values and classes used by the script scanners.
enum ASCII {
    static let tab = UInt8(ascii: "\t")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let hyphen = UInt8(ascii: "-")
    static let slash = UInt8(ascii: "/")
    static let backslash = UInt8(ascii: "\\")
    static let asterisk = UInt8(ascii: "*")
    static let singleQuote = UInt8(ascii: "'")
    static let doubleQuote = UInt8(ascii: "\"")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let openParenthesis = UInt8(ascii: "(")
    static let closeParenthesis = UInt8(ascii: ")")
    static let semicolon = UInt8(ascii: ";")
    static let colon = UInt8(ascii: ":")
    static let exclamation = UInt8(ascii: "!")
    static let equals = UInt8(ascii: "=")
    static let dollar = UInt8(ascii: "$")
    static let underscore = UInt8(ascii: "_")
    static let period = UInt8(ascii: ".")
    static let at = UInt8(ascii: "@")
    static let hash = UInt8(ascii: "#")
    static let upperE = UInt8(ascii: "E")
    static let lowerE = UInt8(ascii: "e")

    static func isWhitespace(_ byte: UInt8) -> Bool {
        // Space, tab, LF, vertical tab, form feed and CR.
        byte == space || (byte >= 0x09 && byte <= 0x0D)
    }

    static func isHorizontalSpace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isLetter(_ byte: UInt8) -> Bool {
        let folded = byte | 0x20
        return folded >= UInt8(ascii: "a") && folded <= UInt8(ascii: "z")
    }

    /// Digits, letters, `_` and `.`, which covers `1.5`, `1e10` and T-SQL's `0x1F`.
    static func isNumberContinuation(_ byte: UInt8) -> Bool {
        isDigit(byte) || isLetter(byte) || byte == underscore || byte == period
    }

    static func uppercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 0x20 : byte
    }
}
