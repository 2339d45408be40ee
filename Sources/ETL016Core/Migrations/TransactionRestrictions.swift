/// A statement in a migration script that the server rejects inside a transaction.
public struct NonTransactionalStatement: Equatable, Sendable {
    /// The 1-based line of the script where the statement's first keyword is.
    public var line: Int

    /// The statement in upper-case keywords, such as `ALTER DATABASE` or
    /// `CREATE INDEX CONCURRENTLY`.
    public var statement: String

    public init(line: Int, statement: String) {
        self.line = line
        self.statement = statement
    }
}

/// Detection of statements that cannot run inside a transaction, so that the migrator can reject
/// a script before running any of it, unless the script opts out of the transaction with the
/// header line `-- etl016:no-transaction`.
///
/// Only code is matched. Keywords inside comments, strings and quoted identifiers do not count.
///
///     let batches = try TSQLBatchSplitter.split("ALTER DATABASE CURRENT SET RECOVERY SIMPLE;")
///     TransactionRestrictions.sqlServerStatements(in: batches)
///     // [NonTransactionalStatement(line: 1, statement: "ALTER DATABASE")]
///
/// NOTE: Statements built at run time (`EXEC('BACKUP ...')`, PL/pgSQL `EXECUTE`) and statements
/// inside a procedure that the script calls are not seen.
public enum TransactionRestrictions {
    /// The header line that lets a script run without a transaction.
    public static let noTransactionHeader = "-- etl016:no-transaction"

    /// Returns the statements of T-SQL `batches` that SQL Server rejects in a user transaction.
    ///
    /// The list follows the SQL Server 2008 R2 documentation page "Transact-SQL Statements
    /// Allowed in Transactions": ALTER, CREATE and DROP DATABASE, BACKUP and RESTORE of a
    /// DATABASE or LOG, RECONFIGURE, CREATE, ALTER and DROP FULLTEXT CATALOG or FULLTEXT INDEX,
    /// and the `sp_fulltext_*` system procedures. UPDATE STATISTICS is allowed there, although
    /// it commits on its own, so it is not listed.
    ///
    /// A batch that creates or alters a procedure, function or trigger is skipped, because that
    /// statement must be alone in its batch and its body runs later, when the module is called.
    public static func sqlServerStatements(in batches: [Batch]) -> [NonTransactionalStatement] {
        batches.flatMap { batch in
            let words = CodeWords(batch, dialect: .transactSQL)
            return words.definesModule ? [] : sqlServerStatements(in: words)
        }
    }

    /// Returns the statements of PostgreSQL `batches` that PostgreSQL rejects inside a
    /// transaction block.
    ///
    /// The list follows the commands that call `PreventInTransactionBlock` in the PostgreSQL
    /// server source. Index commands: CREATE and DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY,
    /// and REINDEX SCHEMA, DATABASE or SYSTEM. Maintenance: VACUUM and CLUSTER without a table
    /// name. Databases and tablespaces: CREATE and DROP DATABASE, ALTER DATABASE SET TABLESPACE,
    /// CREATE and DROP TABLESPACE. Also ALTER SYSTEM, ALTER TABLE ... DETACH PARTITION ...
    /// CONCURRENTLY (PostgreSQL 14 and later), DISCARD ALL, COMMIT PREPARED, ROLLBACK PREPARED,
    /// and the subscription commands that create, drop or refresh a replication slot.
    ///
    /// NOTE: Recent PostgreSQL versions may also reject REINDEX or CLUSTER of a partitioned table
    /// in a transaction. That depends on the table, which the script does not show, so it is not
    /// checked.
    public static func postgreSQLStatements(in batches: [Batch]) -> [NonTransactionalStatement] {
        batches.flatMap { batch in
            CodeWords(batch, dialect: .postgreSQL).statements().compactMap(postgreSQLStatement)
        }
    }

