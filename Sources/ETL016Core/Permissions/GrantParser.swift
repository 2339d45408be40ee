/// The GRANT dialect a permissions file is written in.
public enum GrantSyntax: Sendable {
    /// SQL Server: `GRANT ... ON OBJECT::dbo.t TO role`, `ALTER ROLE role ADD MEMBER user`.
    case transactSQL
    /// PostgreSQL: `GRANT ... ON TABLE dbo.t TO role`, `GRANT role TO member`.
    case postgreSQL
}

/// A statement in the permissions file that verify-permissions cannot read as a declaration.
public struct GrantParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var fileName: String
    /// The 1-based line of the file where the problem is.
    public var line: Int
    /// The problem and what to write instead, without the file and line.
    public var message: String

    public init(fileName: String, line: Int, message: String) {
        self.fileName = fileName
        self.line = line
        self.message = message
    }

    public var description: String { "\(fileName) line \(line): \(message)" }
}

/// Reads a permissions file into the grants and memberships it declares.
///
/// The file may hold only GRANT statements and role memberships, with comments anywhere.
/// Every other statement is an error naming the file and line, because a statement the
/// reader skipped would be a declaration the check silently ignores.
///
///     let declared = try GrantParser.parse(
///         "GRANT SELECT, DELETE ON OBJECT::dbo.f_trafegoc01 TO etl016_role;",
///         fileName: "permissions.sqlserver.sql", variables: [:], dialect: SQLServerDialect())
///     // declared.grants: etl016_role SELECT dbo.f_trafegoc01, etl016_role DELETE ...
///
/// Accepted, in T-SQL:
/// - `GRANT perm [(col, ...)] [, ...] ON [OBJECT::|SCHEMA::|DATABASE::]name [(col, ...)]
///   TO principal [, ...] [WITH GRANT OPTION] [AS grantor]`
/// - `GRANT perm [, ...] TO principal [, ...]`, a database-level permission
/// - `ALTER ROLE role ADD MEMBER member`
///
/// and in PostgreSQL:
/// - `GRANT priv [(col, ...)] [, ...] ON [TABLE|SEQUENCE|FUNCTION|PROCEDURE|ROUTINE|SCHEMA|
///   DATABASE] name [, ...] TO role [, ...] [WITH GRANT OPTION] [GRANTED BY role]`
/// - `GRANT role [, ...] TO member [, ...] [WITH ADMIN OPTION] [GRANTED BY role]`
///
/// Names may be schema-qualified, `[bracketed]` (T-SQL) or `"quoted"`. Unquoted PostgreSQL
/// names fold to lower case, as the server folds them. A T-SQL object name without a schema
/// is in `dbo`; PostgreSQL names need their schema, because the server would look them up
/// through `search_path`. Permission names are read in upper case. `ALL [PRIVILEGES]` is
/// rejected, because what it expands to depends on the object and the server version.
public enum GrantParser {
    /// Parses `text` after replacing its `$(name)` variables with `variables`.
    ///
    /// - Throws: `GrantParseError` naming the file and line of the first statement that is not
    ///   part of the GRANT subset, of a variable without a value, or of an unclosed string,
    ///   identifier or comment.
    public static func parse(
        _ text: String, fileName: String, variables: [String: String], dialect: any Dialect
    ) throws -> DeclaredPermissions {
        let substituted: String
        do {
            substituted = try ScriptVariables.substitute(text, values: variables)
        } catch let error as ScriptVariableError {
            var line = 1
            if case .unresolved(let references) = error, let first = references.first {
                line = first.line
            }
            throw GrantParseError(fileName: fileName, line: line, message: error.description)
        }

        let batches: [Batch]
        do {
            batches = try dialect.splitScript(substituted)
        } catch let error as ScriptError {
            throw GrantParseError(fileName: fileName, line: error.line, message: error.message)
        }

        var declared = DeclaredPermissions(fileName: fileName)
        for batch in batches {
            var reader = GrantStatementReader(
                tokens: GrantToken.tokenize(batch, syntax: dialect.grantSyntax),
                syntax: dialect.grantSyntax, fileName: fileName, batchLine: batch.line)
            try reader.readStatements(into: &declared)
        }
        return declared
    }
}

// MARK: - Tokens

/// A token of a permissions statement, with trivia already removed.
struct GrantToken {
    enum Kind {
        case word
        case quotedIdentifier
        case symbol
        /// Strings, numbers and anything else that is never a name.
        case other
    }

