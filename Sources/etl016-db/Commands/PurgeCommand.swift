import ETL016Core
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct PurgeCommand: Command {
    static let name = "purge"
    static let summary = "delete traffic rows older than the retention period"
    static let usage = """
        purge [--table NAME] [--date-column NAME] [--retention-months N] [--as-of YYYY-MM-DD]
            [--dry-run] [--min-remaining N] [--max-delete N] [--batch-size N]
            [--batch-pause SECONDS] [--mode exact|partition] [--archive] [--require-switch]
            [--lock-timeout SECONDS] [--metrics-file PATH]
        """
    static let details = """
        Removes the rows whose Dia is a valid date before the cutoff, the as-of date minus
        --retention-months calendar months (day clamped to the month's end). Rows with a NULL
        or invalid Dia always stay. Partitions whose whole range lies before the cutoff, and
        which hold only such rows, are removed as a unit (PostgreSQL: DETACH and DROP; SQL
        Server: SWITCH to a staging table, DROP, MERGE RANGE). The remaining expired rows go
        by batched deletes, one transaction per batch; --mode partition skips them.

        The purge refuses with exit code 3, changing nothing and writing no audit row, when
        it would delete more than --max-delete rows or leave fewer than --min-remaining; a
        dry run that the real run would refuse also exits 3. Batched deletes stop at the
        highest key read at plan time and at --max-delete rows in all.
        Each run writes START, SWITCH and DELETE rows, then COMPLETE or ERROR to
        dbo.etl016_audit_trail under one execution id. See docs/purge.md.
        """
    static let options: [OptionSpec] = [
        RetentionCommandOptions.table,
        RetentionCommandOptions.dateColumn,
        .value("retention-months", "N", "months of data to keep (default 3)"),
        .value("as-of", "YYYY-MM-DD", "date the retention counts back from (default today)"),
        .flag("dry-run", "print the plan and change nothing"),
        .value("min-remaining", "N", "refuse when fewer rows would remain (default 1000)"),
        .value("max-delete", "N", "refuse when more rows would be deleted (default 100000)"),
        .value(
            "batch-size", "N",
            "rows per delete batch and transaction (default 10000; on SQL Server 4000 stays "
                + "below lock escalation)"),
        .value("batch-pause", "SECONDS", "pause between delete batches (default 1, 0 for none)"),
        .value(
            "mode", "exact|partition",
            "exact (default) also deletes the expired rows of partly expired partitions; "
                + "partition removes whole partitions only"),
        .flag("archive", "move removed partitions into the schema archive instead of dropping"),
        .flag("require-switch", "fail instead of falling back to batched deletes"),
        RetentionCommandOptions.lockTimeout,
        .value("metrics-file", "PATH", "write Prometheus metrics to this file, atomically"),
    ]

    static func run(_ context: CommandContext) throws -> ExitCode {
        try context.arguments.expectPositionals(0...0, usage)
        let options = try purgeOptions(context)
        let metricsURL = try metricsFile(context)
        let started = Date()
        // The metrics label is the catalog's spelling once known, else the typed name in
        // lower case, so success and failure series of one table share a label.
        var metricsTable = QualifiedName(
            schema: options.table.schema.lowercased(), name: options.table.name.lowercased())
        do {
            let (connection, dialect) = try context.connect()
            defer { connection.close() }
            let purger = Purger(
                connection: connection, dialect: dialect, options: options,
                logger: context.logger, reconnect: { try context.connect().0 })
            var report: PurgeReport
            do {
                report = try purger.run()
            } catch {
                if let table = purger.resolvedTable { metricsTable = table }
                guard let partial = purger.partialReport else { throw error }
                return reportFailure(
                    partial, error: error, context: context, metricsURL: metricsURL,
                    started: started)
            }
            metricsTable = report.plan.table
            if let metricsURL, !options.dryRun {
                do {
                    try writeMetrics(
                        metricsURL, table: metricsTable.description,
                        records: report.recordsDeleted, started: started,
                        success: report.success)
                } catch {
                    report.metricsFileError = "writing \(metricsURL.path) failed: \(error)"
                }
            }
            context.emit(report) { report.text }
            if let refusal = report.refusal {
                context.logger.error("purge refused, nothing changed: \(refusal)")
                return .checkFailed
            }
            if let refusal = report.wouldRefuse {
                context.logger.error("dry run: the real run would be refused: \(refusal)")
                return .checkFailed
            }
            if let problem = report.metricsFileError {
                // The purge completed and is in the audit trail. Only the metrics file is
                // stale, and exit code 1 makes the scheduler notice it.
                context.logger.error(
                    "the purge completed, but the metrics file was not updated: \(problem)")
                return .failure
            }
            return .success
        } catch {
            if let metricsURL, !options.dryRun {
                try? writeMetrics(
                    metricsURL, table: metricsTable.description, records: 0, started: started,
                    success: false)
            }
            if let refusal = error as? PurgeRefusal {
                if context.wantsJSON {
                    context.printJSON(.object([
                        ("success", .bool(false)),
                        ("dry_run", .bool(options.dryRun)),
                        ("table", .string(metricsTable.description)),
                        ("refused", .string(refusal.message)),
                        ("exit_code", .integer(Int64(ExitCode.checkFailed.rawValue))),
                    ]))
                }
                throw CheckFailure(message: refusal.message)
            }
            throw error
        }
    }

    /// Prints the summary of a run that failed after it started changing the table, with
    /// what it removed, writes the metrics file with that count, and returns exit code 1.
    private static func reportFailure(
        _ report: PurgeReport, error: Error, context: CommandContext, metricsURL: URL?,
        started: Date
    ) -> ExitCode {
        if let metricsURL {
            do {
                try writeMetrics(
                    metricsURL, table: report.plan.table.description,
                    records: report.recordsDeleted, started: started, success: false)
            } catch {
                context.logger.error("writing the metrics file \(metricsURL.path) failed: \(error)")
            }
        }
        context.emit(report) { report.text }
        context.logger.error(
            "purge failed after removing \(report.recordsDeleted) rows: "
                + ConnectionString.redactPasswords(in: String(describing: error)))
        return .failure
    }

    /// Reads and validates every option before connecting, so a bad value changes nothing.
    static func purgeOptions(_ context: CommandContext) throws -> PurgeOptions {
        let arguments = context.arguments
        var options = PurgeOptions()
        options.table = try RetentionCommandOptions.table(context)
        options.dateColumn = try RetentionCommandOptions.dateColumn(context)
        options.retentionMonths = try arguments.integer(
            "retention-months", default: 3, range: PurgeOptions.retentionMonthsRange)
        options.asOf = try arguments.date("as-of") ?? .today()
        options.dryRun = arguments.has("dry-run")
        options.minRemaining = Int64(
            try arguments.integer("min-remaining", default: 1_000, range: 0...Int(Int64.max)))
        options.maxDelete = Int64(
            try arguments.integer("max-delete", default: 100_000, range: 0...Int(Int64.max)))
        options.batchSize = try arguments.integer(
            "batch-size", default: 10_000, range: PurgeOptions.batchSizeRange)
        options.batchPause = try arguments.seconds(
            "batch-pause", default: 1, range: PurgeOptions.batchPauseRange)
        options.mode = PurgeMode(
            rawValue: try arguments.choice(
                "mode", PurgeMode.allCases.map(\.rawValue), default: "exact"))!
        options.archive = arguments.has("archive")
        options.requireSwitch = arguments.has("require-switch")
        options.lockTimeout = try RetentionCommandOptions.lockTimeout(context)
        do {
            try options.validate()
        } catch let error as ConfigurationError {
            throw UsageError(message: error.message, command: name)
        }
        return options
    }

    private static func metricsFile(_ context: CommandContext) throws -> URL? {
        guard let path = context.arguments.value("metrics-file") else { return nil }
        let url = URL(fileURLWithPath: path)
        var isDirectory = false
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory),
            isDirectory
        else {
            throw UsageError(
                message: "invalid --metrics-file \(path): the folder \(folder) does not exist",
                command: name)
        }
        return url
    }

    private static func writeMetrics(
        _ url: URL, table: String, records: Int64, started: Date, success: Bool
    ) throws {
        let now = Date()
        try PurgeMetrics(
            table: table, recordsDeleted: records, durationSeconds: now.timeIntervalSince(started),
            success: success, lastSuccessTimestamp: success ? now.timeIntervalSince1970 : nil
        ).write(to: url)
    }
}