    /// Returns the PostgreSQL statements that would end the transaction a migration runs in:
    /// BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK and ABORT (not ROLLBACK TO SAVEPOINT),
    /// and PREPARE TRANSACTION. A COMMIT would make the statements before it permanent even
    /// when a later one fails.
    public static func postgreSQLTransactionControl(in batches: [Batch])
        -> [NonTransactionalStatement]
    {
        batches.flatMap { batch in
            CodeWords(batch, dialect: .postgreSQL).statements().compactMap { statement in
                let words = statement.topLevelWords
                let first = words.first ?? ""
                let second = words.count > 1 ? words[1] : ""
                switch (first, second) {
                case ("BEGIN", _), ("START", "TRANSACTION"), ("END", _), ("ABORT", _):
                    return NonTransactionalStatement(line: statement.line, statement: first)
                case ("COMMIT", let next) where next != "PREPARED":
                    return NonTransactionalStatement(line: statement.line, statement: first)
                case ("ROLLBACK", let next) where next != "PREPARED" && !words.contains("TO"):
                    return NonTransactionalStatement(line: statement.line, statement: first)
                case ("PREPARE", "TRANSACTION"):
                    return NonTransactionalStatement(
                        line: statement.line, statement: "PREPARE TRANSACTION")
                default:
                    return nil
                }
            }
        }
    }

    /// Returns true when the header line `-- etl016:no-transaction` is among the comments at the
    /// start of `script`, before any code.
    ///
    /// The comparison ignores case and the spaces around the text after `--`. A leading byte
    /// order mark, blank lines and other comments may come before the header.
    public static func declaresNoTransaction(_ script: String) -> Bool {
        let bytes = ScriptBytes.normalizedBytes(script.utf8)
        var scanner = SQLScanner(bytes, dialect: .transactSQL)
        let expected = noTransactionHeader.dropFirst(2).trimmingBlanks().lowercased()

        while let token = scanner.next(), token.isTrivia {
            guard token.kind == .lineComment else {
                continue
            }
            let text = scanner.text(of: token).dropFirst(2).trimmingBlanks()
            if text.lowercased() == expected {
                return true
            }
        }
        return false
    }

    // MARK: - SQL Server

    private static func sqlServerStatements(in words: CodeWords) -> [NonTransactionalStatement] {
        var found: [NonTransactionalStatement] = []
        for index in words.indices {
            guard let word = words.word(at: index) else {
                continue
            }
            let next = words.word(at: index + 1) ?? ""
            let statement: String?

            switch (word, next) {
            case ("ALTER", "DATABASE"), ("CREATE", "DATABASE"), ("DROP", "DATABASE"):
                statement = isDatabaseScopedObject(words, at: index + 2) ? nil : "\(word) DATABASE"
            case ("ALTER", "FULLTEXT"), ("CREATE", "FULLTEXT"), ("DROP", "FULLTEXT"):
                let object = words.word(at: index + 2)
                let isFullText = object == "CATALOG" || object == "INDEX"
                statement = isFullText ? "\(word) FULLTEXT \(object ?? "")" : nil
            case ("BACKUP", "DATABASE"), ("BACKUP", "LOG"),
                ("RESTORE", "DATABASE"), ("RESTORE", "LOG"):
                statement = "\(word) \(next)"
            case ("RECONFIGURE", _):
                statement = "RECONFIGURE"
            case _ where word.hasPrefix("SP_FULLTEXT_"):
                statement = "EXECUTE \(word.lowercased())"
            default:
                statement = nil
            }

            if let statement {
                found.append(NonTransactionalStatement(line: words.line(at: index),
                                                       statement: statement))
            }
        }
        return found
    }

    /// True when the words at `index` name an object that lives inside a database, as in
    /// `CREATE DATABASE SCOPED CREDENTIAL`, rather than the database itself.
    ///
    /// NOTE: Whether SQL Server allows these statements in a transaction is not verified. They
    /// are not on its documented list, so they are not reported.
    private static func isDatabaseScopedObject(_ words: CodeWords, at index: Int) -> Bool {
        switch (words.word(at: index), words.word(at: index + 1)) {
        case ("SCOPED", "CONFIGURATION"), ("SCOPED", "CREDENTIAL"), ("AUDIT", "SPECIFICATION"),
            ("ENCRYPTION", "KEY"):
            return true
        default:
            return false
        }
    }

    // MARK: - PostgreSQL

    private static func postgreSQLStatement(
        _ statement: CodeWords.Statement
    ) -> NonTransactionalStatement? {
        guard let name = postgreSQLStatementName(statement) else {
            return nil
        }
        return NonTransactionalStatement(line: statement.line, statement: name)
    }

