#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The changes `repair` makes to the history table.
public struct RepairPlan: Sendable {
    /// Failed rows to delete, so their migrations run again from the start.
    public var failedToRemove: [MigrationStatus] = []
    /// Applied rows whose recorded checksum is replaced by the file's current one. Rows with
    /// no checksum, from the legacy table or older runs, get one too.
    public var checksumsToRealign: [MigrationStatus] = []
    /// Applied rows whose file is gone. Repair leaves them, because the schema they built is
    /// still in the database; restore the file or delete the row by hand.
    public var missing: [MigrationStatus] = []

    public var isEmpty: Bool { failedToRemove.isEmpty && checksumsToRealign.isEmpty }
}

extension RepairPlan: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("removed_failed", .array(failedToRemove.map { .string($0.version) })),
            ("realigned_checksums", .array(checksumsToRealign.map { .string($0.version) })),
            ("missing", .array(missing.map { .string($0.version) })),
        ])
    }
}

extension Migrator {
    // MARK: - Repair

    /// Lists what `repair` would change, changing nothing.
    public func repairPlan() throws -> RepairPlan {
        var plan = RepairPlan()
        for status in try status() {
            switch status.state {
            case .failed:
                plan.failedToRemove.append(status)
            case .changed:
                plan.checksumsToRealign.append(status)
            case .applied where status.recordedChecksum == nil && status.fileChecksum != nil:
                plan.checksumsToRealign.append(status)
            case .missing:
                plan.missing.append(status)
            default:
                break
            }
        }
        return plan
    }

    /// Carries out a plan from `repairPlan()` in one transaction, under the migration lock.
    public func repair(_ plan: RepairPlan, lockTimeout: Int = 30) throws {
        try withLock(timeout: lockTimeout) {
            try history.prepareTable()
            try connection.inTransaction {
                for status in plan.failedToRemove {
                    try history.delete(version: status.version)
                    logger.info("removed the failed record of \(status.script ?? status.version)")
                }
                for status in plan.checksumsToRealign {
                    guard let checksum = status.fileChecksum else { continue }
                    try history.updateChecksum(version: status.version, checksum: checksum)
                    logger.info("realigned the checksum of \(status.script ?? status.version)")
                }
            }
        }
    }

    // MARK: - Baseline

    /// Records every migration up to and including `version` as applied without running
    /// it, for a database whose schema already exists. Returns the recorded migrations.
    ///
    /// - Throws: `ConfigurationError` when no migration file has `version`, or
    ///   `OperationError` when the history already holds applied migrations.
    public func baseline(version: String, lockTimeout: Int = 30) throws -> [Migration] {
        try checkVersion(version, option: "--version")
        let covered = migrations.filter { $0.version <= version }
        try withLock(timeout: lockTimeout) {
            try history.prepareTable()
            let applied = try history.records().filter(\.success)
            let withFiles = applied.filter { $0.script != nil }
            guard withFiles.isEmpty else {
                throw OperationError(
                    "the history already records \(withFiles.count) applied migrations "
                        + "(newest \(withFiles.map(\.version).max() ?? "")): baseline is for a "
                        + "database that has none; use migrate instead")
            }
            let legacyVersions = Set(applied.map(\.version))
            let failed = Set(try history.records().filter { !$0.success }.map(\.version))
            let user = try dialect.currentUserName(connection)
            try connection.inTransaction {
                for migration in covered where !legacyVersions.contains(migration.version) {
                    if failed.contains(migration.version) {
                        try history.delete(version: migration.version)
                    }
                    try history.insert(
                        HistoryRecord(
                            version: migration.version,
                            description: migration.description + " (baseline)",
                            script: migration.fileName, checksum: migration.checksum,
                            appliedBy: user, executionMs: 0, success: true))
                }
            }
        }
        return covered
    }
}
