import ETL016Core
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct MigrateCommand: Command {
    static let name = "migrate"
    static let summary = "apply pending migrations, then the permissions file"
    static let usage =
        "migrate [--target VERSION] [--dry-run] [--allow-out-of-order] [--var NAME=VALUE]..."
    static let details = """
        Applies the pending migrations in version order, each in its own transaction with its
        history row in dbo.schema_version, then applies the permissions file (GRANTs and role
        membership, idempotent) in one transaction. One run at a time per database: a second
        run waits for the lock, then fails.

        Before any change it stops when a variable has no value, when a script holds a
        statement that cannot run in a transaction without the `-- etl016:no-transaction`
        header, when an applied migration's file changed or vanished, or when a pending
        migration is older than the newest applied one (unless --allow-out-of-order).
        """
    static let options: [OptionSpec] = [
        .value("target", "VERSION", "apply pending migrations up to this version only"),
        .flag("dry-run", "list what would run and change nothing"),
        .flag("allow-out-of-order", "apply pending migrations older than the newest applied one"),
        MigrationOptions.migrations,
        MigrationOptions.variable,
        .value(
            "permissions", "FILE",
            "permissions script applied after the migrations (default sql/permissions.<dialect>.sql)"),
        .flag("no-permissions", "skip the permissions script"),
        MigrationOptions.lockTimeout,
    ]

    static func run(_ context: CommandContext) throws -> ExitCode {
        try context.arguments.expectPositionals(0...0, usage)
        let (migrator, dialect) = try MigrationOptions.migrator(context)
        var options = MigrateOptions()
        options.target = context.arguments.value("target")
        options.dryRun = context.arguments.has("dry-run")
        options.allowOutOfOrder = context.arguments.has("allow-out-of-order")
        options.variables = try context.variables()
        options.lockTimeout = try MigrationOptions.lockTimeout(context)
        options.permissionsFile = try permissionsFile(context, dialect: dialect)
        let report = try migrator.migrate(options)
        context.emit(report) { text(report) }
        return .success
    }

    /// Returns the permissions file: `--permissions FILE`, or the dialect's file under
    /// `sql/`, or nil with `--no-permissions`. A missing file is reported by the migrator
    /// before anything changes, so a pipeline started in the wrong folder cannot skip the
    /// grants silently.
    static func permissionsFile(_ context: CommandContext, dialect: any Dialect) throws -> URL? {
        if context.arguments.has("no-permissions") { return nil }
        let path = context.arguments.value("permissions") ?? "sql/permissions.\(dialect.kind).sql"
        return URL(fileURLWithPath: path)
    }

    private static func text(_ report: MigrateReport) -> String {
        var lines: [String] = []
        let verb = report.dryRun ? "would apply" : "applied"
        if report.applied.isEmpty {
            lines.append("Nothing to migrate: the database is up to date.")
        }
        for migration in report.applied {
            let resumed = migration.resumedAfterBatch > 0
                ? ", resuming after batch \(migration.resumedAfterBatch)" : ""
            let time = report.dryRun ? "" : " (\(migration.executionMs) ms\(resumed))"
            lines.append("\(verb) \(migration.script)\(time)")
        }
        if let file = report.permissionsFile {
            lines.append("\(verb) \(report.permissionStatements) statements of \(file)")
        }
        if !report.dryRun {
            lines.append("\(report.applied.count) migrations in \(report.executionMs) ms")
        }
        return lines.joined(separator: "\n")
    }
}
