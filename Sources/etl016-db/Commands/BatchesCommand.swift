import ETL016Core
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct BatchesCommand: Command {
    static let name = "batches"
    static let summary = "print the batches a script splits into"
    static let usage = "batches FILE [--dialect sqlserver|postgresql] [--json]"
    static let details = """
        Splits FILE as migrate would: T-SQL on GO lines as sqlcmd does (GO alone on its line,
        any case, an optional repeat count and trailing -- comment, never inside a string,
        bracketed identifier or block comment), PostgreSQL on semicolons outside strings,
        comments and dollar quotes. With --json prints an array of objects with `line`
        (1-based line where the batch starts), `repeat` and `sql`. Needs no database.
        """
    static let options: [OptionSpec] = [
        .value("dialect", "sqlserver|postgresql", "how to split (default sqlserver)")
    ]
    static let connects = false

    static func run(_ context: CommandContext) throws -> ExitCode {
        try context.arguments.expectPositionals(1...1, usage)
        let kindName = try context.arguments.choice(
            "dialect", DialectKind.allCases.map(\.rawValue), default: DialectKind.sqlServer.rawValue)
        let dialect = ETL016Core.dialect(for: DialectKind(rawValue: kindName)!)
        let path = context.arguments.positionals[0]
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("script \(path) not found")
        }
        let text = try ScriptFile.decode(data, path: path)
        let batches: [Batch]
        do {
            batches = try dialect.splitScript(text)
        } catch {
            throw ConfigurationError("\(path): \(error)")
        }
        if context.wantsJSON {
            context.printJSON(
                .array(batches.map { batch in
                    .object([
                        ("line", .integer(Int64(batch.line))),
                        ("repeat", .integer(Int64(batch.repeatCount))),
                        ("sql", .string(batch.sql)),
                    ])
                }))
        } else {
            for (index, batch) in batches.enumerated() {
                let repeatText = batch.repeatCount == 1 ? "" : ", repeated \(batch.repeatCount) times"
                context.print("-- batch \(index + 1), line \(batch.line)\(repeatText)")
                context.print(batch.sql)
            }
        }
        return .success
    }
}
