#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The outcome of `ScriptRunner.run`.
public struct ScriptRunReport: Sendable, JSONRepresentable {
    public var batches: Int
    public var executionMs: Int

    public var json: JSONValue {
        .object([
            ("success", .bool(true)),
            ("batches", .integer(Int64(batches))),
            ("execution_ms", .integer(Int64(executionMs))),
        ])
    }
}

/// Runs scripts batch by batch with variables substituted, as sqlcmd does. The migrator
/// runs each migration's batches through it.
public struct ScriptRunner {
    let connection: Connection
    let dialect: any MigrationDialect
    let logger: Logger

    public init(connection: Connection, dialect: any MigrationDialect, logger: Logger = .standard) {
        self.connection = connection
        self.dialect = dialect
        self.logger = logger
    }

    /// Runs a batch `repeatCount` times (`GO n`), after substituting variables.
    /// Server messages (`PRINT`, `RAISERROR` below severity 11, `NOTICE`) are logged.
    public func run(_ batch: Batch, variables: [String: String]) throws {
        let sql = try ScriptVariables.substitute(batch.sql, values: variables)
        for _ in 0..<max(batch.repeatCount, 1) {
            let result = try connection.execute(sql)
            for message in result.messages {
                logger.info(ODBCMessage.strippingDriverPrefixes(message.message))
            }
        }
    }

    /// Splits and runs a whole script, outside the migration history.
    ///
    /// - Throws: `ConfigurationError`, before anything runs, for a script that does not
    ///   split or has variables without a value. `OperationError` naming the batch and line
    ///   when the server rejects a batch.
    public func run(
        text: String, fileName: String, variables: [String: String], inTransaction: Bool
    ) throws -> ScriptRunReport {
        let started = Date()
        let batches: [Batch]
        do {
            batches = try dialect.splitScript(text)
        } catch {
            throw ConfigurationError("\(fileName): \(error)")
        }
        let problems = ScriptCheck.problems(
            text: text, batches: batches, fileName: fileName, runsInTransaction: inTransaction,
            variables: variables, dialect: dialect)
        guard problems.isEmpty else {
            let hint = inTransaction ? "\nOr run the script without --transaction." : ""
            throw ConfigurationError(
                "nothing was run:\n  " + problems.joined(separator: "\n  ") + hint)
        }
        if inTransaction { try connection.beginTransaction() }
        for (index, batch) in batches.enumerated() {
            do {
                try run(batch, variables: variables)
            } catch {
                if inTransaction { try? connection.rollback() }
                let outcome = inTransaction
                    ? "the transaction was rolled back"
                    : "batches 1-\(index) were committed"
                throw OperationError(
                    "\(fileName) failed in batch \(index + 1) of \(batches.count) (line "
                        + "\(batch.line)) and \(outcome). The server said: \(error)")
            }
        }
        if inTransaction { try connection.commit() }
        return ScriptRunReport(batches: batches.count, executionMs: milliseconds(since: started))
    }
}
