#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A plain-text table with left-aligned columns separated by two spaces, for terminal
/// output of reports.
public struct TextTable: Sendable {
    public var headers: [String]
    public var rows: [[String]] = []

    public init(headers: [String]) {
        self.headers = headers
    }

    public mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// Returns the table as lines joined by newlines, without a trailing newline.
    public func rendered() -> String {
        let all = [headers] + rows
        var widths = [Int](repeating: 0, count: headers.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        let lines = all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1
                    ? cell : cell.paddedRight(to: widths[index])
            }.joined(separator: "  ")
        }
        return lines.joined(separator: "\n")
    }
}