    var kind: Kind
    /// The text as written, quotes included.
    var text: String
    /// The 1-based line of the file.
    var line: Int

    func isKeyword(_ keyword: String) -> Bool {
        kind == .word && text.uppercased() == keyword
    }

    func isSymbol(_ symbol: String) -> Bool {
        kind == .symbol && text == symbol
    }

    /// The name inside the quotes of a quoted identifier, with doubled closing quotes undone.
    var unquoted: String {
        guard kind == .quotedIdentifier, text.count >= 2 else { return text }
        let closing = text.hasPrefix("[") ? "]" : "\""
        return String(text.dropFirst().dropLast())
            .replacing(closing + closing, with: closing)
    }

    /// Splits a batch into tokens, dropping whitespace and comments, with file lines.
    static func tokenize(_ batch: Batch, syntax: GrantSyntax) -> [GrantToken] {
        let dialect: SQLDialect = syntax == .transactSQL ? .transactSQL : .postgreSQL
        var scanner = SQLScanner(Array(batch.sql.utf8), dialect: dialect)
        var tokens: [GrantToken] = []
        while let token = scanner.next() {
            if token.isTrivia { continue }
            let kind: Kind
            switch token.kind {
            case .word: kind = .word
            case .quotedIdentifier: kind = .quotedIdentifier
            case .symbol: kind = .symbol
            default: kind = .other
            }
            tokens.append(
                GrantToken(
                    kind: kind, text: scanner.text(of: token), line: batch.line + token.line - 1))
        }
        return tokens
    }
}

// MARK: - Statements

/// Reads the statements of one batch, one token at a time.
struct GrantStatementReader {
    let tokens: [GrantToken]
    let syntax: GrantSyntax
    let fileName: String
    /// The line where the batch starts, for errors in an empty statement.
    let batchLine: Int
    private var index = 0

    /// PostgreSQL privilege keywords. An unquoted one before `TO` means that `ON` is
    /// missing, not that a role of that name is granted.
    private static let postgreSQLPrivileges: Set<String> = [
        "SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "EXECUTE",
        "USAGE", "CREATE", "CONNECT", "TEMPORARY", "TEMP", "MAINTAIN", "SET", "ALTER",
    ]

    init(tokens: [GrantToken], syntax: GrantSyntax, fileName: String, batchLine: Int) {
        self.tokens = tokens
        self.syntax = syntax
        self.fileName = fileName
        self.batchLine = batchLine
    }

    private var current: GrantToken? { index < tokens.count ? tokens[index] : nil }

    private func peek(_ offset: Int) -> GrantToken? {
        index + offset < tokens.count ? tokens[index + offset] : nil
    }

    /// Reads every statement of the batch. Statements end with `;`; T-SQL also lets a new
    /// statement start without one, as SQL Server does.
    mutating func readStatements(into declared: inout DeclaredPermissions) throws {
        while let token = current {
            if token.isSymbol(";") {
                index += 1
                continue
            }
            try readStatement(into: &declared)

            guard let next = current else { return }
            if next.isSymbol(";") {
                index += 1
            } else if syntax == .transactSQL, next.kind == .word {
                continue
            } else {
                throw error(at: next, "expected ; to end the statement, found \(describe(next))")
            }
        }
    }

    private mutating func readStatement(into declared: inout DeclaredPermissions) throws {
        guard let first = current else { return }
        if first.isKeyword("GRANT") {
            try readGrant(into: &declared)
        } else if syntax == .transactSQL, first.isKeyword("ALTER"),
            peek(1)?.isKeyword("ROLE") == true
        {
            try readAlterRole(into: &declared)
        } else {
            throw unsupportedStatement(first)
        }
    }

    private func unsupportedStatement(_ first: GrantToken) -> GrantParseError {
        var statement = first.kind == .word ? first.text.uppercased() : describe(first)
        let twoWordStarts: Set<String> = ["CREATE", "ALTER", "DROP"]
        if twoWordStarts.contains(statement), let second = peek(1), second.kind == .word {
            statement += " " + second.text.uppercased()
        }
        let membership =
            syntax == .transactSQL
            ? "ALTER ROLE role ADD MEMBER member" : "GRANT role TO member"
        return error(
            at: first,
            "\(statement) is not a statement verify-permissions reads. The permissions file may "
                + "contain only GRANT statements and role memberships (\(membership)), because "
                + "each statement in it declares expected permissions. Move other statements to "
                + "a migration.")
    }

