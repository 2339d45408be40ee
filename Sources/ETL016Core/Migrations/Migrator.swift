#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Settings of one `migrate` run.
public struct MigrateOptions: Sendable {
    /// Apply pending migrations up to and including this version only.
    public var target: String?
    public var dryRun = false
    public var allowOutOfOrder = false
    /// Values for `$(name)` variables, keyed by name; names are case-insensitive.
    public var variables: [String: String] = [:]
    /// Seconds to wait for another run's migration lock.
    public var lockTimeout = 30
    /// The permissions script applied after the migrations, or nil for none.
    public var permissionsFile: URL?

    public init() {}
}

/// One migration applied by a run, or planned by a dry run.
public struct AppliedMigration: Sendable {
    public var version: String
    public var description: String
    public var script: String
    public var executionMs: Int
    /// Batches skipped because an earlier run of a no-transaction script completed them.
    public var resumedAfterBatch: Int
}

public struct MigrateReport: Sendable {
    public var dryRun: Bool
    public var applied: [AppliedMigration] = []
    public var adoptedLegacyHistory = false
    public var permissionsFile: String?
    public var permissionStatements = 0
    public var executionMs = 0
}

extension MigrateReport: JSONRepresentable {
    public var json: JSONValue {
        .object([
            ("success", .bool(true)),
            ("dry_run", .bool(dryRun)),
            ("applied", .array(applied.map { migration in
                .object([
                    ("version", .string(migration.version)),
                    ("description", .string(migration.description)),
                    ("script", .string(migration.script)),
                    ("execution_ms", .integer(Int64(migration.executionMs))),
                    ("resumed_after_batch", .integer(Int64(migration.resumedAfterBatch))),
                ])
            })),
            ("adopted_legacy_history", .bool(adoptedLegacyHistory)),
            ("permissions_file", .optional(permissionsFile)),
            ("permission_statements", .integer(Int64(permissionStatements))),
            ("execution_ms", .integer(Int64(executionMs))),
        ])
    }
}

/// A migration that failed on the server and was rolled back, or, for a script run outside
/// a transaction, stopped after its last completed batch.
public struct MigrationFailure: Error, Sendable, CustomStringConvertible {
    public var script: String
    public var batchNumber: Int
    public var batchCount: Int
    /// Line of the file where the failed batch starts.
    public var line: Int
    public var ranInTransaction: Bool
    public var underlying: String

    public var description: String {
        let completed =
            batchNumber == 1 ? "no batch completed" : "batches 1-\(batchNumber - 1) stay applied"
        let outcome =
            ranInTransaction
            ? "was rolled back whole; nothing of it remains"
            : "ran outside a transaction: \(completed) and the next migrate resumes at batch "
                + "\(batchNumber)"
        return "migration \(script) failed in batch \(batchNumber) of \(batchCount) "
            + "(line \(line)) and \(outcome). The server said: \(underlying)"
    }
}

/// Applies migration files to a database and keeps `dbo.schema_version`.
///
/// ```swift
/// let migrations = try MigrationCatalog.load(directory: folder, dialect: dialect)
/// let migrator = Migrator(connection: connection, dialect: dialect, migrations: migrations)
/// let report = try migrator.migrate(options)
/// ```
public final class Migrator {
    /// The name of the application lock that keeps two runs apart.
    public static let lockResource = "etl016-db.migrate"

    let connection: Connection
    let dialect: any MigrationDialect
    let migrations: [Migration]
    let logger: Logger
    var history: MigrationHistory { MigrationHistory(connection: connection, dialect: dialect) }

    public init(
        connection: Connection, dialect: any MigrationDialect, migrations: [Migration],
        logger: Logger = .standard
    ) {
        self.connection = connection
        self.dialect = dialect
        self.migrations = migrations
        self.logger = logger
    }

    // MARK: - Status

    /// Returns every migration's state. Changes nothing, even when the history table is
    /// missing or still in the legacy layout.
    public func status() throws -> [MigrationStatus] {
        MigrationComparison.statuses(files: migrations, records: try readRecords())
    }

    /// Reads history rows without changing the table: none when it is absent, and the
    /// legacy rows as applied when it has not been adopted yet.
    func readRecords() throws -> [HistoryRecord] {
        switch try history.tableState() {
        case .absent:
            return []
        case .current:
            return try history.records()
        case .legacy:
            return try connection.query(
                "SELECT version, description FROM dbo.schema_version ORDER BY version"
            ).map { row in
                HistoryRecord(
                    version: row.string("version")?.trimmingWhitespace() ?? "",
                    description: row.string("description"), success: true)
            }
        }
    }

