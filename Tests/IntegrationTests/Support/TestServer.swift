import ETL016Core
import Foundation
import Testing

/// A database server the integration suite runs against, from an environment variable
/// holding an ODBC connection string with a login that may create databases:
/// `ETL016_TEST_POSTGRES` (set by scripts/test.sh) and `ETL016_TEST_SQLSERVER`.
struct TestServer: CustomTestStringConvertible, Sendable {
    let kind: DialectKind
    let connectionString: String

    var testDescription: String { kind.rawValue }

    /// The servers configured in the environment; empty when none is.
    static let configured: [TestServer] = {
        let environment = ProcessInfo.processInfo.environment
        var servers: [TestServer] = []
        if let text = environment["ETL016_TEST_POSTGRES"], !text.isEmpty {
            servers.append(TestServer(kind: .postgreSQL, connectionString: text))
        }
        if let text = environment["ETL016_TEST_SQLSERVER"], !text.isEmpty {
            servers.append(TestServer(kind: .sqlServer, connectionString: text))
        }
        return servers
    }()

    static var isConfigured: Bool { !configured.isEmpty }

    static var postgreSQL: TestServer? { configured.first { $0.kind == .postgreSQL } }
}

/// A database created for one test and dropped by `drop()`.
final class TestDatabase {
    let server: TestServer
    let name: String
    let connectionString: ConnectionString

    /// Creates an empty database named `etl016_t_<random>` on the server.
    init(on server: TestServer) throws {
        self.server = server
        name = "etl016_t_" + UUID().uuidString.prefix(12).lowercased()
            .replacingOccurrences(of: "-", with: "")
        connectionString = TestDatabase.replacingDatabase(in: server.connectionString, with: name)
        let admin = try Connection(connectionString: ConnectionString(server.connectionString))
        defer { admin.close() }
        let dialect = ETL016Core.dialect(for: server.kind)
        try admin.execute("CREATE DATABASE \(dialect.quoteIdentifier(name))")
    }

    /// Opens a connection to this database with its dialect.
    func connect() throws -> (Connection, any Dialect) {
        try ETL016Core.connect(connectionString)
    }

    /// Drops the database, ending any session still connected to it.
    func drop() {
        do {
            let admin = try Connection(connectionString: ConnectionString(server.connectionString))
            defer { admin.close() }
            let dialect = ETL016Core.dialect(for: server.kind)
            let quoted = dialect.quoteIdentifier(name)
            switch server.kind {
            case .postgreSQL:
                try admin.execute("DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")
            case .sqlServer:
                try admin.execute(
                    "ALTER DATABASE \(quoted) SET SINGLE_USER WITH ROLLBACK IMMEDIATE; "
                        + "DROP DATABASE \(quoted);")
            }
        } catch {
            Issue.record("could not drop test database \(name): \(error)")
        }
    }

    /// Environment for running the CLI against this database.
    var environment: [String: String] {
        ["ETL016_DB_CONNECTION": connectionString.text]
    }

    static func replacingDatabase(in text: String, with database: String) -> ConnectionString {
        let parts = ConnectionString(text).attributes.filter {
            !["database", "dbname"].contains($0.key.lowercased())
        }
        let rebuilt = parts.map { key, value -> String in
            let needsBraces = value.contains(";") || value.contains("{") || value.hasPrefix(" ")
            let escaped = value.replacingOccurrences(of: "}", with: "}}")
            return "\(key)=" + (needsBraces ? "{\(escaped)}" : value)
        }
        return ConnectionString((rebuilt + ["Database=\(database)"]).joined(separator: ";"))
    }
}

/// Runs `body` with a fresh database that is dropped afterwards, pass or fail.
func withTestDatabase<T>(on server: TestServer, _ body: (TestDatabase) throws -> T) throws -> T {
    let database = try TestDatabase(on: server)
    defer { database.drop() }
    return try body(database)
}
