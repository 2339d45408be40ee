@testable import ETL016Core
import Foundation
import Testing

@Suite("retention T-SQL parses with sqlfluff")
struct RetentionTSQLParseTests {
    static let dialect = SQLServerDialect()
    static let table = "[dbo].[f_trafegoc01]"

    /// The columns and indexes of the migrated SQL Server table, as the catalog lists them.
    static let columns = [
        TableColumn(name: "ID", dataType: "bigint", isNullable: false, isIdentity: true,
            isPrimaryKey: true),
        TableColumn(name: "Dia", dataType: "varchar(50)", collation: "SQL_Latin1_General_CP1_CI_AS"),
        TableColumn(name: "Campo1", dataType: "varchar(100)", collation: "SQL_Latin1_General_CP1_CI_AS"),
        TableColumn(name: "Campo3", dataType: "decimal(18, 2)"),
        TableColumn(name: "DataCriacao", dataType: "datetime2(7)", isNullable: false),
        TableColumn(
            name: "DiaDate", dataType: "date", isNullable: false, isPrimaryKey: true,
            generationExpression: "(case when ltrim(rtrim([Dia])) like '[0-9]/[0-9]/[0-9][0-9][0-9][0-9]' "
                + "then TRY_CONVERT([date],ltrim(rtrim([Dia])),(103)) end)",
            isStored: true),
    ]

    static let indexes = [
        IndexDefinition(
            id: 1, name: "PK_f_trafegoc01", isClustered: true, isUnique: true, isPrimaryKey: true,
            filter: nil, keyColumns: [("ID", false), ("DiaDate", false)]),
        IndexDefinition(
            id: 2, name: "IX_f_trafegoc01_Dia", isClustered: false, isUnique: false,
            isPrimaryKey: false, filter: "([Dia] IS NOT NULL)", keyColumns: [("Dia", false)]),
        IndexDefinition(
            id: 3, name: "IX_f_trafegoc01_DataCriacao", isClustered: false, isUnique: false,
            isPrimaryKey: false, filter: nil, keyColumns: [("DataCriacao", true)]),
        IndexDefinition(
            id: 4, name: "IX_f_trafegoc01_Dia_DataCriacao", isClustered: false, isUnique: false,
            isPrimaryKey: false, filter: nil,
            keyColumns: [("Dia", false), ("DataCriacao", false)], includedColumns: ["ID"]),
    ]