    // MARK: - Migrate

    /// Applies the pending migrations in version order, then the permissions file.
    ///
    /// Every check runs before the first change: variables, statements that need
    /// `-- etl016:no-transaction`, changed or missing applied files, and out-of-order
    /// pending ones. Each migration runs in its own transaction together with its history
    /// row, so a migration is either applied and recorded or not there at all.
    ///
    /// - Throws: `ConfigurationError` for bad input, `OperationError` when history and
    ///   files disagree or the lock is held, `MigrationFailure` when a script fails.
    public func migrate(_ options: MigrateOptions) throws -> MigrateReport {
        let started = Date()
        if let target = options.target { try checkVersion(target, option: "--target") }
        let permissions = try options.permissionsFile.map { try loadPermissions($0) }
        try checkScripts(plan(options), permissions: permissions, options: options)

        var report = MigrateReport(dryRun: options.dryRun)
        report.permissionsFile = options.permissionsFile?.path
        if options.dryRun {
            report.applied = try plan(options).map { planned($0) }
            report.permissionStatements = permissions?.batches.count ?? 0
            report.executionMs = milliseconds(since: started)
            return report
        }
        try withLock(timeout: options.lockTimeout) {
            report.adoptedLegacyHistory = try history.prepareTable()
            if report.adoptedLegacyHistory {
                logger.info("adopted the legacy dbo.schema_version table; its rows are kept")
            }
            // Planned again under the lock, because another run may have applied some
            // migrations while this one waited.
            let runnable = try plan(options)
            try checkScripts(runnable, permissions: permissions, options: options)
            for status in runnable {
                let migration = migrations.first { $0.version == status.version }!
                report.applied.append(try apply(migration, previous: status, options: options))
            }
            if let permissions {
                report.permissionStatements = try applyPermissions(
                    permissions, variables: options.variables)
            }
        }
        report.executionMs = milliseconds(since: started)
        return report
    }

    /// Rejects the run when a migration about to run, or the permissions file, has a
    /// variable without a value or a statement that cannot run in its transaction.
    /// Migrations already applied are not checked, so their variables need no value.
    private func checkScripts(
        _ runnable: [MigrationStatus], permissions: PermissionsScript?, options: MigrateOptions
    ) throws {
        let versions = Set(runnable.map(\.version))
        var problems = MigrationCatalog.problems(
            in: migrations.filter { versions.contains($0.version) },
            variables: options.variables, dialect: dialect)
        if let permissions {
            problems += ScriptCheck.problems(
                text: permissions.text, batches: permissions.batches,
                fileName: permissions.url.lastPathComponent, runsInTransaction: true,
                variables: options.variables, dialect: dialect)
        }
        guard problems.isEmpty else {
            throw ConfigurationError(
                "nothing was changed:\n  " + problems.joined(separator: "\n  "))
        }
    }

    /// Rejects a version given on the command line unless a migration file has it, so a
    /// typing error cannot apply or record more than intended.
    func checkVersion(_ version: String, option: String) throws {
        guard !migrations.contains(where: { $0.version == version }) else { return }
        let known = migrations.map(\.version)
        let nearest = known.last { $0 < version } ?? known.first
        var message = "invalid \(option) \(version): no migration file has that version"
        if let nearest {
            message += "; pass a version from the file names (YYYYMMDD_HHmm), such as \(nearest)"
        }
        throw ConfigurationError(message)
    }

    /// Returns the migrations to run, after checking that history and files agree.
    func plan(_ options: MigrateOptions) throws -> [MigrationStatus] {
        let statuses = try status()
        let drifted = statuses.filter { $0.state == .changed || $0.state == .missing }
        if !drifted.isEmpty {
            let list = drifted.map { status in
                let name = status.script ?? status.version
                return status.state == .changed
                    ? "\(name) changed after it was applied (checksum \(status.recordedChecksum ?? "") "
                        + "recorded, \(status.fileChecksum ?? "") now)"
                    : "\(name) was applied but its file is missing"
            }
            var advice = ["Restore the files as they were applied."]
            if drifted.contains(where: { $0.state == .changed }) {
                advice.append("To accept an edited file, run `etl016-db repair`.")
            }
            if drifted.contains(where: { $0.state == .missing }) {
                advice.append(
                    "If a file was removed on purpose, delete its row from dbo.schema_version.")
            }
            throw OperationError(
                "nothing was changed, because applied migrations do not match their files:\n  "
                    + list.joined(separator: "\n  ") + "\n" + advice.joined(separator: " "))
        }
        var runnable = statuses.filter { $0.state == .pending || $0.state == .failed }
        if let target = options.target {
            runnable = runnable.filter { $0.version <= target }
        }
        let outOfOrder = runnable.filter(\.isOutOfOrder)
        if !outOfOrder.isEmpty, !options.allowOutOfOrder {
            let list = outOfOrder.map { $0.script ?? $0.version }.joined(separator: ", ")
            throw OperationError(
                "nothing was changed: pending migrations are older than the newest applied one "
                    + "(\(list)); pass --allow-out-of-order to apply them anyway")
        }
        return runnable
    }

