import ETL016Core

/// One option a command accepts.
struct OptionSpec: Sendable {
    /// The long name without dashes, such as `connection`.
    var name: String
    /// The placeholder shown in help for an option that takes a value, or nil for a flag.
    var valueName: String?
    var help: String
    var isRepeatable = false

    static func flag(_ name: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, help: help)
    }

    static func value(_ name: String, _ valueName: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help)
    }

    static func repeated(_ name: String, _ valueName: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, isRepeatable: true)
    }
}

/// A command line that does not match what the command accepts. The CLI exits 2 for it.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    var command: String?

    var description: String {
        let helpCommand = command.map { "etl016-db \($0) --help" } ?? "etl016-db --help"
        return "\(message) (see \(helpCommand))"
    }
}

/// The options and positional arguments of one command line, checked against the specs.
struct ParsedArguments {
    private(set) var values: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []
    let command: String?

    /// Parses `--name value`, `--name=value` and flags; `--` ends the options. `-h` is
    /// `--help`. An option may appear before or after the command name.
    init(_ arguments: [String], specs: [OptionSpec], command: String?) throws {
        self.command = command
        let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            if argument == "-h" {
                flags.insert("help")
                continue
            }
            guard argument.hasPrefix("--") else {
                throw UsageError(message: "unknown option \(argument)", command: command)
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let spec = byName[name] else {
                throw UsageError(message: "unknown option --\(name)", command: command)
            }
            guard let valueName = spec.valueName else {
                if inlineValue != nil {
                    throw UsageError(message: "--\(name) takes no value", command: command)
                }
                flags.insert(name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else if index < arguments.count {
                value = arguments[index]
                index += 1
            } else {
                throw UsageError(
                    message: "--\(name) needs a value: --\(name) \(valueName)", command: command)
            }
            if values[name] != nil, !spec.isRepeatable {
                throw UsageError(message: "--\(name) is given twice", command: command)
            }
            values[name, default: []].append(value)
        }
    }

    func has(_ flag: String) -> Bool { flags.contains(flag) }

    func value(_ name: String) -> String? { values[name]?.last }

    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// Returns a whole number option within `range`, or `defaultValue` when absent.
    func integer(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws
        -> Int
    {
        guard let text = value(name) else { return defaultValue }
        guard let number = Int(text.replacing("_", with: "")),
            range.contains(number)
        else {
            throw UsageError(
                message: "invalid --\(name) \(text): expected a whole number from "
                    + "\(range.lowerBound) to \(range.upperBound)", command: command)
        }
        return number
    }

    /// Returns a number of seconds (fractions allowed) within `range`.
    func seconds(_ name: String, default defaultValue: Double, range: ClosedRange<Double>)
        throws -> Double
    {
        guard let text = value(name) else { return defaultValue }
        // Only decimal digits with at most one point: Double(String) also accepts
        // hexadecimal (0x10), exponents and words such as "inf".
        let isDecimal = !text.isEmpty && text.filter { $0 == "." }.count <= 1
            && text.contains(where: { $0 >= "0" && $0 <= "9" })
            && text.allSatisfy { ($0 >= "0" && $0 <= "9") || $0 == "." }
        guard isDecimal, let number = Double(text), number.isFinite, range.contains(number)
        else {
            throw UsageError(
                message: "invalid --\(name) \(text): expected seconds from "
                    + "\(range.lowerBound) to \(range.upperBound), such as 0.5",
                command: command)
        }
        return number
    }

    /// Returns a `YYYY-MM-DD` date option.
    func date(_ name: String) throws -> LocalDate? {
        guard let text = value(name) else { return nil }
        guard let date = LocalDate(iso: text) else {
            throw UsageError(
                message: "invalid --\(name) \(text): expected a calendar date as YYYY-MM-DD, "
                    + "such as 2025-09-10", command: command)
        }
        return date
    }

    /// Returns one of the allowed words, or `defaultValue` when absent.
    func choice(_ name: String, _ allowed: [String], default defaultValue: String) throws
        -> String
    {
        guard let text = value(name) else { return defaultValue }
        guard allowed.contains(text) else {
            throw UsageError(
                message: "invalid --\(name) \(text): expected "
                    + allowed.joined(separator: " or "), command: command)
        }
        return text
    }

    /// Rejects positional arguments beyond `count`.
    func expectPositionals(_ range: ClosedRange<Int>, _ usage: String) throws {
        guard range.contains(positionals.count) else {
            let message =
                positionals.count < range.lowerBound
                ? "missing argument: usage is \(usage)"
                : "unexpected argument \(positionals[range.upperBound]): usage is \(usage)"
            throw UsageError(message: message, command: command)
        }
    }
}