    // MARK: - GRANT

    /// One entry of the list after GRANT: a permission such as `VIEW DEFINITION`, or on
    /// PostgreSQL a role name, with an optional column list.
    private struct GrantItem {
        var words: [GrantToken]
        var columns: [String]?
    }

    private mutating func readGrant(into declared: inout DeclaredPermissions) throws {
        let grantToken = tokens[index]
        index += 1

        var items: [GrantItem] = []
        repeat {
            items.append(try readGrantItem())
        } while consumeSymbol(",")

        if consumeKeyword("ON") {
            let securables = try readSecurables()
            try expectKeyword("TO", after: "the object name")
            let principals = try readPrincipals()
            let withGrantOption = try readGrantOptions()
            for item in items {
                try addGrants(
                    item, on: securables, to: principals, withGrantOption: withGrantOption,
                    line: grantToken.line, into: &declared)
            }
        } else if consumeKeyword("TO") {
            switch syntax {
            case .postgreSQL:
                try readRoleGrant(items, line: grantToken.line, into: &declared)
            case .transactSQL:
                try readDatabaseGrant(items, line: grantToken.line, into: &declared)
            }
        } else {
            throw error(
                at: current,
                "expected ON or TO after the permission list, found \(describe(current))")
        }
    }

    /// Adds one grant per securable, column and principal for the permission `item` names.
    private func addGrants(
        _ item: GrantItem, on securables: [(Securable, ObjectType)], to principals: [Principal],
        withGrantOption: Bool, line: Int, into declared: inout DeclaredPermissions
    ) throws {
        let permission = try permissionName(item)
        for (securable, objectType) in securables {
            let targets = try columnTargets(
                securable, objectType: objectType, item: item, at: item.words[0])
            try checkPermission(
                permission, at: item.words[0], securableClass: securable.securableClass,
                objectType: objectType, onColumn: targets.contains { $0.column != nil })
            for target in targets {
                for principal in principals {
                    let grant = Grant(
                        principal: principal, permission: permission, securable: target,
                        objectType: objectType, withGrantOption: withGrantOption)
                    declared.add(grant, line: line)
                }
            }
        }
    }

    private mutating func readGrantItem() throws -> GrantItem {
        guard let first = current, first.kind == .word || first.kind == .quotedIdentifier else {
            throw error(
                at: current, "expected a permission name after GRANT, found \(describe(current))")
        }
        if first.isKeyword("ALL") {
            throw error(
                at: first,
                "GRANT ALL is not supported, because what ALL expands to depends on the object "
                    + "and the server version. List the permissions, such as GRANT SELECT, "
                    + "INSERT ON ...")
        }

        var words: [GrantToken] = []
        if first.kind == .quotedIdentifier {
            words = [first]
            index += 1
        } else {
            while let token = current, token.kind == .word, !token.isKeyword("ON"),
                !token.isKeyword("TO")
            {
                words.append(token)
                index += 1
            }
        }
        guard !words.isEmpty else {
            throw error(
                at: first, "expected a permission name after GRANT, found \(describe(first))")
        }

        var columns: [String]?
        if current?.isSymbol("(") == true {
            columns = try readColumnList()
        }
        return GrantItem(words: words, columns: columns)
    }

    /// Returns the permission an item names, in upper case with single spaces and with a
    /// synonym replaced by the name the catalogs use (TEMP is TEMPORARY, EXEC is EXECUTE).
    private func permissionName(_ item: GrantItem) throws -> String {
        for word in item.words where word.kind != .word || !word.text.allSatisfy(\.isLetter) {
            throw error(
                at: word,
                "\(describe(word)) is not a permission name. Permission names are words such "
                    + "as SELECT or VIEW DEFINITION.")
        }
        let name = item.words.map { $0.text.uppercased() }.joined(separator: " ")
        return PermissionNames.canonical(name, syntax: syntax)
    }

