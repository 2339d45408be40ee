import ETL016Core
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Options shared by the commands that read migration files.
enum MigrationOptions {
    static let migrations = OptionSpec.value(
        "migrations", "DIR", "migrations folder (default migrations/<dialect>: sqlserver or postgresql)")
    static let variable = OptionSpec.repeated(
        "var", "NAME=VALUE", "value for $(NAME) in scripts, such as service_login=talend_user")
    static let lockTimeout = OptionSpec.value(
        "lock-timeout", "SECONDS", "seconds to wait for another run's migration lock (default 30)")

    /// Loads the migration files for the dialect from `--migrations` or the default folder.
    static func load(_ context: CommandContext, dialect: any MigrationDialect) throws
        -> [Migration]
    {
        let directory = context.arguments.value("migrations") ?? "migrations/\(dialect.kind)"
        return try MigrationCatalog.load(
            directory: URL(fileURLWithPath: directory), dialect: dialect)
    }

    static func lockTimeout(_ context: CommandContext) throws -> Int {
        try context.arguments.integer("lock-timeout", default: 30, range: 0...86_400)
    }

    /// Opens the connection and builds a migrator over the dialect's migration files.
    static func migrator(_ context: CommandContext) throws -> (Migrator, any Dialect) {
        let (connection, dialect) = try context.connect()
        let migrations = try load(context, dialect: dialect)
        return (
            Migrator(
                connection: connection, dialect: dialect, migrations: migrations,
                logger: context.logger), dialect
        )
    }
}
