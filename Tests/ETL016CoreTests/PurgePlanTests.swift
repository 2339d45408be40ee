@testable import ETL016Core
import Foundation
import Testing

/// Builds a monthly partition `[first of month, first of next month)` named like the ones
/// `partitions ensure` creates.
func monthlyPartition(_ month: String, number: Int) -> PartitionInfo {
    let lower = LocalDate(iso: month + "-01")!
    let name = QualifiedName(
        schema: "dbo", name: "f_trafegoc01_p" + month.replacingOccurrences(of: "-", with: ""))
    return PartitionInfo(
        id: name.description, number: number, table: name, lowerBound: lower,
        upperBound: lower.addingMonths(1))
}

let defaultTrafficPartition = PartitionInfo(
    id: "dbo.f_trafegoc01_default", number: 99,
    table: QualifiedName(schema: "dbo", name: "f_trafegoc01_default"), lowerBound: nil,
    upperBound: nil, isDefault: true)

let trafficTable = QualifiedName(schema: "dbo", name: "f_trafegoc01")

func purgeOptions(asOf: String = "2025-09-10", mode: PurgeMode = .exact) -> PurgeOptions {
    var options = PurgeOptions()
    options.asOf = LocalDate(iso: asOf)!
    options.mode = mode
    return options
}

/// May, June and July 2025 partitions plus DEFAULT, as of 2025-09-10 (cutoff 2025-06-10):
/// May is wholly expired, June straddles the cutoff (900 rows of 1-9 June expired), July is
/// kept, and DEFAULT holds 50 rows without a date and 5 expired rows of April.
func sampleLayout() -> (PartitionLayout, [String: PartitionRowCounts]) {
    let may = monthlyPartition("2025-05", number: 1)
    let june = monthlyPartition("2025-06", number: 2)
    let july = monthlyPartition("2025-07", number: 3)
    let layout = PartitionLayout(
        key: "RANGE (dbo.etl016_dia_date(dia))", isKeyedOnDate: true,
        partitions: [may, june, july, defaultTrafficPartition])
    let counts: [String: PartitionRowCounts] = [
        may.id: PartitionRowCounts(
            rows: 3100, expiredRows: 3100, oldestDate: LocalDate(iso: "2025-05-01"),
            newestDate: LocalDate(iso: "2025-05-31")),
        june.id: PartitionRowCounts(
            rows: 3000, expiredRows: 900, oldestDate: LocalDate(iso: "2025-06-01"),
            newestDate: LocalDate(iso: "2025-06-30")),
        july.id: PartitionRowCounts(rows: 3100, expiredRows: 0),
        defaultTrafficPartition.id: PartitionRowCounts(
            rows: 55, expiredRows: 5, nullTextRows: 20, noDateRows: 50,
            oldestDate: LocalDate(iso: "2025-04-02"), newestDate: LocalDate(iso: "2025-04-02")),
    ]
    return (layout, counts)
}

@Suite("purge plan")
struct PurgePlanTests {
    @Test("exact mode removes the wholly expired month")
    func exactModeRemovesMonth() throws {
        let (layout, counts) = sampleLayout()
        let plan = try PurgePlan.build(
            options: purgeOptions(), table: trafficTable, layout: layout, counts: counts,
            switchRestriction: nil)
        #expect(plan.cutoff.description == "2025-06-10")
        #expect(plan.removals.map(\.partition.id) == ["dbo.f_trafegoc01_p202505"])
        #expect(plan.rowsToDeleteInBatches == 905)
        #expect(plan.rowsToRemove == 4005)
        #expect(plan.rowsRemaining == 9255 - 4005)
        #expect(plan.totals.noDateRows == 50)
        #expect(plan.fallbackReason == nil)
    }

    @Test("partition mode keeps the straddling month")
    func partitionModeKeepsStraddling() throws {
        let (layout, counts) = sampleLayout()
        let plan = try PurgePlan.build(
            options: purgeOptions(mode: .partition), table: trafficTable, layout: layout, counts: counts,
            switchRestriction: nil)
        #expect(plan.removals.count == 1)
        #expect(plan.rowsToDeleteInBatches == 0)
        #expect(plan.expiredRowsKept == 905)
        #expect(plan.daysKeptPastCutoff == 69, "DEFAULT keeps 2 April, 69 days before 10 June")
    }

