import ETL016Core
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Finds the subcommand, parses its options, runs it, and turns every error into a message
/// on stderr (and a JSON object on stdout with `--json`) and an exit code. This is the one
/// place where errors become output.
struct CommandLineTool {
    let commands: [Command.Type]

    func run(_ arguments: [String]) -> ExitCode {
        let logger = Logger()
        let wantsJSON = arguments.contains("--json")
        let commandName = findCommandName(arguments)
        guard let commandName else {
            if arguments.isEmpty || arguments.contains("--help") || arguments.contains("-h") {
                print(HelpText.overview(commands))
                return arguments.isEmpty ? .usage : .success
            }
            return report(
                UsageError(message: "missing command", command: nil), logger: logger,
                json: wantsJSON)
        }
        guard let command = commands.first(where: { $0.name == commandName }) else {
            return report(
                UsageError(message: "unknown command \(commandName)", command: nil),
                logger: logger, json: wantsJSON)
        }
        do {
            var rest = arguments
            if let index = rest.firstIndex(of: commandName) { rest.remove(at: index) }
            let parsed = try ParsedArguments(
                rest, specs: command.options + globalOptions, command: command.name)
            if parsed.has("help") {
                print(HelpText.command(command))
                return .success
            }
            logger.format = LogFormat(
                rawValue: try parsed.choice("log-format", ["text", "json"], default: "text"))!
            let level = try parsed.choice(
                "log-level", LogLevel.allCases.map(\.name), default: "info")
            logger.minimumLevel = LogLevel.allCases.first { $0.name == level }!
            let context = CommandContext(
                arguments: parsed, logger: logger,
                environment: ProcessInfo.processInfo.environment)
            return try command.run(context)
        } catch {
            return report(error, logger: logger, json: wantsJSON)
        }
    }

    /// The first argument that is neither an option nor the value of a global option.
    private func findCommandName(_ arguments: [String]) -> String? {
        let valued = Set(globalOptions.filter { $0.valueName != nil }.map { "--\($0.name)" })
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if valued.contains(argument) {
                index += 2
                continue
            }
            if argument.hasPrefix("-") {
                index += 1
                continue
            }
            return argument
        }
        return nil
    }

    /// Logs the error, prints it as JSON with `--json`, and returns its exit code.
    private func report(_ error: Error, logger: Logger, json: Bool) -> ExitCode {
        let (code, message) = classify(error)
        logger.error(message)
        // A failed check has printed its report already, and stdout must stay one document.
        if json, !(error is CheckFailure) {
            let object: JSONValue = .object([
                ("success", .bool(false)),
                ("ok", .bool(false)),
                ("error", .string(ConnectionString.redactPasswords(in: message))),
                ("exit_code", .integer(Int64(code.rawValue))),
            ])
            print(object.serialized(pretty: true))
        }
        return code
    }

    private func classify(_ error: Error) -> (ExitCode, String) {
        switch error {
        case let error as UsageError: return (.usage, error.description)
        case let error as ConfigurationError: return (.usage, error.message)
        case let error as CheckFailure: return (.checkFailed, error.message)
        default: return (.failure, String(describing: error))
        }
    }
}

/// A check that found problems after its report was printed; exits 3.
struct CheckFailure: Error {
    var message: String
}
