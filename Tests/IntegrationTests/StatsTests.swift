import ETL016Core
import Foundation
import Testing

@Suite("stats on a real database", .serialized, .enabled(if: TestServer.isConfigured))
struct StatsTests {
    @Test("counts rows, dates and partitions", arguments: TestServer.configured, TrafficLayout.allCases)
    func countsRows(server: TestServer, layout: TrafficLayout) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: layout)
            try fixture.insert(RetentionRows.all)
            try fixture.ensurePartitions()

            let result = try CLI.run(
                ["stats", "--json", "--table", layout.tableName], environment: fixture.environment)
            #expect(result.exitCode == 0, "\(result.stderr)")
            let stats = try result.jsonObject()
            let dated = RetentionRows.expired.count + RetentionRows.keptDated.count
            #expect(stats["total_rows"] as? Int == RetentionRows.all.count)
            #expect(stats["valid_date_rows"] as? Int == dated)
            #expect(stats["invalid_date_rows"] as? Int == RetentionRows.invalid.count)
            #expect(stats["null_dia_rows"] as? Int == 2)
            #expect(stats["malformed_dia_rows"] as? Int == RetentionRows.invalid.count - 2)
            #expect(stats["oldest_date"] as? String == "2024-09-30")
            #expect(stats["newest_date"] as? String == "2025-09-10")
            let sizeMB = (stats["size_mb"] as? NSNumber)?.doubleValue ?? 0
            #expect(sizeMB > 0, "size_mb \(stats["size_mb"] ?? "missing")")
            if layout == .monthly {
                #expect(stats["partitions"] as? Int == 17)
            } else {
                #expect(stats["partitioned"] as? Bool == false)
            }

            let text = try CLI.run(
                ["stats", "--table", layout.tableName], environment: fixture.environment)
            let line = text.stdout.split(separator: "\n")
                .first { $0.hasPrefix("rows with a valid date") }
            #expect(line?.hasSuffix(" \(dated)") == true, "\(text.stdout)")
        }
    }

    @Test("unknown table exits 2", arguments: TestServer.configured)
    func unknownTable(server: TestServer) throws {
        try withTestDatabase(on: server) { database in
            let fixture = try RetentionFixture.make(database, layout: .plain)
            let result = try CLI.run(
                ["stats", "--table", "dbo.missing"], environment: fixture.environment)
            #expect(result.exitCode == 2)
            #expect(result.stderr.contains("table dbo.missing not found"))
        }
    }
}