    @Test("days kept past cutoff in June")
    func daysKeptInJune() throws {
        let (layout, counts) = sampleLayout()
        var withoutDefault = counts
        withoutDefault[defaultTrafficPartition.id] = PartitionRowCounts()
        let plan = try PurgePlan.build(
            options: purgeOptions(mode: .partition), table: trafficTable, layout: layout,
            counts: withoutDefault, switchRestriction: nil)
        #expect(plan.daysKeptPastCutoff == 9)
    }

    @Test("partition holding a row without date stays")
    func partitionWithUndatedRowStays() throws {
        let (layout, counts) = sampleLayout()
        var changed = counts
        changed["dbo.f_trafegoc01_p202505"]?.rows += 1
        changed["dbo.f_trafegoc01_p202505"]?.noDateRows = 1
        let plan = try PurgePlan.build(
            options: purgeOptions(), table: trafficTable, layout: layout, counts: changed,
            switchRestriction: nil)
        #expect(plan.removals.isEmpty)
        #expect(plan.rowsToDeleteInBatches == 4005)
    }

    @Test("partition holding a kept row stays")
    func partitionWithKeptRowStays() throws {
        let (layout, counts) = sampleLayout()
        var changed = counts
        changed["dbo.f_trafegoc01_p202505"]?.rows += 1
        let plan = try PurgePlan.build(
            options: purgeOptions(), table: trafficTable, layout: layout, counts: changed,
            switchRestriction: nil)
        #expect(plan.removals.isEmpty)
    }

    @Test("unpartitioned table falls back to deletes")
    func unpartitionedFallsBack() throws {
        let counts = ["table": PartitionRowCounts(rows: 100, expiredRows: 40, noDateRows: 3)]
        let plan = try PurgePlan.build(
            options: purgeOptions(), table: trafficTable, layout: nil, counts: counts, switchRestriction: nil)
        #expect(plan.removals.isEmpty)
        #expect(plan.rowsToDeleteInBatches == 40)
        #expect(plan.fallbackReason == "dbo.f_trafegoc01 is not partitioned")
    }

    @Test("missing privilege falls back to deletes")
    func restrictionFallsBack() throws {
        let (layout, counts) = sampleLayout()
        let plan = try PurgePlan.build(
            options: purgeOptions(), table: trafficTable, layout: layout, counts: counts,
            switchRestriction: "the login talend_user does not own dbo.f_trafegoc01")
        #expect(plan.removals.isEmpty)
        #expect(plan.rowsToDeleteInBatches == 4005)
        #expect(plan.fallbackReason?.contains("talend_user") == true)
    }

    @Test("require switch rejects the fallback")
    func requireSwitchRejects() {
        let (layout, counts) = sampleLayout()
        var requiring = purgeOptions()
        requiring.requireSwitch = true
        #expect(throws: PurgeRefusal.self) {
            try PurgePlan.build(
                options: requiring, table: trafficTable, layout: layout, counts: counts,
                switchRestriction: "no ownership")
        }
    }

    @Test("partition mode needs a partitioned table")
    func partitionModeNeedsPartitions() {
        let counts = ["table": PartitionRowCounts(rows: 10, expiredRows: 5)]
        #expect(throws: PurgeRefusal.self) {
            try PurgePlan.build(
                options: purgeOptions(mode: .partition), table: trafficTable, layout: nil, counts: counts,
                switchRestriction: nil)
        }
    }

    @Test("partition key not on the date falls back")
    func otherKeyFallsBack() throws {
        let (layout, counts) = sampleLayout()
        var other = layout
        other.isKeyedOnDate = false
        let plan = try PurgePlan.build(
            options: purgeOptions(), table: trafficTable, layout: other, counts: counts,
            switchRestriction: nil)
        #expect(plan.removals.isEmpty)
        #expect(plan.fallbackReason?.contains("not on its date column") == true)
    }

    static let removability: [(PartitionInfo, Bool)] = [
        (monthlyPartition("2025-05", number: 1), true),
        (monthlyPartition("2025-06", number: 2), false),
        (defaultTrafficPartition, false),
        (PartitionInfo(id: "1", number: 1, lowerBound: nil,
            upperBound: LocalDate(iso: "2024-01-01")), false),
        (PartitionInfo(id: "9", number: 9, lowerBound: LocalDate(iso: "2025-09-01"),
            upperBound: nil), false),
        (PartitionInfo(id: "3", number: 3, lowerBound: LocalDate(iso: "2025-05-10"),
            upperBound: LocalDate(iso: "2025-06-10")), true),
    ]

    @Test("removable only when wholly before cutoff", arguments: removability)
    func removable(partition: PartitionInfo, expected: Bool) {
        let cutoff = LocalDate(iso: "2025-06-10")!
        #expect(PurgePlan.isRemovable(partition, cutoff: cutoff) == expected)
    }

    @Test("max delete limit names both numbers")
    func maxDeleteViolation() throws {
        let (layout, counts) = sampleLayout()
        let plan = try PurgePlan.build(
            options: purgeOptions(), table: trafficTable, layout: layout, counts: counts,
            switchRestriction: nil)
        let message = plan.safetyViolation(minRemaining: 0, maxDelete: 4000)
        #expect(message?.contains("--max-delete 4000") == true)
        #expect(message?.contains("4005") == true)
        #expect(plan.safetyViolation(minRemaining: 0, maxDelete: 4005) == nil)
    }

    @Test("min remaining limit names both numbers")
    func minRemainingViolation() throws {
        let (layout, counts) = sampleLayout()
        let plan = try PurgePlan.build(
            options: purgeOptions(), table: trafficTable, layout: layout, counts: counts,
            switchRestriction: nil)
        let message = plan.safetyViolation(minRemaining: 5251, maxDelete: 100_000)
        #expect(message?.contains("--min-remaining 5251") == true)
        #expect(message?.contains("5250") == true)
        #expect(plan.safetyViolation(minRemaining: 5250, maxDelete: 100_000) == nil)
    }

    @Test("empty table is never refused")
    func emptyTableNotRefused() throws {
        let plan = try PurgePlan.build(
            options: purgeOptions(), table: trafficTable, layout: nil, counts: [:], switchRestriction: nil)
        #expect(plan.isEmpty)
        #expect(plan.safetyViolation(minRemaining: 1000, maxDelete: 0) == nil)
        #expect(plan.fallbackReason == nil)
    }
}

