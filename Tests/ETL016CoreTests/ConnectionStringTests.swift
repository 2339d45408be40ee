import ETL016Core
import Testing

@Suite("connection strings")
struct ConnectionStringTests {
    @Test(
        "redacts passwords",
        arguments: [
            ("Driver={X};Server=h;PWD=secret", "Driver={X};Server=h;PWD=***"),
            ("Driver={X};pwd=secret;Uid=u", "Driver={X};pwd=***;Uid=u"),
            ("Server=h;Password=secret", "Server=h;Password=***"),
            ("Server=h; Password = secret ;Uid=u", "Server=h; Password =***;Uid=u"),
            ("Server=h;PWD={se;cr}}et};Uid=u", "Server=h;PWD=***;Uid=u"),
            ("Server=h;Uid=u", "Server=h;Uid=u"),
        ])
    func redactsPasswords(input: String, expected: String) {
        #expect(ConnectionString(input).redacted == expected)
    }

    @Test("redacted text never holds the secret", arguments: ["secret", "se;cr}}et", "p@ss=word"])
    func secretAbsent(secret: String) {
        let braced = "{" + secret.replacingOccurrences(of: "}", with: "}}") + "}"
        let string = ConnectionString("Driver={X};Server=h;PWD=\(braced);Uid=u")
        #expect(!string.redacted.contains(secret))
        #expect(!ConnectionString.redactPasswords(in: "failed: \(string.text)").contains(secret))
    }

    @Test("redacts passwords inside free text")
    func redactsFreeText() {
        let message = "could not connect with Server=h;Pwd=hunter2;Uid=sa (timeout)"
        let redacted = ConnectionString.redactPasswords(in: message)
        #expect(!redacted.contains("hunter2"))
        #expect(redacted.contains("Uid=sa"))
    }

    @Test("keeps the message after a redacted value")
    func keepsMessageAfterRedactedValue() {
        let message = "connect with Server=h;PWD=*** failed: SQLSTATE 08001, native error 101"
        #expect(ConnectionString.redactPasswords(in: message) == message)
    }

    @Test("leaves words that merely end in pwd")
    func leavesLookalikeKeys() {
        let text = "Server=h;OldPwd=visible"
        #expect(ConnectionString.redactPasswords(in: text) == text)
    }

    @Test("detects a password key in any case")
    func detectsPassword() {
        #expect(ConnectionString("Server=h;PASSWORD=x").hasPassword)
        #expect(!ConnectionString("Server=h;Uid=u").hasPassword)
    }

    @Test("adds a password from the environment in braces")
    func addsPassword() {
        let string = ConnectionString("Server=h;Uid=u").addingPassword("a;b}c")
        #expect(string.text == "Server=h;Uid=u;PWD={a;b}}c}")
        #expect(string.attributes.last?.value == "a;b}c")
    }

    @Test("parses braced values")
    func parsesBracedValues() {
        let attributes = ConnectionString("Driver={PostgreSQL Unicode};Server=h").attributes
        #expect(attributes.first?.key == "Driver")
        #expect(attributes.first?.value == "PostgreSQL Unicode")
    }
}