    /// Rejects a permission that the server does not know for that kind of securable, such
    /// as a misspelled SELCT, which the comparison would otherwise report as missing forever.
    private func checkPermission(
        _ permission: String, at token: GrantToken, securableClass: SecurableClass,
        objectType: ObjectType, onColumn: Bool
    ) throws {
        let (names, kind) = PermissionNames.allowed(
            syntax: syntax, securableClass: securableClass, objectType: objectType,
            onColumn: onColumn)
        guard !names.contains(permission) else { return }

        let server = syntax == .postgreSQL ? "PostgreSQL" : "SQL Server"
        var message = "\(permission) is not a \(server) permission on \(kind). "
        if syntax == .transactSQL, securableClass == .database, !onColumn {
            message += "SELECT * FROM sys.fn_builtin_permissions(N'DATABASE') lists the "
                + "database permissions a server knows."
        } else {
            let list = names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
            message += "Write one of \(list)."
        }
        throw error(at: token, message)
    }

    /// Returns the securables an item applies to: the securable itself, or one per column
    /// when the permission carries a column list.
    private func columnTargets(
        _ securable: Securable, objectType: ObjectType, item: GrantItem, at token: GrantToken
    ) throws -> [Securable] {
        guard let columns = item.columns else { return [securable] }
        guard securable.securableClass == .object, !objectType.isRoutine,
            securable.column == nil
        else {
            throw error(
                at: token,
                "a column list is allowed once, and only on a table or view, not on \(securable)")
        }
        return columns.map { column in
            var target = securable
            target.column = column
            return target
        }
    }

    /// Reads `TO member [, ...]` of a PostgreSQL role grant, after `TO`.
    private mutating func readRoleGrant(
        _ items: [GrantItem], line: Int, into declared: inout DeclaredPermissions
    ) throws {
        var roles: [String] = []
        for item in items {
            let word = item.words[0]
            if word.kind == .word,
                Self.postgreSQLPrivileges.contains(word.text.uppercased())
            {
                throw error(
                    at: word,
                    "expected ON after the privilege list, as in GRANT \(word.text.uppercased()) "
                        + "ON TABLE dbo.name TO role")
            }
            guard item.words.count == 1, item.columns == nil else {
                throw error(
                    at: word,
                    "expected ON after the privilege list, or a single role name in GRANT role "
                        + "TO member")
            }
            roles.append(identifier(word))
        }

        let members = try readPrincipals()
        try readRoleGrantOptions()
        for member in members {
            guard let memberName = member.name else {
                throw error(
                    at: tokens[index - 1],
                    "a role cannot be granted to PUBLIC: name the member role")
            }
            for role in roles {
                declared.add(Membership(role: role, member: memberName), line: line)
            }
        }
    }

    /// Reads the principals of a T-SQL database-level grant, `GRANT CREATE TABLE TO role`.
    private mutating func readDatabaseGrant(
        _ items: [GrantItem], line: Int, into declared: inout DeclaredPermissions
    ) throws {
        let principals = try readPrincipals()
        let withGrantOption = try readGrantOptions()
        for item in items {
            if item.columns != nil {
                throw error(at: item.words[0], "a database-level permission takes no column list")
            }
            let permission = try permissionName(item)
            try checkPermission(
                permission, at: item.words[0], securableClass: .database, objectType: .database,
                onColumn: false)
            for principal in principals {
                declared.add(
                    Grant(
                        principal: principal, permission: permission, securable: .database(),
                        objectType: .database, withGrantOption: withGrantOption),
                    line: line)
            }
        }
    }

    /// Reads `WITH GRANT OPTION`, and the grantor clauses that do not change what is granted:
    /// `AS principal` (T-SQL) and `GRANTED BY role` (PostgreSQL).
    private mutating func readGrantOptions() throws -> Bool {
        var withGrantOption = false
        while true {
            if consumeKeyword("WITH") {
                try expectKeyword("GRANT", after: "WITH")
                try expectKeyword("OPTION", after: "WITH GRANT")
                withGrantOption = true
            } else if syntax == .transactSQL, consumeKeyword("AS") {
                _ = try readIdentifier(after: "AS")
            } else if syntax == .postgreSQL, consumeKeyword("GRANTED") {
                try expectKeyword("BY", after: "GRANTED")
                _ = try readIdentifier(after: "GRANTED BY")
            } else {
                return withGrantOption
            }
        }
    }

