import ETL016Core
import Foundation
import Testing

@Suite("T-SQL parses with sqlfluff")
struct TSQLParseTests {
    @Test("statements the migration engine generates")
    func migrationEngineStatements() throws {
        let history = SQLServerDialect().history
        var statements: [String: String] = [
            "history list columns": history.listColumns,
            "history create table": history.createTable,
            "history mark legacy rows": history.markLegacyRowsApplied,
            "history select": history.selectAll,
            "history insert": history.insert,
            "history delete": history.delete,
            "history update checksum": history.updateChecksum,
            "history update progress": history.updateProgress,
        ]
        for column in ["script", "checksum", "applied_by", "applied_at", "execution_ms", "success",
            "batches_completed"]
        {
            statements["history add \(column)"] = history.addColumn(column)
        }
        let failures = try SQLFluff.unparsable(statements.mapValues(Self.replacingMarkers))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("migration and sql files of the project")
    func projectScripts() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        var scripts: [String: String] = [:]
        let folders = ["migrations/sqlserver", "sql"]
        for folder in folders {
            let url = root.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            for name in names where name.hasSuffix(".sql") {
                guard folder != "sql" || name.contains(".sqlserver.") else { continue }
                let text = try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)
                scripts["\(folder)/\(name)"] = Self.substitutingSampleVariables(text)
            }
        }
        #expect(!scripts.isEmpty)
        let failures = try SQLFluff.unparsable(scripts)
        #expect(failures.isEmpty, "\(failures)")
    }

    /// sqlfluff does not parse ODBC `?` markers, so samples get a literal in their place.
    static func replacingMarkers(_ sql: String) -> String {
        sql.replacingOccurrences(of: "?", with: "N'sample'")
    }

    /// Gives `$(name)` variables plausible values, as `--var` would before execution.
    static func substitutingSampleVariables(_ text: String) -> String {
        let samples = ["service_login": "talend_user", "rows": "1000000",
            "first_day": "2024-09-01", "last_day": "2025-09-30", "filegroup": "PRIMARY"]
        var result = text
        for (name, value) in samples {
            result = result.replacingOccurrences(of: "$(\(name))", with: value)
        }
        return result
    }
}
