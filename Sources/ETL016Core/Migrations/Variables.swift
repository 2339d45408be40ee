/// A use of a sqlcmd-style variable, `$(name)`, in a script.
public struct VariableReference: Equatable, Sendable {
    /// The name as written between `$(` and `)`.
    public var name: String

    /// The 1-based line of the script where the reference is.
    public var line: Int

    public init(name: String, line: Int) {
        self.name = name
        self.line = line
    }
}

/// An error in script variables: a reference without a value, or an invalid `--var` argument.
public enum ScriptVariableError: Error, Equatable, Sendable, CustomStringConvertible {
    /// References that have no value, every occurrence in script order.
    case unresolved([VariableReference])

    /// A `--var` argument without `=`.
    case missingEquals(argument: String)

    /// A `--var` argument whose name is not a valid variable name.
    case invalidName(String)

    public var description: String {
        switch self {
        case .unresolved(let references):
            return "The script uses variables that have no value: "
                + Self.describe(references)
                + ". Pass a value for each with --var NAME=VALUE."
        case .missingEquals(let argument):
            return "Invalid variable assignment '\(argument)'. Write --var NAME=VALUE, "
                + "for example --var service_login=talend_user."
        case .invalidName(let name):
            return "Invalid variable name '\(name)'. A name starts with a letter or an "
                + "underscore and continues with letters, digits, underscores or hyphens."
        }
    }

    /// Lists each name once with its lines: `$(Login) on lines 3 and 9, $(Db) on line 5`.
    private static func describe(_ references: [VariableReference]) -> String {
        var order: [String] = []
        var linesByName: [String: [Int]] = [:]
        for reference in references {
            let key = reference.name.uppercased()
            if linesByName[key] == nil {
                order.append(reference.name)
            }
            linesByName[key, default: []].append(reference.line)
        }

        return order.map { name in
            let lines = (linesByName[name.uppercased()] ?? []).map(String.init)
            guard let lastLine = lines.last, lines.count > 1 else {
                return "$(\(name)) on line \(lines.first ?? "?")"
            }
            let joined = lines.dropLast().joined(separator: ", ") + " and " + lastLine
            return "$(\(name)) on lines \(joined)"
        }.joined(separator: ", ")
    }
}

/// sqlcmd-style script variables: `$(name)` in a script, replaced by a value from the command
/// line before the script runs.
///
/// A name starts with an ASCII letter or underscore and continues with letters, digits,
/// underscores or hyphens. Names ignore case, as in sqlcmd, so `$(servicelogin)` takes the value
/// of `ServiceLogin`. Like sqlcmd, substitution happens everywhere in the text, inside strings
/// and comments too.
///
///     let sql = try ScriptVariables.substitute(
///         "ALTER ROLE etl016_role ADD MEMBER [$(ServiceLogin)];",
///         values: ["ServiceLogin": "talend_user"])
///     // "ALTER ROLE etl016_role ADD MEMBER [talend_user];"
///
/// Text that starts with `$(` but is not a valid name followed by `)`, such as `$(1)` or
/// `$(a b)`, is not a reference and stays as written.
public enum ScriptVariables {
    /// Returns every variable reference in `script`, in order, duplicates included.
    public static func references(in script: String) -> [VariableReference] {
        scan(Array(script.utf8)).map { match in
            VariableReference(name: match.name, line: match.line)
        }
    }