    /// Reads the options of a PostgreSQL role grant: `WITH ADMIN OPTION`, `WITH INHERIT TRUE,
    /// SET FALSE` (PostgreSQL 16) and `GRANTED BY role`.
    ///
    /// NOTE: the options are accepted but not compared, so a membership that lacks a declared
    /// ADMIN OPTION, or has one that was not declared, is not reported.
    private mutating func readRoleGrantOptions() throws {
        while true {
            if consumeKeyword("WITH") {
                repeat {
                    guard let option = current, option.kind == .word,
                        ["ADMIN", "INHERIT", "SET"].contains(option.text.uppercased())
                    else {
                        throw error(
                            at: current,
                            "expected ADMIN, INHERIT or SET after WITH, found \(describe(current))")
                    }
                    index += 1
                    guard let value = current, value.kind == .word,
                        ["OPTION", "TRUE", "FALSE"].contains(value.text.uppercased())
                    else {
                        throw error(
                            at: current,
                            "expected OPTION, TRUE or FALSE after WITH "
                                + "\(option.text.uppercased()), found \(describe(current))")
                    }
                    index += 1
                } while consumeSymbol(",")
            } else if consumeKeyword("GRANTED") {
                try expectKeyword("BY", after: "GRANTED")
                _ = try readIdentifier(after: "GRANTED BY")
            } else {
                return
            }
        }
    }

    // MARK: - ALTER ROLE

    private mutating func readAlterRole(into declared: inout DeclaredPermissions) throws {
        let alterToken = tokens[index]
        index += 2
        let role = try readIdentifier(after: "ALTER ROLE")
        guard consumeKeyword("ADD") else {
            throw error(
                at: current,
                "only ALTER ROLE role ADD MEMBER member declares a membership; found "
                    + "\(describe(current)) after the role name")
        }
        try expectKeyword("MEMBER", after: "ADD")
        let member = try readIdentifier(after: "ADD MEMBER")
        declared.add(Membership(role: role, member: member), line: alterToken.line)
    }

    // MARK: - Securables

    /// Reads what follows `ON`: one securable in T-SQL, a list of one kind in PostgreSQL.
    private mutating func readSecurables() throws -> [(Securable, ObjectType)] {
        switch syntax {
        case .transactSQL:
            return try readTransactSQLSecurables()
        case .postgreSQL:
            return try readPostgreSQLSecurables()
        }
    }

    /// The T-SQL securable classes other than OBJECT, SCHEMA and DATABASE, which a GRANT may
    /// name but the file may not declare.
    ///
    /// NOTE: permissions on these classes that a declared principal holds are read and
    /// reported as extra, but a file cannot declare them, so such a permission always fails
    /// the check until this parser and the securable lookup learn the class.
    private static let otherTransactSQLClasses: Set<String> = [
        "APPLICATION ROLE", "ASSEMBLY", "ASYMMETRIC KEY", "AVAILABILITY GROUP", "CERTIFICATE",
        "CONTRACT", "DATABASE SCOPED CREDENTIAL", "ENDPOINT", "FULLTEXT CATALOG",
        "FULLTEXT STOPLIST", "LOGIN", "MESSAGE TYPE", "REMOTE SERVICE BINDING", "ROLE", "ROUTE",
        "SEARCH PROPERTY LIST", "SERVER", "SERVER ROLE", "SERVICE", "SYMMETRIC KEY", "TYPE",
        "USER", "XML SCHEMA COLLECTION",
    ]

    private mutating func readTransactSQLSecurables() throws -> [(Securable, ObjectType)] {
        var securableClass = "OBJECT"
        if let (words, count) = transactSQLClassPrefix() {
            securableClass = words
            guard ["OBJECT", "SCHEMA", "DATABASE"].contains(securableClass) else {
                let known = Self.otherTransactSQLClasses.contains(securableClass)
                throw error(
                    at: current,
                    known
                        ? "permissions on \(securableClass):: are not supported. "
                            + "verify-permissions compares OBJECT::, SCHEMA:: and DATABASE:: "
                            + "permissions."
                        : "\(securableClass) is not a SQL Server securable class. Write "
                            + "OBJECT::, SCHEMA:: or DATABASE:: before the name, or the object "
                            + "name alone.")
            }
            index += count
        }

        switch securableClass {
        case "SCHEMA":
            return [(.schema(try readIdentifier(after: "SCHEMA::")), .schema)]
        case "DATABASE":
            return [(.database(try readIdentifier(after: "DATABASE::")), .database)]
        default:
            let nameToken = current
            let parts = try readQualifiedName()
            guard parts.count <= 2 else {
                throw error(
                    at: nameToken,
                    "write the object as schema.name; database-qualified names are not supported")
            }
            if parts.count == 1, let next = current,
                next.kind == .quotedIdentifier || next.kind == .word && !next.isKeyword("TO")
            {
                // `ON TABEL dbo.t`: a word before the name that is no class.
                throw error(
                    at: nameToken,
                    "\(parts[0].uppercased()) is not a SQL Server securable class. Write "
                        + "OBJECT::, SCHEMA:: or DATABASE:: before the name, or the object name "
                        + "alone, as in ON OBJECT::dbo.name.")
            }
            let securable = Securable.object(
                schema: parts.count == 2 ? parts[0] : "dbo", name: parts[parts.count - 1])
            guard current?.isSymbol("(") == true else {
                return [(securable, .object)]
            }
            // `ON OBJECT::t (a, b)` grants each listed permission on each column.
            return try readColumnList().map { column in
                var target = securable
                target.column = column
                return (target, .object)
            }
        }
    }

