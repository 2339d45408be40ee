/// The text of `--help`, built from each command's specs so it never drifts from the parser.
enum HelpText {
    /// Help lines are wrapped to fit a terminal of this many columns.
    static let lineWidth = 100

    static let exitCodes = """
        Exit codes:
          0  success
          1  failure: a database error, a failed migration, a held lock
          2  usage or configuration error, found before anything changed
          3  a check found problems: pending, failed, changed or missing migrations,
             permission drift, a purge refused by a safety limit, a short partition runway
        """

    static func overview(_ commands: [Command.Type]) -> String {
        let width = commands.map { $0.name.count }.max() ?? 0
        let list = commands.map { command in
            "  " + command.name.paddedRight(to: width) + "  "
                + command.summary
        }.joined(separator: "\n")
        return """
            etl016-db: migrations, permission checks and retention for the ETL016 warehouse on
            SQL Server and PostgreSQL.

            Usage: etl016-db COMMAND [OPTIONS]

            Commands:
            \(list)

            \(optionsText(globalOptions, title: "Global options"))

            Run `etl016-db COMMAND --help` for a command's options.

            \(exitCodes)
            """
    }

    static func command(_ command: Command.Type) -> String {
        var sections = ["Usage: etl016-db \(command.usage)", command.details]
        if !command.options.isEmpty {
            sections.append(optionsText(command.options, title: "Options"))
        }
        let global = command.connects
            ? globalOptions
            : globalOptions.filter { ["json", "log-format", "log-level", "help"].contains($0.name) }
        sections.append(optionsText(global, title: "Global options"))
        sections.append(exitCodes)
        return sections.filter { !$0.isEmpty }.joined(separator: "\n\n")
    }

    private static func optionsText(_ options: [OptionSpec], title: String) -> String {
        let labels = options.map { option in
            "--\(option.name)" + (option.valueName.map { " \($0)" } ?? "")
        }
        let width = min(labels.map(\.count).max() ?? 0, 28)
        let indent = String(repeating: " ", count: width + 4)
        let lines = zip(labels, options).map { label, option -> String in
            let repeatable = option.isRepeatable ? " (repeatable)" : ""
            let help = wrap(option.help + repeatable, width: lineWidth - indent.count)
                .joined(separator: "\n" + indent)
            if label.count > width {
                return "  \(label)\n" + indent + help
            }
            return "  " + label.paddedRight(to: width) + "  "
                + help
        }
        return "\(title):\n" + lines.joined(separator: "\n")
    }

    /// Splits text into lines of at most `width` characters at spaces.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty, current.count + 1 + word.count > width {
                lines.append(current)
                current = ""
            }
            current += current.isEmpty ? String(word) : " " + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