@Suite("purge options")
struct PurgeOptionsTests {
    static let invalid: [(String, @Sendable (inout PurgeOptions) -> Void, String)] = [
        ("zero months", { $0.retentionMonths = 0 }, "--retention-months 0"),
        ("too many months", { $0.retentionMonths = 1201 }, "--retention-months 1201"),
        ("negative minimum", { $0.minRemaining = -1 }, "--min-remaining -1"),
        ("negative maximum", { $0.maxDelete = -5 }, "--max-delete -5"),
        ("zero batch", { $0.batchSize = 0 }, "--batch-size 0"),
        ("huge batch", { $0.batchSize = 1_000_001 }, "--batch-size 1000001"),
        ("negative pause", { $0.batchPause = -1 }, "--batch-pause -1"),
        ("zero lock timeout", { $0.lockTimeout = 0 }, "--lock-timeout 0"),
        ("cutoff before year 1", {
            $0.asOf = LocalDate(iso: "0001-06-01")!
            $0.retentionMonths = 12
        }, "before year 1"),
    ]

    @Test("invalid values name the option", arguments: invalid)
    func invalidOption(
        name: String, change: @Sendable (inout PurgeOptions) -> Void, expected: String
    ) {
        var options = PurgeOptions()
        change(&options)
        do {
            try options.validate()
            Issue.record("\(name) was accepted")
        } catch {
            #expect("\(error)".contains(expected), "\(name): \(error)")
        }
    }

    @Test("defaults are valid")
    func defaultsValid() throws {
        let options = PurgeOptions()
        try options.validate()
        #expect(options.retentionMonths == 3)
        #expect(options.minRemaining == 1_000)
        #expect(options.maxDelete == 100_000)
        #expect(options.batchSize == 10_000)
        #expect(options.batchPause == 1)
        #expect(options.table.description == "dbo.f_trafegoc01")
        #expect(options.dateColumn == "Dia")
    }
}

@Suite("retention catalog")
struct RetentionCatalogTests {
    static let postgresColumns = [
        TableColumn(name: "id", dataType: "bigint", isNullable: false, isIdentity: true),
        TableColumn(name: "dia", dataType: "character varying(50)"),
        TableColumn(name: "campo1", dataType: "character varying(100)"),
        TableColumn(
            name: "dia_date", dataType: "date",
            generationExpression: "dbo.etl016_dia_date((dia)::text)", isStored: true),
    ]

    @Test("Dia resolves to dia and dia_date")
    func resolvesCaseInsensitively() throws {
        let target = try RetentionTarget.resolve(
            table: trafficTable, columns: Self.postgresColumns, requested: "Dia")
        #expect(target.textColumn == "dia")
        #expect(target.dateColumn == "dia_date")
        #expect(target.keyColumn == "id")
    }

