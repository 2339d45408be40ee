/// An error in the text of a migration script, found before anything is sent to the server.
///
/// `message` names the problem and the fix. `description` prefixes the line, so a caller only
/// needs to add the file name:
///
///     catch let error as ScriptError {
///         log.error("\(path): \(error)")   // "….sql: line 12: The string literal that …"
///     }
public struct ScriptError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of problem, for callers and tests that react to one kind.
    public enum Kind: Equatable, Sendable {
        case unterminatedString
        case unterminatedQuotedIdentifier
        case unterminatedBlockComment
        case unterminatedDollarQuote
        /// A `GO` argument that is not a positive whole number.
        case invalidRepeatCount
        /// A psql meta-command (`\connect`) or a sqlcmd command (`:setvar`).
        case unsupportedClientCommand
    }

    public var kind: Kind

    /// The 1-based line of the script where the problem starts.
    public var line: Int

    /// One or two sentences that name the problem and the fix, without the line number.
    public var message: String

    public init(kind: Kind, line: Int, message: String) {
        self.kind = kind
        self.line = line
        self.message = message
    }

    public var description: String {
        "line \(line): \(message)"
    }
}

// MARK: - Unterminated constructs

extension ScriptError {
    /// Builds the error for a string, quoted identifier, dollar quote or comment that `token`
    /// opens and the script never closes.
    static func unterminated(_ token: SQLToken, in scanner: SQLScanner) -> ScriptError {
        let text = scanner.text(of: token)
        switch token.kind {
        case .blockComment:
            return ScriptError(
                kind: .unterminatedBlockComment, line: token.line,
                message: "The block comment that starts on this line is never closed. "
                    + "Block comments nest, so every /* needs its own */.")
        case .dollarQuotedString:
            let tag = dollarTag(of: text)
            return ScriptError(
                kind: .unterminatedDollarQuote, line: token.line,
                message: "The dollar-quoted string that starts with \(tag) on this line is "
                    + "never closed. End it with the same tag, \(tag).")
        case .quotedIdentifier where text.hasPrefix("["):
            return ScriptError(
                kind: .unterminatedQuotedIdentifier, line: token.line,
                message: "The bracketed identifier that starts on this line is never closed. "
                    + "Add the closing ]. A ] inside the name is written twice (]]).")
        case .quotedIdentifier:
            return ScriptError(
                kind: .unterminatedQuotedIdentifier, line: token.line,
                message: "The quoted identifier that starts on this line is never closed. "
                    + "Add the closing double quote. A double quote inside the name is "
                    + "written twice (\"\").")
        case .string where !text.hasPrefix("'"):
            return ScriptError(
                kind: .unterminatedString, line: token.line,
                message: "The escape string (E'...') that starts on this line is never "
                    + "closed. Add the closing quote. Inside E'...' a backslash escapes the "
                    + "next character, so \\' does not end the string.")
        default:
            return ScriptError(
                kind: .unterminatedString, line: token.line,
                message: "The string literal that starts on this line is never closed. "
                    + "Add the closing quote ('). A quote inside a string is written twice ('').")
        }
    }

    private static func dollarTag(of text: String) -> String {
        let afterFirstDollar = text.dropFirst()
        guard let closing = afterFirstDollar.firstIndex(of: "$") else {
            return "$$"
        }
        return String(text[...closing])
    }
}