/// Options that `purge`, `partitions` and `stats` share.
enum RetentionCommandOptions {
    static let table = OptionSpec.value(
        "table", "NAME", "table as schema.name, matched case-insensitively (default dbo.f_trafegoc01)")
    static let dateColumn = OptionSpec.value(
        "date-column", "NAME",
        "text column holding the day, or a date column (default Dia, matched case-insensitively)")
    static let lockTimeout = OptionSpec.value(
        "lock-timeout", "SECONDS", "seconds to wait for a lock before giving up (default 30)")

    static func table(_ context: CommandContext) throws -> QualifiedName {
        let text = context.arguments.value("table") ?? "dbo.f_trafegoc01"
        guard let name = QualifiedName(parsing: text) else {
            throw UsageError(
                message: "invalid --table \(text): expected schema.name, such as dbo.f_trafegoc01",
                command: context.arguments.command)
        }
        return name
    }

    static func dateColumn(_ context: CommandContext) throws -> String {
        let text = context.arguments.value("date-column") ?? "Dia"
        guard !text.trimmingWhitespace().isEmpty else {
            throw UsageError(
                message: "invalid --date-column: expected a column name, such as Dia",
                command: context.arguments.command)
        }
        return text
    }

    static func lockTimeout(_ context: CommandContext) throws -> Int {
        try context.arguments.integer(
            "lock-timeout", default: 30, range: PurgeOptions.lockTimeoutRange)
    }
}
