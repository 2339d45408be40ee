import Testing

@testable import etl016_db

private let specs: [OptionSpec] = [
    .value("target", "VERSION", "target"),
    .flag("dry-run", "dry run"),
    .repeated("var", "NAME=VALUE", "variable"),
    .value("batch-size", "N", "batch size"),
    .value("batch-pause", "SECONDS", "pause"),
    .value("as-of", "DATE", "as of"),
    .value("mode", "MODE", "mode"),
]

private func parse(_ arguments: [String]) throws -> ParsedArguments {
    try ParsedArguments(arguments, specs: specs, command: "test")
}

@Suite("argument parsing")
struct ArgumentsTests {
    @Test("reads a value after a space")
    func valueAfterSpace() throws {
        #expect(try parse(["--target", "20250910_0600"]).value("target") == "20250910_0600")
    }

    @Test("reads a value after an equals sign")
    func valueAfterEquals() throws {
        #expect(try parse(["--target=20250910_0600"]).value("target") == "20250910_0600")
    }

    @Test("keeps equals signs inside a value")
    func equalsInsideValue() throws {
        #expect(try parse(["--var", "a=b=c"]).all("var") == ["a=b=c"])
    }

    @Test("collects a repeatable option")
    func repeatableOption() throws {
        #expect(try parse(["--var", "a=1", "--var=b=2"]).all("var") == ["a=1", "b=2"])
    }

    @Test("sets a flag")
    func flag() throws {
        #expect(try parse(["--dry-run"]).has("dry-run"))
    }

    @Test("treats -h as help")
    func shortHelp() throws {
        #expect(try parse(["-h"]).has("help"))
    }

    @Test("keeps positionals and stops options at --")
    func positionals() throws {
        let parsed = try parse(["file.sql", "--", "--dry-run"])
        #expect(parsed.positionals == ["file.sql", "--dry-run"])
        #expect(!parsed.has("dry-run"))
    }

    @Test(
        "rejects bad command lines",
        arguments: [
            (["--nope"], "unknown option --nope"),
            (["-x"], "unknown option -x"),
            (["--target"], "--target needs a value"),
            (["--dry-run=yes"], "--dry-run takes no value"),
            (["--target", "a", "--target", "b"], "--target is given twice"),
        ])
    func rejectsBadCommandLines(arguments: [String], message: String) {
        #expect {
            try parse(arguments)
        } throws: { error in
            String(describing: error).contains(message)
        }
    }

    @Test("names the command's help in errors")
    func errorNamesHelp() {
        let error = UsageError(message: "unknown option --nope", command: "purge")
        #expect(error.description.contains("etl016-db purge --help"))
    }

    @Test("reads a whole number in range")
    func integerInRange() throws {
        let parsed = try parse(["--batch-size", "10_000"])
        #expect(try parsed.integer("batch-size", default: 1, range: 1...1_000_000) == 10_000)
    }

    @Test("uses the default for an absent number")
    func integerDefault() throws {
        #expect(try parse([]).integer("batch-size", default: 42, range: 1...100) == 42)
    }

    @Test("rejects numbers out of range or not numbers", arguments: ["0", "-5", "ten", "1.5", ""])
    func integerRejected(text: String) throws {
        let parsed = try parse(["--batch-size", text])
        #expect {
            try parsed.integer("batch-size", default: 1, range: 1...1_000_000)
        } throws: { error in
            String(describing: error).contains("invalid --batch-size \(text)")
        }
    }

    @Test("reads fractional seconds")
    func fractionalSeconds() throws {
        let parsed = try parse(["--batch-pause", "0.25"])
        #expect(try parsed.seconds("batch-pause", default: 1, range: 0...3600) == 0.25)
    }

    @Test("rejects infinite or negative seconds", arguments: ["inf", "-1", "nan", "soon"])
    func secondsRejected(text: String) throws {
        let parsed = try parse(["--batch-pause", text])
        #expect(throws: UsageError.self) {
            try parsed.seconds("batch-pause", default: 1, range: 0...3600)
        }
    }

    @Test("reads an ISO date")
    func isoDate() throws {
        let date = try parse(["--as-of", "2025-09-10"]).date("as-of")
        #expect(date?.description == "2025-09-10")
    }

    @Test("rejects dates that are not YYYY-MM-DD", arguments: ["10/09/2025", "2025-02-30", "2025-9-10", "x"])
    func dateRejected(text: String) throws {
        let parsed = try parse(["--as-of", text])
        #expect(throws: UsageError.self) { try parsed.date("as-of") }
    }

    @Test("accepts only listed choices")
    func choices() throws {
        #expect(try parse(["--mode", "exact"]).choice("mode", ["exact", "partition"], default: "exact") == "exact")
        let parsed = try parse(["--mode", "fast"])
        #expect(throws: UsageError.self) {
            try parsed.choice("mode", ["exact", "partition"], default: "exact")
        }
    }

    @Test("counts positionals")
    func positionalCount() throws {
        #expect(throws: UsageError.self) { try parse([]).expectPositionals(1...1, "batches FILE") }
        #expect(throws: UsageError.self) { try parse(["a", "b"]).expectPositionals(1...1, "batches FILE") }
        try parse(["a"]).expectPositionals(1...1, "batches FILE")
    }
}
