import ETL016Core
import Foundation
import Testing

@Suite("JSON output")
struct JSONValueTests {
    @Test("keeps object keys in order")
    func keyOrder() {
        let value: JSONValue = .object([("b", .integer(1)), ("a", .integer(2))])
        #expect(value.serialized() == #"{"b":1,"a":2}"#)
    }

    @Test(
        "escapes strings",
        arguments: [
            ("quote \" and backslash \\", #""quote \" and backslash \\""#),
            ("line\nbreak\ttab", #""line\nbreak\ttab""#),
            ("bell \u{07}", #""bell \u0007""#),
            ("ünïcode ✓", "\"ünïcode ✓\""),
        ])
    func escapes(input: String, expected: String) {
        #expect(JSONValue.string(input).serialized() == expected)
    }

    @Test("writes whole doubles without a fraction")
    func wholeDoubles() {
        #expect(JSONValue.double(3).serialized() == "3")
        #expect(JSONValue.double(0.25).serialized() == "0.25")
    }

    @Test("writes non-finite doubles as null")
    func nonFinite() {
        #expect(JSONValue.double(.nan).serialized() == "null")
        #expect(JSONValue.double(.infinity).serialized() == "null")
    }

    @Test("pretty output parses back to the same value")
    func prettyRoundTrip() throws {
        let value: JSONValue = .object([
            ("ok", .bool(true)), ("items", .array([.integer(1), .null, .string("x")])),
            ("empty", .object([])), ("none", .array([])),
        ])
        let parsed = try JSONSerialization.jsonObject(with: Data(value.serialized(pretty: true).utf8))
        let object = parsed as? [String: Any]
        #expect(object?["ok"] as? Bool == true)
        #expect((object?["items"] as? [Any])?.count == 3)
    }
}
