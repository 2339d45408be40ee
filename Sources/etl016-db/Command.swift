import ETL016Core
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Process exit codes, the same for every command.
enum ExitCode: Int32 {
    case success = 0
    /// The work failed: a database error, a failed migration, a held lock.
    case failure = 1
    /// Usage or configuration error, found before anything changed.
    case usage = 2
    /// A check found problems: pending or drifted migrations, permission drift, a purge
    /// refused by a safety limit, a short partition runway.
    case checkFailed = 3
}

/// One subcommand of etl016-db.
protocol Command {
    static var name: String { get }
    /// One line for the command list.
    static var summary: String { get }
    /// The usage line after `etl016-db`, such as `migrate [--target VERSION]`.
    static var usage: String { get }
    /// Paragraphs shown by `--help` after the usage line.
    static var details: String { get }
    static var options: [OptionSpec] { get }
    /// Whether the command uses `--connection`, so its help lists the connection options.
    static var connects: Bool { get }

    static func run(_ context: CommandContext) throws -> ExitCode
}

extension Command {
    static var connects: Bool { true }
}

/// Options every command accepts.
let globalOptions: [OptionSpec] = [
    .value(
        "connection", "STRING",
        "ODBC connection string; default: the ETL016_DB_CONNECTION environment variable. "
            + "When it holds no PWD, ETL016_DB_PASSWORD supplies the password"),
    .flag("json", "print the result on stdout as JSON"),
    .value("log-format", "text|json", "format of the log lines on stderr (default text)"),
    .value("log-level", "LEVEL", "debug, info, warning or error (default info)"),
    .value("login-timeout", "SECONDS", "seconds to wait for the login (default 15)"),
    .value(
        "query-timeout", "SECONDS",
        "seconds a statement may run before it is cancelled; 0, the default, means no limit"),
    .flag("help", "show this help"),
]

/// The arguments, logger and output streams of a running command.
final class CommandContext {
    let arguments: ParsedArguments
    let logger: Logger
    let environment: [String: String]

    init(arguments: ParsedArguments, logger: Logger, environment: [String: String]) {
        self.arguments = arguments
        self.logger = logger
        self.environment = environment
    }

    var wantsJSON: Bool { arguments.has("json") }

    // MARK: - Output

    /// Writes a line of the result to standard output.
    func print(_ text: String) {
        Swift.print(text)
    }

    func printJSON(_ value: JSONValue) {
        print(value.serialized(pretty: true))
    }

    /// Prints the JSON form with `--json`, the text form otherwise.
    func emit(_ value: JSONRepresentable, text: () -> String) {
        if wantsJSON { printJSON(value.json) } else { print(text()) }
    }

    // MARK: - Connection

    /// The connection string from `--connection` or the environment, with the password
    /// from ETL016_DB_PASSWORD added when the string holds none.
    func connectionString() throws -> ConnectionString {
        guard let text = arguments.value("connection") ?? environment["ETL016_DB_CONNECTION"],
            !text.trimmingWhitespace().isEmpty
        else {
            throw ConfigurationError(
                "no connection string: pass --connection 'Driver=...;Server=...' or set "
                    + "ETL016_DB_CONNECTION")
        }
        var string = ConnectionString(text)
        if !string.hasPassword, let password = environment["ETL016_DB_PASSWORD"],
            !password.isEmpty
        {
            string = string.addingPassword(password)
        }
        return string
    }

    /// Opens the connection and detects the dialect from the server.
    func connect() throws -> (Connection, any Dialect) {
        let options = ConnectionOptions(
            loginTimeout: try arguments.integer("login-timeout", default: 15, range: 0...3600),
            queryTimeout: try arguments.integer("query-timeout", default: 0, range: 0...604_800))
        let string = try connectionString()
        logger.debug("connecting with \(string.redacted)")
        let (connection, dialect) = try ETL016Core.connect(string, options: options)
        logger.debug(
            "connected to \(connection.dbmsName) \(connection.dbmsVersion)",
            [("dialect", .string(dialect.kind.rawValue))])
        return (connection, dialect)
    }

    /// Values of `--var NAME=VALUE`, keyed by lower-case name.
    func variables() throws -> [String: String] {
        var values: [String: String] = [:]
        for assignment in arguments.all("var") {
            do {
                let (name, value) = try ScriptVariables.parseAssignment(assignment)
                values[name.lowercased()] = value
            } catch {
                throw UsageError(message: String(describing: error), command: arguments.command)
            }
        }
        return values
    }
}