    @Test("date column can be named directly")
    func dateColumnDirectly() throws {
        let target = try RetentionTarget.resolve(
            table: trafficTable, columns: Self.postgresColumns, requested: "DIA_DATE")
        #expect(target.textColumn == nil)
        #expect(target.dateColumn == "dia_date")
    }

    @Test("unknown column is named in the error")
    func unknownColumn() {
        do {
            _ = try RetentionTarget.resolve(
                table: trafficTable, columns: Self.postgresColumns, requested: "Dia2")
            Issue.record("Dia2 resolved")
        } catch {
            #expect("\(error)".contains("column Dia2 not found in dbo.f_trafegoc01"))
        }
    }

    @Test("text column without derived date is rejected")
    func textWithoutDerivedDate() {
        #expect(throws: ConfigurationError.self) {
            try RetentionTarget.resolve(
                table: trafficTable, columns: Self.postgresColumns, requested: "campo1")
        }
    }

    @Test("SQL Server computed column is found")
    func sqlServerComputedColumn() throws {
        let columns = [
            TableColumn(name: "ID", dataType: "bigint", isNullable: false, isIdentity: true,
                isPrimaryKey: true),
            TableColumn(name: "Dia", dataType: "varchar(50)"),
            TableColumn(
                name: "DiaDate", dataType: "date", isPrimaryKey: true,
                generationExpression: "(case when ltrim(rtrim([Dia])) like ... end)",
                isStored: true),
        ]
        let target = try RetentionTarget.resolve(table: trafficTable, columns: columns, requested: "dia")
        #expect(target.textColumn == "Dia")
        #expect(target.dateColumn == "DiaDate")
        #expect(target.keyColumn == "ID")
    }

    @Test("word match ignores longer names")
    func mentionsWholeWord() {
        #expect(RetentionTarget.mentions("f(dia)", identifier: "dia"))
        #expect(RetentionTarget.mentions("[Dia]", identifier: "dia"))
        #expect(!RetentionTarget.mentions("f(dia_text)", identifier: "dia"))
        #expect(!RetentionTarget.mentions("f(media)", identifier: "dia"))
    }

    static let bounds: [(String, String?, String?, Bool)] = [
        ("DEFAULT", nil, nil, true),
        ("FOR VALUES FROM ('2025-06-01') TO ('2025-07-01')", "2025-06-01", "2025-07-01", false),
        ("FOR VALUES FROM (MINVALUE) TO ('2024-01-01')", nil, "2024-01-01", false),
        ("FOR VALUES FROM ('2025-12-01') TO (MAXVALUE)", "2025-12-01", nil, false),
        ("FOR VALUES FROM (1) TO (100)", nil, nil, false),
    ]

    @Test("PostgreSQL partition bounds parse", arguments: bounds)
    func partitionBound(text: String, lower: String?, upper: String?, isDefault: Bool) {
        let bound = PostgreSQLDialect.parsePartitionBound(text)
        #expect(bound.lower?.description == lower)
        #expect(bound.upper?.description == upper)
        #expect(bound.isDefault == isDefault)
    }

    @Test("monthly partition name")
    func monthlyName() {
        #expect(
            PostgreSQLDialect.monthlyPartitionName(trafficTable, LocalDate(iso: "2025-06-01")!)
                == "f_trafegoc01_p202506")
    }

    static let sqlServerTypes: [(String, Int, Int, Int, String)] = [
        ("varchar", 50, 0, 0, "varchar(50)"),
        ("nvarchar", 256, 0, 0, "nvarchar(128)"),
        ("nvarchar", -1, 0, 0, "nvarchar(max)"),
        ("decimal", 9, 18, 2, "decimal(18, 2)"),
        ("datetime2", 8, 27, 7, "datetime2(7)"),
        ("bigint", 8, 19, 0, "bigint"),
        ("date", 3, 10, 0, "date"),
    ]

    @Test("SQL Server type declarations", arguments: sqlServerTypes)
    func sqlServerType(type: String, length: Int, precision: Int, scale: Int, expected: String) {
        #expect(
            SQLServerDialect.typeDeclaration(
                type: type, maxLength: length, precision: precision, scale: scale) == expected)
    }

    @Test("LIKE escaping of table names")
    func likeEscaping() {
        #expect(SQLServerDialect.escapeLike("f_trafegoc01") == "f[_]trafegoc01")
        #expect(SQLServerDialect.escapeLike("a%b[c") == "a[%]b[[]c")
    }

    @Test("runway counts covered future months")
    func runway() {
        let partitions = ["2025-08", "2025-09", "2025-10", "2025-11", "2026-01"].enumerated().map {
            monthlyPartition($0.element, number: $0.offset + 1)
        } + [defaultTrafficPartition]
        let asOf = LocalDate(iso: "2025-09-10")!
        #expect(PartitionListing.runway(partitions, asOf: asOf) == 2)
        #expect(PartitionListing.runway([defaultTrafficPartition], asOf: asOf) == 0)
    }
}

