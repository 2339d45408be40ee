#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// The Prometheus text file `purge --metrics-file` writes for node_exporter's textfile
/// collector: rows deleted, run time, success, and the time of the last successful run.
public struct PurgeMetrics: Sendable, Equatable {
    public var table: String
    public var recordsDeleted: Int64
    public var durationSeconds: Double
    public var success: Bool
    /// Unix time of the last successful run, from this run or kept from the previous file.
    public var lastSuccessTimestamp: Double?

    public init(
        table: String, recordsDeleted: Int64, durationSeconds: Double, success: Bool,
        lastSuccessTimestamp: Double?
    ) {
        self.table = table
        self.recordsDeleted = recordsDeleted
        self.durationSeconds = durationSeconds
        self.success = success
        self.lastSuccessTimestamp = lastSuccessTimestamp
    }

    /// The metrics in the Prometheus text exposition format.
    public var text: String {
        let label = "{table=\"\(Self.escape(table))\"}"
        var lines = [
            "# HELP etl016_purge_records_deleted Rows removed by the last purge run.",
            "# TYPE etl016_purge_records_deleted gauge",
            "etl016_purge_records_deleted\(label) \(recordsDeleted)",
            "# HELP etl016_purge_duration_seconds Wall time of the last purge run.",
            "# TYPE etl016_purge_duration_seconds gauge",
            "etl016_purge_duration_seconds\(label) \(durationSeconds.fixed(3))",
            "# HELP etl016_purge_success 1 when the last purge run succeeded, else 0.",
            "# TYPE etl016_purge_success gauge",
            "etl016_purge_success\(label) \(success ? 1 : 0)",
        ]
        if let lastSuccessTimestamp {
            lines += [
                "# HELP etl016_purge_last_success_timestamp_seconds Unix time of the last "
                    + "successful purge run.",
                "# TYPE etl016_purge_last_success_timestamp_seconds gauge",
                "etl016_purge_last_success_timestamp_seconds\(label) "
                    + lastSuccessTimestamp.fixed(3),
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads the last-success time from a file this type wrote, or nil.
    public static func lastSuccessTimestamp(inFileAt url: URL) -> Double? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n")
        where line.hasPrefix("etl016_purge_last_success_timestamp_seconds") {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) {
                return value
            }
        }
        return nil
    }

    /// Writes the file atomically: a temporary file in the same folder, then a rename, so
    /// a collector never reads half a file. On failure the previous last-success time is
    /// kept.
    public func write(to url: URL) throws {
        var metrics = self
        if !success {
            metrics.lastSuccessTimestamp = Self.lastSuccessTimestamp(inFileAt: url)
        }
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try Data(metrics.text.utf8).write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                throw OperationError(
                    "could not rename \(temporary.path) to \(url.path): "
                        + String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw OperationError("could not write the metrics file \(url.path): \(error)")
        }
    }

    private static func escape(_ value: String) -> String {
        value.replacing("\\", with: "\\\\")
            .replacing("\"", with: "\\\"")
            .replacing("\n", with: "\\n")
    }
}