    /// Returns the class of `class::name`, such as `XML SCHEMA COLLECTION`, and the number
    /// of tokens up to and including `::`. Returns nil when no `::` follows one to three
    /// words.
    private func transactSQLClassPrefix() -> (String, Int)? {
        var words: [String] = []
        for offset in 0..<3 {
            guard let word = peek(offset), word.kind == .word else { return nil }
            words.append(word.text.uppercased())
            if peek(offset + 1)?.isSymbol(":") == true, peek(offset + 2)?.isSymbol(":") == true {
                return (words.joined(separator: " "), offset + 3)
            }
        }
        return nil
    }

    private mutating func readPostgreSQLSecurables() throws -> [(Securable, ObjectType)] {
        var objectType = ObjectType.table
        var kindWord = "TABLE"
        if let word = current, word.kind == .word {
            let keyword = word.text.uppercased()
            let kinds: [String: ObjectType] = [
                "TABLE": .table, "SEQUENCE": .sequence, "FUNCTION": .function,
                "PROCEDURE": .procedure, "ROUTINE": .function, "SCHEMA": .schema,
                "DATABASE": .database,
            ]
            let unsupported: Set<String> = [
                "LARGE", "DOMAIN", "TYPE", "LANGUAGE", "FOREIGN", "TABLESPACE", "PARAMETER",
            ]
            if let kind = kinds[keyword] {
                objectType = kind
                kindWord = keyword
                index += 1
            } else if keyword == "ALL", peek(1)?.kind == .word {
                throw error(
                    at: word,
                    "GRANT ... ON ALL \(peek(1)!.text.uppercased()) IN SCHEMA is not supported, "
                        + "because its meaning changes as objects are added. Grant on each "
                        + "object by name.")
            } else if unsupported.contains(keyword) {
                throw error(
                    at: word,
                    "privileges on \(keyword) objects are not supported. verify-permissions "
                        + "compares tables, views, sequences, functions, procedures, schemas and "
                        + "databases.")
            } else if let next = peek(1),
                next.kind == .quotedIdentifier || next.kind == .word && !next.isKeyword("TO")
            {
                // `ON TABEL dbo.t`: two names in a row, so the first was meant as a kind.
                throw error(
                    at: word,
                    "\(keyword) is not an object type PostgreSQL grants privileges on. Write "
                        + "TABLE, SEQUENCE, FUNCTION, PROCEDURE, ROUTINE, SCHEMA or DATABASE "
                        + "before the name, or the name alone for a table.")
            }
        }

        var securables: [(Securable, ObjectType)] = []
        repeat {
            switch objectType {
            case .schema:
                securables.append((.schema(try readIdentifier(after: "SCHEMA")), .schema))
            case .database:
                securables.append((.database(try readIdentifier(after: "DATABASE")), .database))
            default:
                let nameToken = current
                let parts = try readQualifiedName()
                guard parts.count == 2 else {
                    throw error(
                        at: nameToken,
                        "write the \(kindWord.lowercased()) as schema.name, such as "
                            + "dbo.\(parts.last ?? "name"), because PostgreSQL would resolve a "
                            + "bare name through search_path")
                }
                var arguments: String?
                if objectType.isRoutine, current?.isSymbol("(") == true {
                    arguments = try readArgumentList()
                }
                securables.append(
                    (.object(schema: parts[0], name: parts[1], arguments: arguments), objectType))
            }
        } while consumeSymbol(",")
        return securables
    }

    // MARK: - Names