    private static func postgreSQLStatementName(_ statement: CodeWords.Statement) -> String? {
        let words = statement.topLevelWords
        let first = words.first ?? ""
        let second = words.count > 1 ? words[1] : ""

        switch (first, second) {
        case ("CREATE", "INDEX"), ("CREATE", "UNIQUE"):
            let concurrently = words.dropFirst(second == "UNIQUE" ? 3 : 2).first
            let isIndex = second == "INDEX" || (words.count > 2 && words[2] == "INDEX")
            return isIndex && concurrently == "CONCURRENTLY" ? "CREATE INDEX CONCURRENTLY" : nil
        case ("DROP", "INDEX"):
            return words.dropFirst(2).first == "CONCURRENTLY" ? "DROP INDEX CONCURRENTLY" : nil
        case ("REINDEX", _):
            return reindexStatementName(statement)
        case ("VACUUM", _):
            return "VACUUM"
        case ("CLUSTER", _):
            return statement.hasTarget(after: ["CLUSTER", "VERBOSE"])
                ? nil : "CLUSTER without a table name"
        case ("CREATE", "DATABASE"), ("DROP", "DATABASE"),
            ("CREATE", "TABLESPACE"), ("DROP", "TABLESPACE"):
            return "\(first) \(second)"
        case ("ALTER", "DATABASE"):
            return statement.containsTopLevel("SET", "TABLESPACE")
                ? "ALTER DATABASE SET TABLESPACE" : nil
        case ("ALTER", "SYSTEM"):
            return "ALTER SYSTEM"
        case ("ALTER", "TABLE"):
            let detachesConcurrently =
                words.contains("DETACH") && words.contains("CONCURRENTLY")
            return detachesConcurrently ? "ALTER TABLE DETACH PARTITION CONCURRENTLY" : nil
        case ("DISCARD", "ALL"), ("COMMIT", "PREPARED"), ("ROLLBACK", "PREPARED"):
            return "\(first) \(second)"
        case (_, "SUBSCRIPTION"):
            return subscriptionStatementName(statement, verb: first)
        default:
            return nil
        }
    }

    private static func reindexStatementName(_ statement: CodeWords.Statement) -> String? {
        let kind = statement.topLevelWords.dropFirst().first ?? ""
        if ["SCHEMA", "DATABASE", "SYSTEM"].contains(kind) {
            return "REINDEX \(kind)"
        }
        // CONCURRENTLY may follow the kind or, from PostgreSQL 14, sit in the option list.
        return statement.allWords.contains("CONCURRENTLY") ? "REINDEX CONCURRENTLY" : nil
    }

    /// Returns the name of a subscription command that needs the replication slot outside a
    /// transaction: CREATE SUBSCRIPTION unless `create_slot` or `connect` is false, DROP
    /// SUBSCRIPTION, REFRESH PUBLICATION, and SET, ADD or DROP PUBLICATION unless `refresh` is
    /// false.
    ///
    /// NOTE: DROP SUBSCRIPTION runs in a transaction when the subscription has no slot
    /// (`slot_name = NONE`). The script alone does not show that, so it is always reported.
    private static func subscriptionStatementName(
        _ statement: CodeWords.Statement, verb: String
    ) -> String? {
        switch verb {
        case "CREATE":
            let skipsSlot =
                statement.setsOptionToFalse("CREATE_SLOT")
                || statement.setsOptionToFalse("CONNECT")
            return skipsSlot ? nil : "CREATE SUBSCRIPTION"
        case "DROP":
            return "DROP SUBSCRIPTION"
        case "ALTER":
            if statement.containsTopLevel("REFRESH", "PUBLICATION") {
                return "ALTER SUBSCRIPTION REFRESH PUBLICATION"
            }
            let changesPublications = ["SET", "ADD", "DROP"].contains { verb in
                statement.containsTopLevel(verb, "PUBLICATION")
            }
            let skipsRefresh = statement.setsOptionToFalse("REFRESH")
            return changesPublications && !skipsRefresh
                ? "ALTER SUBSCRIPTION PUBLICATION WITH REFRESH" : nil
        default:
            return nil
        }
    }
}

// MARK: - Code words

/// The code tokens of one batch, with keywords upper-cased and line numbers mapped to the
/// script.
private struct CodeWords {
    struct Element {
        /// The upper-cased word, or nil for any other code token.
        var word: String? = nil
        var number: String? = nil
        var symbol: UInt8? = nil
        var line: Int
        var parenthesisDepth: Int
    }

    /// The code of one statement, between top-level semicolons.
    struct Statement {
        var elements: [Element]

        var line: Int {
            elements.first?.line ?? 0
        }

        var allWords: [String] {
            elements.compactMap(\.word)
        }

