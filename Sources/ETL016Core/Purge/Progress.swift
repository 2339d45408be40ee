#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// Logs the progress of a long delete phase: on a terminal a line every second with the
/// rate and the time left, otherwise a line every five seconds with the rate, so that a
/// scheduled job's log stays short.
public final class ProgressReporter {
    private let logger: Logger
    private let total: Int64
    private let interval: TimeInterval
    private let showsTimeLeft: Bool
    private let start = Date()
    private var lastReport = Date()

    /// - Parameters:
    ///   - total: rows expected, for the time left; 0 when unknown.
    ///   - isTerminal: whether standard error is a terminal; detected when nil.
    public init(logger: Logger, total: Int64, isTerminal: Bool? = nil) {
        self.logger = logger
        self.total = total
        let terminal = isTerminal ?? (isatty(STDERR_FILENO) == 1)
        interval = terminal ? 1 : 5
        showsTimeLeft = terminal
    }

    /// Logs a line when the interval has passed since the last one.
    public func update(done: Int64, batches: Int) {
        let now = Date()
        guard now.timeIntervalSince(lastReport) >= interval else { return }
        lastReport = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var message = "deleted \(done) of \(total) rows in \(batches) batches, "
            + "\(Int(rate)) rows/s"
        if showsTimeLeft, rate > 0, total > done {
            message += ", about \(Int((Double(total - done) / rate).rounded(.up))) s left"
        }
        logger.info(message)
    }
}