    private mutating func readPrincipals() throws -> [Principal] {
        var principals: [Principal] = []
        repeat {
            principals.append(try readPrincipal())
        } while consumeSymbol(",")
        return principals
    }

    private mutating func readPrincipal() throws -> Principal {
        guard let token = current, token.kind == .word || token.kind == .quotedIdentifier else {
            throw error(
                at: current, "expected a role or user name after TO, found \(describe(current))")
        }
        if syntax == .postgreSQL, token.kind == .word {
            let keyword = token.text.uppercased()
            if keyword == "GROUP" {
                throw error(at: token, "write TO role instead of the obsolete TO GROUP role")
            }
            if ["CURRENT_USER", "SESSION_USER", "CURRENT_ROLE"].contains(keyword) {
                throw error(
                    at: token,
                    "name the role instead of \(keyword), because the check compares the "
                        + "grants of named roles")
            }
        }
        index += 1
        let name = identifier(token)
        if syntax == .postgreSQL ? name == "public" : name.lowercased() == "public" {
            return .public
        }
        return .named(name)
    }

    private mutating func readIdentifier(after context: String) throws -> String {
        guard let token = current, token.kind == .word || token.kind == .quotedIdentifier else {
            throw error(at: current, "expected a name after \(context), found \(describe(current))")
        }
        index += 1
        return identifier(token)
    }

    /// Reads `name` or `schema.name`, returning the parts.
    private mutating func readQualifiedName() throws -> [String] {
        var parts = [try readIdentifier(after: "ON")]
        while consumeSymbol(".") {
            parts.append(try readIdentifier(after: "."))
        }
        return parts
    }

    private mutating func readColumnList() throws -> [String] {
        index += 1
        var columns: [String] = []
        repeat {
            columns.append(try readIdentifier(after: "("))
        } while consumeSymbol(",")
        guard consumeSymbol(")") else {
            throw error(
                at: current, "expected ) to end the column list, found \(describe(current))")
        }
        return columns
    }

    /// Reads a routine's `(type, ...)` list and returns its text without the parentheses,
    /// for the server to resolve.
    private mutating func readArgumentList() throws -> String {
        let open = tokens[index]
        index += 1
        var depth = 1
        var text = ""
        while let token = current {
            index += 1
            if token.isSymbol("(") {
                depth += 1
            } else if token.isSymbol(")") {
                depth -= 1
                if depth == 0 { return text }
            }
            if token.isSymbol(",") || token.isSymbol("(") || token.isSymbol(")") {
                text += token.text
            } else {
                if !text.isEmpty, !text.hasSuffix("(") { text += " " }
                text += token.text
            }
        }
        throw error(at: open, "the argument list that starts here is never closed with )")
    }

    /// Returns the name a word or quoted identifier stands for. PostgreSQL folds unquoted
    /// names to lower case (ASCII letters only, as it does for UTF-8 databases); SQL Server
    /// keeps them as written and compares them by the database collation.
    private func identifier(_ token: GrantToken) -> String {
        if token.kind == .quotedIdentifier {
            return token.unquoted
        }
        guard syntax == .postgreSQL else { return token.text }
        return String(
            String.UnicodeScalarView(
                token.text.unicodeScalars.map { scalar in
                    ("A"..."Z").contains(scalar)
                        ? Unicode.Scalar(scalar.value + 32)! : scalar
                }))
    }

    // MARK: - Helpers

    private mutating func consumeKeyword(_ keyword: String) -> Bool {
        guard current?.isKeyword(keyword) == true else { return false }
        index += 1
        return true
    }

    private mutating func consumeSymbol(_ symbol: String) -> Bool {
        guard current?.isSymbol(symbol) == true else { return false }
        index += 1
        return true
    }

    private mutating func expectKeyword(_ keyword: String, after context: String) throws {
        guard consumeKeyword(keyword) else {
            throw error(
                at: current, "expected \(keyword) after \(context), found \(describe(current))")
        }
    }

    private func describe(_ token: GrantToken?) -> String {
        guard let token else { return "the end of the statement" }
        return "'\(token.text)'"
    }

    /// Builds an error at `token`'s line, or at the last line of the batch at its end.
    private func error(at token: GrantToken?, _ message: String) -> GrantParseError {
        let line = token?.line ?? tokens.last?.line ?? batchLine
        return GrantParseError(fileName: fileName, line: line, message: message)
    }
}