@Suite("purge metrics file")
struct PurgeMetricsTests {
    @Test("success writes every metric")
    func successText() {
        let metrics = PurgeMetrics(
            table: "dbo.f_trafegoc01", recordsDeleted: 42, durationSeconds: 1.5, success: true,
            lastSuccessTimestamp: 1_757_484_000)
        let text = metrics.text
        #expect(text.contains("etl016_purge_records_deleted{table=\"dbo.f_trafegoc01\"} 42\n"))
        #expect(text.contains("etl016_purge_duration_seconds{table=\"dbo.f_trafegoc01\"} 1.500\n"))
        #expect(text.contains("etl016_purge_success{table=\"dbo.f_trafegoc01\"} 1\n"))
        #expect(text.contains(
            "etl016_purge_last_success_timestamp_seconds{table=\"dbo.f_trafegoc01\"} "
                + "1757484000.000\n"))
        #expect(text.contains("# TYPE etl016_purge_success gauge"))
    }

    @Test("failure keeps the last success time")
    func failureKeepsLastSuccess() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("etl016-metrics-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("purge.prom")
        try PurgeMetrics(
            table: "t", recordsDeleted: 5, durationSeconds: 1, success: true,
            lastSuccessTimestamp: 1000
        ).write(to: url)
        try PurgeMetrics(
            table: "t", recordsDeleted: 0, durationSeconds: 2, success: false,
            lastSuccessTimestamp: nil
        ).write(to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains("etl016_purge_success{table=\"t\"} 0"))
        #expect(PurgeMetrics.lastSuccessTimestamp(inFileAt: url) == 1000)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(leftovers == ["purge.prom"], "no temporary file stays behind")
    }
}

@Suite("purge safety rules")
struct SafetyPurgePlanTests {
    @Test("doubled quotes in table names unescape")
    func doubledQuotesUnescape() {
        let quoted = QualifiedName(parsing: "\"we\"\"ird\".\"a.b\"")
        #expect(quoted?.schema == "we\"ird")
        #expect(quoted?.name == "a.b")
        let bracketed = QualifiedName(parsing: "[dbo].[x]]y]")
        #expect(bracketed?.schema == "dbo")
        #expect(bracketed?.name == "x]y")
    }

    @Test("leftover marker parses only exact format")
    func leftoverMarkerFormat() {
        let id = "0badc0de-0000-0000-0000-000000000000"
        let marker = PostgreSQLDialect.leftoverMarker(executionId: id, parentOID: 16384, archive: true)
        let parsed = PostgreSQLDialect.parseLeftoverMarker(marker)
        #expect(parsed?.executionId == id)
        #expect(parsed?.parentOID == 16384)
        #expect(parsed?.archive == true)
        for text in [
            "etl016-db purge must not touch this: legal hold",
            "etl016-db purge \(id) detached for removal",
            marker + " extra",
            marker.replacingOccurrences(of: "16384", with: "+16384"),
            marker.replacingOccurrences(of: id, with: id.uppercased()),
        ] {
            #expect(PostgreSQLDialect.parseLeftoverMarker(text) == nil, "\(text)")
        }
    }

    @Test("leftover rows count in safety limits")
    func leftoverRowsInLimits() throws {
        var options = PurgeOptions()
        options.asOf = LocalDate(iso: "2025-09-10")!
        let leftover = PurgeLeftover(
            table: QualifiedName(schema: "dbo", name: "f_trafegoc01_p202503"),
            state: "detached, not dropped",
            counts: PartitionRowCounts(rows: 5, expiredRows: 5))
        let plan = try PurgePlan.build(
            options: options, table: QualifiedName(schema: "dbo", name: "f_trafegoc01"),
            layout: nil, counts: ["table": PartitionRowCounts(rows: 10, expiredRows: 3)],
            switchRestriction: nil, leftovers: [leftover])
        #expect(plan.rowsToRemove == 8)
        #expect(plan.rowsRemaining == 7)
        #expect(plan.safetyViolation(minRemaining: 0, maxDelete: 7)?.contains("8 rows") == true)
        #expect(plan.safetyViolation(minRemaining: 0, maxDelete: 8) == nil)
    }
}
