#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One migration file, read and split but not yet run.
public struct Migration: Sendable {
    /// The version from the file name, such as `20250910_0600`.
    public var version: String
    /// The description from the file name with underscores as spaces.
    public var description: String
    public var fileName: String
    /// The file name with its folder, such as `postgresql/20250910_0600_add_audit_tables.sql`,
    /// for messages that must tell the two dialects' files apart.
    public var displayName: String
    public var url: URL
    /// The script as written, before variable substitution.
    public var text: String
    /// SHA-256 of the file with line endings and a leading BOM normalized.
    public var checksum: String
    public var batches: [Batch]
    /// False when the script starts with the `-- etl016:no-transaction` header.
    public var runsInTransaction: Bool
}

/// Finds and reads the migration files of a folder.
public enum MigrationCatalog {
    /// Reads every `.sql` file of `directory` in version order. Files with other extensions,
    /// such as a README, are ignored.
    ///
    /// - Throws: `ConfigurationError` naming every malformed file name and every duplicate
    ///   version at once, or a file that cannot be read or split.
    public static func load(directory: URL, dialect: any MigrationDialect) throws -> [Migration] {
        let names = try listFileNames(directory)
        var parsed: [MigrationFileName] = []
        var problems: [String] = []
        for name in names {
            do {
                guard let fileName = try MigrationFileName.parse(name) else { continue }
                if let problem = lengthProblem(fileName) {
                    problems.append(problem)
                } else {
                    parsed.append(fileName)
                }
            } catch {
                problems.append(String(describing: error))
            }
        }
        let byVersion = Dictionary(grouping: parsed, by: \.version)
        for (version, files) in byVersion.sorted(by: { $0.key < $1.key }) where files.count > 1 {
            let list = files.map(\.fileName).sorted().joined(separator: ", ")
            problems.append(
                "version \(version) is used by \(files.count) files (\(list)): give each "
                    + "migration its own timestamp")
        }
        var migrations: [Migration] = []
        for fileName in parsed.sorted(by: { $0.version < $1.version }) {
            do {
                migrations.append(try read(fileName, in: directory, dialect: dialect))
            } catch let error as ConfigurationError {
                problems.append(error.message)
            }
        }
        guard problems.isEmpty else {
            throw ConfigurationError(
                "invalid migrations in \(directory.path):\n  "
                    + problems.joined(separator: "\n  "))
        }
        return migrations
    }

    /// History columns hold at most 200 characters of description and 260 of file name, so
    /// longer names are rejected here rather than failing after the migration ran.
    private static func lengthProblem(_ fileName: MigrationFileName) -> String? {
        if fileName.fileName.count > 260 {
            return "\(fileName.fileName.prefix(40))...: the file name has "
                + "\(fileName.fileName.count) characters; shorten it to at most 260"
        }
        if fileName.description.count > 200 {
            return "\(fileName.fileName.prefix(40))...: the description has "
                + "\(fileName.description.count) characters; shorten it to at most 200"
        }
        return nil
    }

    private static func listFileNames(_ directory: URL) throws -> [String] {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
            isDirectory
        else {
            throw ConfigurationError(
                "migrations folder \(directory.path) not found: run from the project folder "
                    + "or pass the folder's path")
        }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    private static func read(
        _ fileName: MigrationFileName, in directory: URL, dialect: any MigrationDialect
    ) throws -> Migration {
        let url = directory.appendingPathComponent(fileName.fileName)
        let displayName = "\(directory.lastPathComponent)/\(fileName.fileName)"
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ConfigurationError("\(displayName) cannot be read: it is a broken link")
        }
        guard !isDirectory else {
            throw ConfigurationError("\(displayName) is a folder: migrations must be files")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ConfigurationError("\(displayName) cannot be read: check its permissions")
        }
        let text = try ScriptFile.decode(data, path: displayName)
        let batches: [Batch]
        do {
            batches = try dialect.splitScript(text)
        } catch {
            throw ConfigurationError("\(displayName): \(error)")
        }
        return Migration(
            version: fileName.version, description: fileName.description,
            fileName: fileName.fileName, displayName: displayName, url: url, text: text,
            checksum: MigrationChecksum.compute(data), batches: batches,
            runsInTransaction: !TransactionRestrictions.declaresNoTransaction(text))
    }

    /// Lists what would stop these migrations from running, without a database: unresolved
    /// variables, and statements that cannot run in a transaction in a script that does not
    /// declare `-- etl016:no-transaction`.
    public static func problems(
        in migrations: [Migration], variables: [String: String], dialect: any MigrationDialect
    ) -> [String] {
        var problems: [String] = []
        for migration in migrations {
            problems += ScriptCheck.problems(
                text: migration.text, batches: migration.batches,
                fileName: migration.displayName,
                runsInTransaction: migration.runsInTransaction, variables: variables,
                dialect: dialect)
        }
        return problems
    }
}

/// Checks shared by migrations, the permissions file and `run`.
enum ScriptCheck {
    static func problems(
        text: String, batches: [Batch], fileName: String, runsInTransaction: Bool,
        variables: [String: String], dialect: any MigrationDialect
    ) -> [String] {
        var problems: [String] = []
        let known = Set(variables.keys.map { $0.lowercased() })
        var reported = Set<String>()
        for reference in ScriptVariables.references(in: text)
        where !known.contains(reference.name.lowercased())
            && !reported.contains(reference.name.lowercased())
        {
            reported.insert(reference.name.lowercased())
            problems.append(
                "\(fileName) line \(reference.line): variable $(\(reference.name)) has no "
                    + "value: pass --var \(reference.name)=VALUE")
        }
        if runsInTransaction {
            for statement in dialect.transactionControlStatements(in: batches) {
                problems.append(
                    "\(fileName) line \(statement.line): \(statement.statement) would end the "
                        + "transaction the script runs in: remove it, because each migration "
                        + "already runs in one transaction, or put the line "
                        + "`-- etl016:no-transaction` at the top to manage transactions yourself")
            }
            for statement in dialect.nonTransactionalStatements(in: batches) {
                problems.append(
                    "\(fileName) line \(statement.line): \(statement.statement) cannot run "
                        + "inside a transaction: put the line `-- etl016:no-transaction` at "
                        + "the top of the script, or move the statement to a script of its own")
            }
        }
        return problems
    }
}

/// Reading of script files.
public enum ScriptFile {
    /// Decodes UTF-8, dropping a leading byte order mark. UTF-16 files, which SQL Server
    /// Management Studio can save, are decoded by their byte order mark.
    public static func decode(_ data: Data, path: String) throws -> String {
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
            if let text = String(data: data, encoding: .utf16) { return text }
        }
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw ConfigurationError("\(path) is not valid UTF-8: save it as UTF-8")
        }
        return text
    }
}
