#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The database products etl016-db supports.
public enum DialectKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlServer = "sqlserver"
    case postgreSQL = "postgresql"

    /// The name used in folder and file names, such as `migrations/sqlserver`.
    public var description: String { rawValue }

    /// Returns the dialect for a value of `SQL_DBMS_NAME`, or nil for any other product.
    public init?(dbmsName: String) {
        let name = dbmsName.lowercased()
        if name.contains("sql server") {
            self = .sqlServer
        } else if name.contains("postgres") {
            self = .postgreSQL
        } else {
            return nil
        }
    }
}

/// A schema-qualified object name as the user wrote it, such as `dbo.f_trafegoc01`.
public struct QualifiedName: Hashable, Sendable, CustomStringConvertible {
    public var schema: String
    public var name: String

    public init(schema: String, name: String) {
        self.schema = schema
        self.name = name
    }

    /// Parses `name` or `schema.name`; brackets and double quotes around each part are
    /// removed. The schema defaults to `dbo`.
    public init?(parsing text: String) {
        let parts = QualifiedName.splitParts(text)
        switch parts.count {
        case 1: self.init(schema: "dbo", name: parts[0])
        case 2: self.init(schema: parts[0], name: parts[1])
        default: return nil
        }
        if schema.isEmpty || name.isEmpty { return nil }
    }

    public var description: String { "\(schema).\(name)" }

    private static func splitParts(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var closing: Character?
        let characters = Array(text.trimmingWhitespace())
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            if let close = closing {
                // A doubled closing character (`""` or `]]`) inside a quoted part is one
                // literal character, as in SQL identifiers.
                if character == close, index < characters.count, characters[index] == close {
                    current.append(character)
                    index += 1
                } else if character == close {
                    closing = nil
                } else {
                    current.append(character)
                }
            } else if character == "[" {
                closing = "]"
            } else if character == "\"" {
                closing = "\""
            } else if character == "." {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }
}

/// One database product's SQL and catalog knowledge, used by every engine of etl016-db.
///
/// The migrator, the permission verifier and the purger reach the database only through
/// this protocol and the ones it combines, so none of them tests a dialect's name.
public protocol Dialect: MigrationDialect, PermissionDialect, RetentionDialect {}

/// Everything that differs between SQL Server and PostgreSQL for the migration engine.
public protocol MigrationDialect: Sendable {
    var kind: DialectKind { get }

    /// Quotes one identifier: `[name]` on SQL Server, `"name"` on PostgreSQL, doubling any
    /// closing quote inside.
    func quoteIdentifier(_ name: String) -> String

    /// Splits a script into the batches or statements sent to the server one at a time.
    func splitScript(_ text: String) throws -> [Batch]

    /// Lists statements that the server rejects inside a transaction.
    func nonTransactionalStatements(in batches: [Batch]) -> [NonTransactionalStatement]

    /// Lists statements that would end the transaction a migration runs in, found before
    /// the run. Dialects that catch this at run time instead return none.
    func transactionControlStatements(in batches: [Batch]) -> [NonTransactionalStatement]

    /// Returns false when a script ended the transaction the migrator opened for it, checked
    /// after its last batch and before its history row is written.
    func isTransactionOpen(_ connection: Connection) throws -> Bool

    /// Sets session options the engine relies on, such as `SET XACT_ABORT ON`.
    func prepareSession(_ connection: Connection) throws

    /// Tries to take the session-scoped lock named `resource` within `timeoutSeconds`.
    /// Returns false when another session holds it for the whole time.
    func acquireLock(_ connection: Connection, resource: String, timeoutSeconds: Int) throws
        -> Bool

    func releaseLock(_ connection: Connection, resource: String) throws

    /// Returns the login name of the session, for `applied_by`.
    func currentUserName(_ connection: Connection) throws -> String

    /// The SQL of the migration history table.
    var history: HistorySQL { get }
}

extension MigrationDialect {
    /// Quotes `schema.name` with `quoteIdentifier` on each part.
    public func quote(_ name: QualifiedName) -> String {
        "\(quoteIdentifier(name.schema)).\(quoteIdentifier(name.name))"
    }
}

/// Statements that read and write `dbo.schema_version`. Every value is a `?` parameter.
public struct HistorySQL: Sendable {
    /// Returns the column names of `dbo.schema_version`, one row each, or no row when the
    /// table does not exist.
    public var listColumns: String
    public var createSchema: String?
    public var createTable: String
    /// Statements that add the columns a legacy three-column table lacks, one per column.
    public var addColumn: @Sendable (_ name: String) -> String?
    public var markLegacyRowsApplied: String
    public var selectAll: String
    /// Parameters: version, description, script, checksum, applied_by, execution_ms,
    /// success (1 or 0), batches_completed.
    public var insert: String
    /// Parameter: version.
    public var delete: String
    /// Parameters: checksum, version.
    public var updateChecksum: String
    /// Parameters: batches_completed, version.
    public var updateProgress: String
}

/// Opens a connection and returns it with the dialect detected from `SQL_DBMS_NAME`.
public func connect(
    _ connectionString: ConnectionString, options: ConnectionOptions = .init()
) throws -> (Connection, any Dialect) {
    let connection = try Connection(connectionString: connectionString, options: options)
    guard let kind = DialectKind(dbmsName: connection.dbmsName) else {
        throw ConfigurationError(
            "the server reports itself as \(connection.dbmsName), which etl016-db does not "
                + "support: connect to SQL Server or PostgreSQL")
    }
    let dialect = dialect(for: kind)
    try dialect.prepareSession(connection)
    return (connection, dialect)
}

/// Returns the dialect implementation for a kind, for offline work such as `validate`.
public func dialect(for kind: DialectKind) -> any Dialect {
    switch kind {
    case .sqlServer: return SQLServerDialect()
    case .postgreSQL: return PostgreSQLDialect()
    }
}