        /// The words outside parentheses, in order.
        var topLevelWords: [String] {
            elements.filter { $0.parenthesisDepth == 0 }.compactMap(\.word)
        }

        /// True when the words `first` and `second` follow each other outside parentheses.
        func containsTopLevel(_ first: String, _ second: String) -> Bool {
            let words = topLevelWords
            return zip(words, words.dropFirst()).contains { $0 == (first, second) }
        }

        /// True when a top-level token other than the words in `skipped` follows the statement's
        /// first word, so that it names a target such as a table.
        func hasTarget(after skipped: Set<String>) -> Bool {
            elements.dropFirst().contains { element in
                guard element.parenthesisDepth == 0, element.symbol == nil else {
                    return false
                }
                return element.word.map { !skipped.contains($0) } ?? true
            }
        }

        /// True when the statement sets the option `name` (upper case) to false, off or 0, as in
        /// `WITH (create_slot = false)`.
        func setsOptionToFalse(_ name: String) -> Bool {
            for index in elements.indices where elements[index].word == name {
                let valueIndex = index + 2
                guard valueIndex < elements.count,
                    elements[index + 1].symbol == ASCII.equals
                else {
                    continue
                }
                let value = elements[valueIndex]
                if value.word == "FALSE" || value.word == "OFF" || value.number == "0" {
                    return true
                }
            }
            return false
        }
    }

    private var elements: [Element] = []

    /// True when the batch starts with CREATE or ALTER of a procedure, function or trigger
    /// (including `CREATE OR ALTER`), so the rest of the batch is the module's body.
    let definesModule: Bool

    init(_ batch: Batch, dialect: SQLDialect) {
        var scanner = SQLScanner(Array(batch.sql.utf8), dialect: dialect)
        var depth = 0
        while let token = scanner.next() {
            if token.isTrivia {
                continue
            }

            let line = batch.line + token.line - 1
            switch token.kind {
            case .word:
                elements.append(
                    Element(word: scanner.keyword(token), line: line, parenthesisDepth: depth))
            case .symbol:
                let byte = scanner.bytes[token.range.lowerBound]
                if byte == ASCII.closeParenthesis {
                    depth = max(depth - 1, 0)
                }
                elements.append(Element(symbol: byte, line: line, parenthesisDepth: depth))
                if byte == ASCII.openParenthesis {
                    depth += 1
                }
            case .number:
                elements.append(
                    Element(number: scanner.text(of: token), line: line, parenthesisDepth: depth))
            default:
                elements.append(Element(line: line, parenthesisDepth: depth))
            }
        }

        let leading = elements.prefix(4).compactMap(\.word)
        let moduleKinds: Set<String> = ["PROCEDURE", "PROC", "FUNCTION", "TRIGGER"]
        switch leading.first {
        case "CREATE":
            let kindIndex = leading.count > 2 && leading[1] == "OR" && leading[2] == "ALTER" ? 3 : 1
            definesModule = kindIndex < leading.count && moduleKinds.contains(leading[kindIndex])
        case "ALTER":
            definesModule = leading.count > 1 && moduleKinds.contains(leading[1])
        default:
            definesModule = false
        }
    }

    var indices: Range<Int> {
        elements.indices
    }

    /// Returns the upper-cased word at `index`, or nil past the end or for a token that is not a
    /// word.
    func word(at index: Int) -> String? {
        index < elements.count ? elements[index].word : nil
    }

    func line(at index: Int) -> Int {
        elements[index].line
    }

    /// Splits the code on semicolons outside parentheses, leaving out empty statements.
    func statements() -> [Statement] {
        var statements: [Statement] = []
        var current: [Element] = []
        for element in elements {
            if element.symbol == ASCII.semicolon && element.parenthesisDepth == 0 {
                if !current.isEmpty {
                    statements.append(Statement(elements: current))
                }
                current = []
            } else {
                current.append(element)
            }
        }
        if !current.isEmpty {
            statements.append(Statement(elements: current))
        }
        return statements
    }
}

extension StringProtocol {
    /// Returns the text without leading and trailing spaces and tabs.
    fileprivate func trimmingBlanks() -> String {
        let blanks: Set<Character> = [" ", "\t"]
        guard let first = firstIndex(where: { !blanks.contains($0) }),
            let last = lastIndex(where: { !blanks.contains($0) })
        else {
            return ""
        }
        return String(self[first...last])
    }
}
