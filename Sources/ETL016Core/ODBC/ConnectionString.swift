#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An ODBC connection string, `Key=Value;Key={braced value};...`, with password handling.
///
/// ```swift
/// let string = ConnectionString("Driver={PostgreSQL Unicode};Server=127.0.0.1;Pwd=secret")
/// string.redacted  // "Driver={PostgreSQL Unicode};Server=127.0.0.1;Pwd=***"
/// ```
public struct ConnectionString: Sendable, CustomStringConvertible {
    /// Keys whose values are passwords, compared case-insensitively.
    static let passwordKeys: Set<String> = ["pwd", "password"]

    public let text: String

    public init(_ text: String) {
        self.text = text
    }

    /// The key and value pairs in order; braces around a value are removed and `}}` inside
    /// them turned back into `}`.
    public var attributes: [(key: String, value: String)] {
        ConnectionString.parse(text).map { ($0.key, $0.value) }
    }

    /// True when the string sets a password under `PWD` or `Password`.
    public var hasPassword: Bool {
        attributes.contains { ConnectionString.passwordKeys.contains($0.key.lowercased()) }
    }

    /// Returns the string with `PWD=` added, for a password that comes from the environment.
    /// The value is braced, so semicolons and braces in it are safe.
    public func addingPassword(_ password: String) -> ConnectionString {
        var base = text.trimmingWhitespace()
        if !base.isEmpty && !base.hasSuffix(";") { base += ";" }
        let escaped = password.replacing("}", with: "}}")
        return ConnectionString(base + "PWD={\(escaped)}")
    }

    /// The string with every password value replaced by `***`, safe to print and log.
    public var redacted: String {
        ConnectionString.parse(text).map { part in
            guard ConnectionString.passwordKeys.contains(part.key.lowercased()) else {
                return part.raw
            }
            return "\(part.rawKey)=***"
        }.joined(separator: ";")
    }

    public var description: String { redacted }

    /// Replaces `PWD=` and `Password=` values in any text that may hold a connection
    /// string, such as a driver's error message.
    public static func redactPasswords(in text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let range = firstPasswordKey(in: rest) {
            result += rest[..<range.upperBound]
            rest = rest[range.upperBound...]
            result += "***"
            rest = skipValue(rest)
        }
        return result + rest
    }

    // MARK: - Parsing

    struct Part {
        var rawKey: String
        var key: String
        var value: String
        var raw: String
    }

    /// Splits on `;` outside braces. Keys are trimmed; a part without `=` keeps its text.
    static func parse(_ text: String) -> [Part] {
        var parts: [Part] = []
        var index = text.startIndex
        while index < text.endIndex {
            let start = index
            guard let equals = text[index...].firstIndex(where: { $0 == "=" || $0 == ";" }),
                text[equals] == "="
            else {
                let end = text[index...].firstIndex(of: ";") ?? text.endIndex
                let raw = String(text[start..<end])
                if !raw.trimmingWhitespace().isEmpty {
                    parts.append(Part(rawKey: raw, key: raw, value: "", raw: raw))
                }
                index = end < text.endIndex ? text.index(after: end) : end
                continue
            }
            let rawKey = String(text[start..<equals])
            var valueStart = text.index(after: equals)
            while valueStart < text.endIndex, text[valueStart] == " " {
                valueStart = text.index(after: valueStart)
            }
            let (value, end) = readValue(text, from: valueStart)
            parts.append(
                Part(
                    rawKey: rawKey, key: rawKey.trimmingWhitespace(),
                    value: value, raw: String(text[start..<end])))
            index = end < text.endIndex ? text.index(after: end) : end
        }
        return parts
    }

    /// Reads a plain or braced value and returns it with the index of the `;` that ends it.
    private static func readValue(_ text: String, from start: String.Index)
        -> (String, String.Index)
    {
        guard start < text.endIndex, text[start] == "{" else {
            let end = text[start...].firstIndex(of: ";") ?? text.endIndex
            return (String(text[start..<end]).trimmingWhitespace(), end)
        }
        var value = ""
        var index = text.index(after: start)
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == "}" {
                if next < text.endIndex, text[next] == "}" {
                    value.append("}")
                    index = text.index(after: next)
                    continue
                }
                let end = text[next...].firstIndex(of: ";") ?? text.endIndex
                return (value, end)
            }
            value.append(text[index])
            index = next
        }
        return (value, text.endIndex)
    }

    private static func firstPasswordKey(in text: Substring) -> Range<Substring.Index>? {
        let lower = text.lowercased()
        var best: Range<Substring.Index>?
        for key in ["pwd=", "password="] {
            var searchStart = lower.startIndex
            while let found = lower[searchStart...].firstRange(of: key) {
                let offset = lower.distance(from: lower.startIndex, to: found.lowerBound)
                let isKeyStart =
                    offset == 0
                    || [";", " ", "\"", "'", "{"].contains(
                        lower[lower.index(before: found.lowerBound)])
                if isKeyStart {
                    let lowerBound = text.index(text.startIndex, offsetBy: offset)
                    let upperBound = text.index(lowerBound, offsetBy: key.count)
                    if best == nil || lowerBound < best!.lowerBound {
                        best = lowerBound..<upperBound
                    }
                    break
                }
                searchStart = found.upperBound
            }
        }
        return best
    }

    private static func skipValue(_ text: Substring) -> Substring {
        // A value this type redacted already ends at its `***`, and the text after it is the
        // rest of the message.
        if text.hasPrefix("***") {
            return text.dropFirst(3)
        }
        if text.hasPrefix("{") {
            var index = text.index(after: text.startIndex)
            while index < text.endIndex {
                let next = text.index(after: index)
                if text[index] == "}" {
                    if next < text.endIndex, text[next] == "}" {
                        index = text.index(after: next)
                        continue
                    }
                    return text[next...]
                }
                index = next
            }
            return text[text.endIndex...]
        }
        let end = text.firstIndex(where: { $0 == ";" || $0 == "\n" || $0 == "\"" || $0 == "'" })
        return text[(end ?? text.endIndex)...]
    }
}