    /// Replaces every `$(name)` in `script` with its value from `values`.
    ///
    /// Keys match names without regard to case. When `values` has keys that differ only in
    /// case, a key spelled exactly like the reference wins, and otherwise the first such key in
    /// sorted order. Values are inserted as given and are not scanned for references again.
    ///
    /// - Throws: `ScriptVariableError.unresolved` listing every reference without a value, with
    ///   its line, before replacing anything.
    public static func substitute(_ script: String, values: [String: String]) throws -> String {
        let bytes = Array(script.utf8)
        let matches = scan(bytes)
        let lookup = caseInsensitiveLookup(values)

        let unresolved = matches.filter { match in
            values[match.name] == nil && lookup[match.name.uppercased()] == nil
        }
        guard unresolved.isEmpty else {
            throw ScriptVariableError.unresolved(
                unresolved.map { VariableReference(name: $0.name, line: $0.line) })
        }

        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var copiedUpTo = 0
        for match in matches {
            let value = values[match.name] ?? lookup[match.name.uppercased()] ?? ""
            output.append(contentsOf: bytes[copiedUpTo..<match.range.lowerBound])
            output.append(contentsOf: value.utf8)
            copiedUpTo = match.range.upperBound
        }
        output.append(contentsOf: bytes[copiedUpTo...])
        return String(decoding: output, as: UTF8.self)
    }

    /// Parses a `--var` argument of the form `NAME=VALUE`.
    ///
    /// The name ends at the first `=`, so the value may contain `=` and may be empty.
    ///
    ///     try ScriptVariables.parseAssignment("Filter=a=b")   // ("Filter", "a=b")
    ///
    /// - Throws: `ScriptVariableError.missingEquals` without `=`, and
    ///   `ScriptVariableError.invalidName` when the part before it is not a valid name.
    public static func parseAssignment(_ text: String) throws -> (name: String, value: String) {
        guard let equals = text.firstIndex(of: "=") else {
            throw ScriptVariableError.missingEquals(argument: text)
        }
        let name = String(text[..<equals])
        guard isValidName(Array(name.utf8)[...]) else {
            throw ScriptVariableError.invalidName(name)
        }
        return (name, String(text[text.index(after: equals)...]))
    }

    // MARK: - Scanning

    private struct Match {
        var name: String
        var line: Int
        /// The byte range of the whole `$(name)`.
        var range: Range<Int>
    }

    private static func scan(_ bytes: [UInt8]) -> [Match] {
        var matches: [Match] = []
        var line = 1
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.lineFeed {
                line += 1
            } else if byte == ASCII.carriageReturn,
                index + 1 == bytes.count || bytes[index + 1] != ASCII.lineFeed
            {
                // A lone CR ends a line too, as the splitters count it.
                line += 1
            } else if byte == ASCII.dollar, let match = reference(in: bytes, at: index, line: line)
            {
                matches.append(match)
                index = match.range.upperBound
                continue
            }
            index += 1
        }
        return matches
    }

    /// Returns the reference that starts at the `$` at `start`, if the text there is one.
    private static func reference(in bytes: [UInt8], at start: Int, line: Int) -> Match? {
        let nameStart = start + 2
        guard nameStart < bytes.count, bytes[start + 1] == ASCII.openParenthesis else {
            return nil
        }

        var nameEnd = nameStart
        while nameEnd < bytes.count, isNameContinuation(bytes[nameEnd]) {
            nameEnd += 1
        }
        let name = bytes[nameStart..<nameEnd]
        guard nameEnd < bytes.count, bytes[nameEnd] == ASCII.closeParenthesis,
            isValidName(name)
        else {
            return nil
        }
        return Match(
            name: String(decoding: name, as: UTF8.self), line: line, range: start..<(nameEnd + 1))
    }

    private static func isValidName(_ name: ArraySlice<UInt8>) -> Bool {
        guard let first = name.first, ASCII.isLetter(first) || first == ASCII.underscore else {
            return false
        }
        return name.allSatisfy(isNameContinuation)
    }

    private static func isNameContinuation(_ byte: UInt8) -> Bool {
        ASCII.isLetter(byte) || ASCII.isDigit(byte) || byte == ASCII.underscore
            || byte == ASCII.hyphen
    }

    /// Maps upper-cased names to values. Among keys that differ only in case, the first in
    /// sorted order wins, so the result never depends on dictionary order.
    private static func caseInsensitiveLookup(_ values: [String: String]) -> [String: String] {
        var lookup: [String: String] = [:]
        for key in values.keys.sorted() where lookup[key.uppercased()] == nil {
            lookup[key.uppercased()] = values[key]
        }
        return lookup
    }
}