    private func planned(_ status: MigrationStatus) -> AppliedMigration {
        AppliedMigration(
            version: status.version, description: status.description,
            script: status.script ?? status.version, executionMs: 0,
            resumedAfterBatch: status.state == .failed ? (status.batchesCompleted ?? 0) : 0)
    }

    // MARK: - Running one migration

    private func apply(
        _ migration: Migration, previous: MigrationStatus, options: MigrateOptions
    ) throws -> AppliedMigration {
        logger.info("applying \(migration.fileName)")
        let started = Date()
        let resumeAfter: Int
        if migration.runsInTransaction {
            try applyInTransaction(migration, variables: options.variables, previous: previous)
            resumeAfter = 0
        } else {
            resumeAfter = try applyOutsideTransaction(
                migration, variables: options.variables, previous: previous)
        }
        let elapsed = milliseconds(since: started)
        logger.info("applied \(migration.fileName)", [("execution_ms", .integer(Int64(elapsed)))])
        return AppliedMigration(
            version: migration.version, description: migration.description,
            script: migration.fileName, executionMs: elapsed, resumedAfterBatch: resumeAfter)
    }

    private func applyInTransaction(
        _ migration: Migration, variables: [String: String], previous: MigrationStatus
    ) throws {
        let started = Date()
        try connection.beginTransaction()
        var batchIndex = 0
        do {
            for (index, batch) in migration.batches.enumerated() {
                batchIndex = index
                try run(batch, variables: variables)
            }
            guard try dialect.isTransactionOpen(connection) else {
                throw TransactionEndedByScript()
            }
            if previous.state == .failed { try history.delete(version: migration.version) }
            try history.insert(
                record(migration, success: true, executionMs: milliseconds(since: started)))
            try connection.commit()
        } catch {
            try? connection.rollback()
            recordFailure(migration, batchesCompleted: nil, started: started)
            throw failure(migration, batchIndex: batchIndex, error: error, inTransaction: true)
        }
    }

    /// Runs a `-- etl016:no-transaction` script batch by batch, recording progress after
    /// each, so a failure leaves an exact record and the next run resumes after it.
    private func applyOutsideTransaction(
        _ migration: Migration, variables: [String: String], previous: MigrationStatus
    ) throws -> Int {
        let started = Date()
        var resumeAfter = 0
        if previous.state == .failed {
            if let completed = previous.batchesCompleted, completed > 0 {
                guard previous.recordedChecksum == migration.checksum else {
                    throw OperationError(
                        "\(migration.fileName) changed since it stopped after batch "
                            + "\(completed): run `etl016-db repair` to forget that run and "
                            + "start it from the first batch")
                }
                resumeAfter = completed
                logger.info(
                    "resuming \(migration.fileName) after batch \(completed) of "
                        + "\(migration.batches.count)")
            }
            try history.delete(version: migration.version)
        }
        try history.insert(
            record(migration, success: false, executionMs: nil, batchesCompleted: resumeAfter))
        for index in resumeAfter..<migration.batches.count {
            do {
                try run(migration.batches[index], variables: variables)
                try history.updateProgress(version: migration.version, batchesCompleted: index + 1)
            } catch {
                throw failure(migration, batchIndex: index, error: error, inTransaction: false)
            }
        }
        try connection.inTransaction {
            try history.delete(version: migration.version)
            try history.insert(
                record(migration, success: true, executionMs: milliseconds(since: started),
                    batchesCompleted: migration.batches.count))
        }
        return resumeAfter
    }

    func run(_ batch: Batch, variables: [String: String]) throws {
        try ScriptRunner(connection: connection, dialect: dialect, logger: logger)
            .run(batch, variables: variables)
    }