    /// Returns every statement the purge, partitions and stats code can send to SQL Server,
    /// built with sample names.
    static func statements() -> [String: String] {
        let quote = dialect.quoteIdentifier
        var statements: [String: String] = [
            "find table": SQLServerRetentionSQL.findTable,
            "table columns": SQLServerRetentionSQL.tableColumns,
            "partition layout": SQLServerRetentionSQL.partitionLayout,
            "count rows per partition": SQLServerRetentionSQL.countRows(
                table: table, date: "[DiaDate]", text: "[Dia]",
                partitionFunction: "[pf_etl016_monthly]", key: "[DiaDate]"),
            "count rows of a table": SQLServerRetentionSQL.countRows(
                table: table, date: "[DiaDate]", text: "[Dia]", partitionFunction: nil, key: nil),
            "table size": SQLServerRetentionSQL.tableSize,
            "permissions": SQLServerRetentionSQL.permissions,
            "unaligned indexes": SQLServerRetentionSQL.unalignedIndexes,
            "leftover tables": SQLServerRetentionSQL.leftoverTables,
            "leftover start row": SQLServerRetentionSQL.startRowExists,
            "count one partition": SQLServerRetentionSQL.countPartition(
                table: table, date: "[DiaDate]", text: "[Dia]", function: "[pf_etl016_monthly]",
                key: "[DiaDate]"),
            "staged row count": SQLServerRetentionSQL.stagedRowCount,
            "rows on function partition": SQLServerRetentionSQL.rowsOnFunctionPartition,
            "function is range right": SQLServerRetentionSQL.functionIsRangeRight,
            "index columns": SQLServerRetentionSQL.indexColumns,
            "create archive schema": SQLServerRetentionSQL.createArchiveSchema,
            "delete batch": SQLServerRetentionSQL.deleteBatch(
                table: table, key: "[ID]", date: "[DiaDate]"),
            "delete key range": SQLServerRetentionSQL.deleteKeyRange(
                table: table, key: "[ID]", date: "[DiaDate]"),
            "merge range": SQLServerRetentionSQL.mergeRange(function: "[pf_etl016_monthly]"),
            "split range": SQLServerRetentionSQL.splitRange(
                scheme: "[ps_etl016_monthly]", function: "[pf_etl016_monthly]",
                filegroup: "[PRIMARY]"),
            "partition row count": SQLServerRetentionSQL.partitionRowCount(
                table: table, function: "[pf_etl016_monthly]", key: "[DiaDate]"),
            "switch at low priority": SQLServerDialect.switchStatement(
                table: table, partition: 5, staging: "[dbo].[f_trafegoc01_purge_245575913_0badc0de000000000000000000000000_p5]",
                lockTimeoutSeconds: 30),
            "drop staging": "DROP TABLE [dbo].[f_trafegoc01_purge_245575913_0badc0de000000000000000000000000_p5];",
            "lock timeout": "SET LOCK_TIMEOUT 30000;",
            "audit row": RetentionAuditSQL.standard.insertAuditRow,
            "modification log": RetentionAuditSQL.standard.insertModificationLog,
            "error log": RetentionAuditSQL.standard.insertErrorLog,
        ]
        let staging = SQLServerDialect.stagingTableDDL(
            staging: QualifiedName(schema: "dbo", name: "f_trafegoc01_purge_1a2b3c4d_p5"),
            columns: columns, indexes: indexes, filegroup: "PRIMARY", quote: quote)
        for (index, statement) in staging.enumerated() {
            statements["staging DDL \(index + 1)"] = statement
        }
        return statements
    }

    @Test("every retention statement parses")
    func retentionStatements() throws {
        let failures = try SQLFluff.unparsable(
            Self.statements().mapValues(TSQLParseTests.replacingMarkers))
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("staging table copies columns and indexes")
    func stagingTableShape() {
        let statements = SQLServerDialect.stagingTableDDL(
            staging: QualifiedName(schema: "dbo", name: "f_trafegoc01_purge_1a2b3c4d_p5"),
            columns: Self.columns, indexes: Self.indexes, filegroup: "FG_2024",
            quote: Self.dialect.quoteIdentifier)
        #expect(statements.count == 4)
        #expect(statements[0].contains("[DiaDate] AS (case when"))
        #expect(statements[0].contains("PERSISTED NOT NULL"))
        #expect(statements[0].contains("[ID] bigint NOT NULL"))
        #expect(!statements[0].contains("IDENTITY"))
        #expect(statements[0].contains(
            "CONSTRAINT [PK_f_trafegoc01_purge_1a2b3c4d_p5] PRIMARY KEY CLUSTERED ([ID] ASC, [DiaDate] ASC)"))
        #expect(statements[0].hasSuffix("ON [FG_2024];"))
        #expect(statements[1].contains("WHERE ([Dia] IS NOT NULL) ON [FG_2024];"))
        #expect(statements[2].contains("([DataCriacao] DESC)"))
        #expect(statements[3].contains("INCLUDE ([ID])"))
    }

    @Test("low priority wait rounds up to minutes")
    func switchMinutes() {
        let statement = SQLServerDialect.switchStatement(
            table: Self.table, partition: 2, staging: "[dbo].[s]", lockTimeoutSeconds: 61)
        #expect(statement.contains("MAX_DURATION = 2 MINUTES"))
        #expect(statement.contains("ABORT_AFTER_WAIT = SELF"))
    }
}
