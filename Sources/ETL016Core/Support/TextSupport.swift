#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// The engine links FoundationEssentials only, not the whole of Foundation with its ICU data,
// which keeps a run's peak memory about 7 MB lower. These are the few text helpers the
// engine needs that FoundationEssentials lacks.

extension StringProtocol {
    /// Returns the text without leading and trailing spaces, tabs and line breaks.
    package func trimmingWhitespace() -> String {
        let isWhitespace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isWhitespace($0) }) else { return "" }
        let last = lastIndex(where: { !isWhitespace($0) })!
        return String(self[first...last])
    }

    /// Returns the text padded with spaces on the right to `width` characters, or the text
    /// itself when it is already that long.
    package func paddedRight(to width: Int) -> String {
        count >= width ? String(self) : String(self) + String(repeating: " ", count: width - count)
    }
}

extension Double {
    /// Returns the number rounded to `decimals` digits after the point, such as
    /// `2.5.fixed(3)` → `2.500`; non-finite values print as Swift does.
    package func fixed(_ decimals: Int) -> String {
        guard isFinite, abs(self) < 1e15 else { return String(self) }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((abs(self) * scale).rounded())
        let divisor = Int64(scale)
        let sign = self < 0 && scaled != 0 ? "-" : ""
        let whole = String(scaled / divisor)
        guard decimals > 0 else { return sign + whole }
        return sign + whole + "." + (scaled % divisor).zeroPadded(decimals)
    }
}

extension BinaryInteger {
    /// Returns the number in decimal with leading zeros up to `width` digits, such as
    /// `7.zeroPadded(2)` → `07`.
    package func zeroPadded(_ width: Int) -> String {
        let digits = String(self.magnitude)
        let sign = self < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(width - digits.count, 0)) + digits
    }
}