    private func record(
        _ migration: Migration, success: Bool, executionMs: Int?, batchesCompleted: Int? = nil
    ) throws -> HistoryRecord {
        HistoryRecord(
            version: migration.version, description: migration.description,
            script: migration.fileName, checksum: migration.checksum,
            appliedBy: try appliedBy(), executionMs: executionMs, success: success,
            batchesCompleted: batchesCompleted)
    }

    private var cachedUserName: String?

    private func appliedBy() throws -> String {
        if let cachedUserName { return cachedUserName }
        let name = try dialect.currentUserName(connection)
        cachedUserName = name
        return name
    }

    /// Writes a failed row after the rollback; a failure to write it is logged, because the
    /// migration's own error matters more.
    private func recordFailure(_ migration: Migration, batchesCompleted: Int?, started: Date) {
        do {
            try connection.inTransaction {
                try history.delete(version: migration.version)
                try history.insert(
                    record(migration, success: false, executionMs: milliseconds(since: started),
                        batchesCompleted: batchesCompleted))
            }
        } catch {
            logger.error("could not record the failure of \(migration.fileName): \(error)")
        }
    }

    private func failure(
        _ migration: Migration, batchIndex: Int, error: Error, inTransaction: Bool
    ) -> Error {
        if error is TransactionEndedByScript {
            return OperationError(
                "migration \(migration.fileName) committed or rolled back the transaction it "
                    + "runs in, so part of it may be applied although it is recorded as failed: "
                    + "check its objects by hand, remove COMMIT and ROLLBACK from it, then run "
                    + "migrate again")
        }
        guard migration.batches.indices.contains(batchIndex) else { return error }
        let message: String
        if let databaseError = error as? DatabaseError {
            let state = databaseError.sqlState.map { "SQLSTATE \($0): " } ?? ""
            message = state + databaseError.serverMessage
        } else {
            message = String(describing: error)
        }
        return MigrationFailure(
            script: migration.fileName, batchNumber: batchIndex + 1,
            batchCount: migration.batches.count, line: migration.batches[batchIndex].line,
            ranInTransaction: inTransaction, underlying: message)
    }

    // MARK: - Permissions

    struct PermissionsScript {
        var url: URL
        var text: String
        var batches: [Batch]
    }

    private func loadPermissions(_ url: URL) throws -> PermissionsScript {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ConfigurationError(
                "permissions file \(url.path) not found: run from the project folder, pass "
                    + "--permissions FILE, or pass --no-permissions to skip the grants")
        }
        let text = try ScriptFile.decode(data, path: url.path)
        do {
            return PermissionsScript(url: url, text: text, batches: try dialect.splitScript(text))
        } catch {
            throw ConfigurationError("\(url.lastPathComponent): \(error)")
        }
    }

    /// Applies the permissions script in one transaction. GRANT and role membership are
    /// idempotent, so this runs on every `migrate`.
    private func applyPermissions(_ script: PermissionsScript, variables: [String: String])
        throws -> Int
    {
        var batchIndex = 0
        do {
            try connection.inTransaction {
                for (index, batch) in script.batches.enumerated() {
                    batchIndex = index
                    try run(batch, variables: variables)
                }
            }
        } catch {
            let line = script.batches.indices.contains(batchIndex)
                ? script.batches[batchIndex].line : 0
            throw OperationError(
                "permissions file \(script.url.lastPathComponent) failed at line \(line) and "
                    + "was rolled back; the migrations before it stay applied. The server "
                    + "said: \(error)")
        }
        logger.info("applied \(script.batches.count) statements of \(script.url.lastPathComponent)")
        return script.batches.count
    }

    // MARK: - Lock

    /// Runs `body` holding the migration lock, released afterwards on every path.
    func withLock<T>(timeout: Int, _ body: () throws -> T) throws -> T {
        guard try dialect.acquireLock(
            connection, resource: Migrator.lockResource, timeoutSeconds: timeout)
        else {
            throw OperationError(
                "another etl016-db run holds the migration lock on this database "
                    + "(waited \(timeout) s): try again when it finishes, or raise --lock-timeout")
        }
        defer {
            do {
                try dialect.releaseLock(connection, resource: Migrator.lockResource)
            } catch {
                logger.warning("could not release the migration lock: \(error)")
            }
        }
        return try body()
    }
}

/// A migration script that ended the transaction the migrator opened for it.
struct TransactionEndedByScript: Error {}

func milliseconds(since start: Date) -> Int {
    Int((Date().timeIntervalSince(start) * 1000).rounded())
}
