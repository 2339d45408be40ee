import ETL016Core
import Testing

/// A script and the substitution result expected with `values`.
struct SubstitutionCase: Sendable, CustomTestStringConvertible {
    var name: String
    var script: String
    var values: [String: String]
    var expected: String

    var testDescription: String { name }
}

private let substitutionCases: [SubstitutionCase] = [
    SubstitutionCase(
        name: "replaces in code",
        script: "ALTER ROLE etl016_role ADD MEMBER [$(ServiceLogin)];",
        values: ["ServiceLogin": "talend_user"],
        expected: "ALTER ROLE etl016_role ADD MEMBER [talend_user];"),
    SubstitutionCase(
        name: "replaces inside strings and comments",
        script: "-- for $(Env)\nPRINT 'running in $(Env)';",
        values: ["Env": "prod"],
        expected: "-- for prod\nPRINT 'running in prod';"),
    SubstitutionCase(
        name: "ignores name case",
        script: "$(servicelogin) $(SERVICELOGIN)",
        values: ["ServiceLogin": "u"],
        expected: "u u"),
    SubstitutionCase(
        name: "exact case key wins",
        script: "$(Name) $(name) $(NAME)",
        values: ["Name": "a", "name": "b"],
        expected: "a b a"),
    SubstitutionCase(
        name: "accepts hyphens and underscores",
        script: "$(file-group_1)",
        values: ["file-group_1": "PRIMARY"],
        expected: "PRIMARY"),
    SubstitutionCase(
        name: "does not rescan values",
        script: "$(a)",
        values: ["a": "$(b)"],
        expected: "$(b)"),
    SubstitutionCase(
        name: "inserts empty value",
        script: "x$(a)y",
        values: ["a": ""],
        expected: "xy"),
    SubstitutionCase(
        name: "keeps text that is not a reference",
        script: "$(1a) $(a b) $() $( a) $(a $ $$ $1 $(unclosed",
        values: [:],
        expected: "$(1a) $(a b) $() $( a) $(a $ $$ $1 $(unclosed"),
    SubstitutionCase(
        name: "keeps non-ascii text",
        script: "SELECT 'ação $(x)';",
        values: ["x": "é"],
        expected: "SELECT 'ação é';"),
]

@Suite("ScriptVariables")
struct ScriptVariablesTests {
    @Test("substitutes values", arguments: substitutionCases)
    func substitutes(_ testCase: SubstitutionCase) throws {
        let result = try ScriptVariables.substitute(testCase.script, values: testCase.values)

        #expect(result == testCase.expected)
    }

    @Test("lists references with lines")
    func listsReferences() {
        let script = "USE $(Db);\r\nGO\r\n-- $(Note)\rALTER ROLE r ADD MEMBER $(Login), $(db);"
        let references = ScriptVariables.references(in: script)

        #expect(references == [
            VariableReference(name: "Db", line: 1),
            VariableReference(name: "Note", line: 3),
            VariableReference(name: "Login", line: 4),
            VariableReference(name: "db", line: 4),
        ])
    }

    @Test("lists nothing without references")
    func listsNothing() {
        #expect(ScriptVariables.references(in: "SELECT $1, '$(';").isEmpty)
    }

    @Test("reports every unresolved reference")
    func reportsUnresolved() throws {
        let script = "USE $(Db);\nALTER ROLE r ADD MEMBER $(Login);\nPRINT '$(db)';\n$(Known)"
        let error = try #require(throws: ScriptVariableError.self) {
            try ScriptVariables.substitute(script, values: ["Known": "k"])
        }

        #expect(error == .unresolved([
            VariableReference(name: "Db", line: 1),
            VariableReference(name: "Login", line: 2),
            VariableReference(name: "db", line: 3),
        ]))
    }

    @Test("unresolved message names lines and fix")
    func unresolvedMessage() {
        let error = ScriptVariableError.unresolved([
            VariableReference(name: "Db", line: 1),
            VariableReference(name: "Login", line: 2),
            VariableReference(name: "db", line: 3),
            VariableReference(name: "DB", line: 9),
        ])

        #expect(error.description.contains("$(Db) on lines 1, 3 and 9"))
        #expect(error.description.contains("$(Login) on line 2"))
        #expect(error.description.contains("--var NAME=VALUE"))
    }

    @Test("parses assignments", arguments: [
        ("ServiceLogin=talend_user", "ServiceLogin", "talend_user"),
        ("Filter=a=b", "Filter", "a=b"),
        ("Empty=", "Empty", ""),
        ("_x-1=  spaced  ", "_x-1", "  spaced  "),
    ])
    func parsesAssignment(text: String, name: String, value: String) throws {
        let assignment = try ScriptVariables.parseAssignment(text)

        #expect(assignment.name == name)
        #expect(assignment.value == value)
    }

    @Test("rejects invalid names", arguments: ["1a=x", "=x", "a b=x", "a.b=x", " a=x", "é=x"])
    func rejectsInvalidName(text: String) {
        let name = String(text.prefix { $0 != "=" })

        #expect(throws: ScriptVariableError.invalidName(name)) {
            try ScriptVariables.parseAssignment(text)
        }
    }

    @Test("rejects assignment without equals")
    func rejectsMissingEquals() throws {
        let error = try #require(throws: ScriptVariableError.self) {
            try ScriptVariables.parseAssignment("ServiceLogin")
        }

        #expect(error == .missingEquals(argument: "ServiceLogin"))
        #expect(error.description.contains("--var NAME=VALUE"))
    }

    @Test("invalid name message quotes name")
    func invalidNameMessage() {
        let description = ScriptVariableError.invalidName("1a").description

        #expect(description.contains("'1a'"))
    }
}
