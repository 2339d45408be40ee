import ETL016Core
import Testing

/// A script and the statement names that must be reported for it, in order.
struct RestrictionCase: Sendable, CustomTestStringConvertible {
    var script: String
    var statements: [String]

    var testDescription: String { script }

    init(_ script: String, _ statements: [String]) {
        self.script = script
        self.statements = statements
    }
}

private let sqlServerCases: [RestrictionCase] = [
    RestrictionCase("ALTER DATABASE CURRENT SET RECOVERY SIMPLE;", ["ALTER DATABASE"]),
    RestrictionCase("alter database [etl016] set single_user", ["ALTER DATABASE"]),
    RestrictionCase("CREATE DATABASE etl016_archive;", ["CREATE DATABASE"]),
    RestrictionCase("DROP DATABASE IF EXISTS etl016_archive;", ["DROP DATABASE"]),
    RestrictionCase("BACKUP DATABASE etl016 TO DISK = N'/backup/etl016.bak';", ["BACKUP DATABASE"]),
    RestrictionCase("BACKUP LOG etl016 TO DISK = N'/backup/etl016.trn';", ["BACKUP LOG"]),
    RestrictionCase("RESTORE DATABASE etl016 FROM DISK = N'/backup/etl016.bak';",
                    ["RESTORE DATABASE"]),
    RestrictionCase("RESTORE LOG etl016 FROM DISK = N'/backup/etl016.trn';", ["RESTORE LOG"]),
    RestrictionCase("EXEC sp_configure 'show advanced options', 1;\nRECONFIGURE;", ["RECONFIGURE"]),
    RestrictionCase("CREATE FULLTEXT CATALOG ftc AS DEFAULT;", ["CREATE FULLTEXT CATALOG"]),
    RestrictionCase("ALTER FULLTEXT CATALOG ftc REBUILD;", ["ALTER FULLTEXT CATALOG"]),
    RestrictionCase("DROP FULLTEXT CATALOG ftc;", ["DROP FULLTEXT CATALOG"]),
    RestrictionCase("CREATE FULLTEXT INDEX ON dbo.error_logs (error_message) KEY INDEX pk;",
                    ["CREATE FULLTEXT INDEX"]),
    RestrictionCase("ALTER FULLTEXT INDEX ON dbo.error_logs ENABLE;", ["ALTER FULLTEXT INDEX"]),
    RestrictionCase("DROP FULLTEXT INDEX ON dbo.error_logs;", ["DROP FULLTEXT INDEX"]),
    RestrictionCase("EXEC sys.sp_fulltext_database 'enable';",
                    ["EXECUTE sp_fulltext_database"]),
    RestrictionCase("CREATE TABLE dbo.a (id int);\nALTER DATABASE CURRENT SET ANSI_NULLS ON;\n"
                        + "BACKUP LOG etl016 TO DISK = 'x';",
                    ["ALTER DATABASE", "BACKUP LOG"]),
    RestrictionCase("CREATE TABLE dbo.backup_log (id int);", []),
    RestrictionCase("UPDATE STATISTICS dbo.f_trafegoc01;", []),
    RestrictionCase("ALTER DATABASE SCOPED CONFIGURATION SET MAXDOP = 4;", []),
    RestrictionCase("CREATE DATABASE SCOPED CREDENTIAL c WITH IDENTITY = 'x';", []),
    RestrictionCase("CREATE DATABASE AUDIT SPECIFICATION a FOR SERVER AUDIT s;", []),
    RestrictionCase("CREATE DATABASE ENCRYPTION KEY WITH ALGORITHM = AES_256 "
                        + "ENCRYPTION BY SERVER CERTIFICATE c;", []),
    RestrictionCase("-- ALTER DATABASE CURRENT SET RECOVERY SIMPLE\nSELECT 1;", []),
    RestrictionCase("/* BACKUP DATABASE x /* RECONFIGURE */ */ SELECT 1;", []),
    RestrictionCase("SELECT 'ALTER DATABASE x' AS [BACKUP DATABASE], \"RECONFIGURE\";", []),
    RestrictionCase("CREATE PROCEDURE dbo.backup_all AS\nBACKUP DATABASE etl016 TO DISK = 'x';",
                    []),
    RestrictionCase("CREATE OR ALTER PROC dbo.p AS RECONFIGURE;", []),
    RestrictionCase("ALTER TRIGGER dbo.t ON DATABASE FOR CREATE_TABLE AS RECONFIGURE;", []),
    RestrictionCase("", []),
]

private let postgreSQLCases: [RestrictionCase] = [
    RestrictionCase("CREATE INDEX CONCURRENTLY ix_dia ON dbo.f_trafegoc01 (dia);",
                    ["CREATE INDEX CONCURRENTLY"]),
    RestrictionCase("create unique index concurrently if not exists ux ON t (a);",
                    ["CREATE INDEX CONCURRENTLY"]),
    RestrictionCase("CREATE INDEX ix_dia ON dbo.f_trafegoc01 (dia);", []),
    RestrictionCase("DROP INDEX CONCURRENTLY IF EXISTS dbo.ix_dia;", ["DROP INDEX CONCURRENTLY"]),
    RestrictionCase("DROP INDEX dbo.ix_dia;", []),
    RestrictionCase("REINDEX INDEX CONCURRENTLY dbo.ix_dia;", ["REINDEX CONCURRENTLY"]),
    RestrictionCase("REINDEX (VERBOSE) TABLE CONCURRENTLY dbo.t;", ["REINDEX CONCURRENTLY"]),
    RestrictionCase("REINDEX (CONCURRENTLY) TABLE dbo.t;", ["REINDEX CONCURRENTLY"]),
    RestrictionCase("REINDEX TABLE dbo.t;", []),
    RestrictionCase("REINDEX DATABASE etl016;", ["REINDEX DATABASE"]),
    RestrictionCase("REINDEX SCHEMA dbo;", ["REINDEX SCHEMA"]),
    RestrictionCase("REINDEX SYSTEM;", ["REINDEX SYSTEM"]),
    RestrictionCase("VACUUM;", ["VACUUM"]),
    RestrictionCase("VACUUM (ANALYZE, VERBOSE) dbo.f_trafegoc01;", ["VACUUM"]),
    RestrictionCase("ANALYZE dbo.f_trafegoc01;", []),
    RestrictionCase("CLUSTER;", ["CLUSTER without a table name"]),
    RestrictionCase("CLUSTER VERBOSE;", ["CLUSTER without a table name"]),
    RestrictionCase("CLUSTER (VERBOSE);", ["CLUSTER without a table name"]),
    RestrictionCase("CLUSTER dbo.f_trafegoc01 USING ix_dia;", []),
    RestrictionCase("CLUSTER \"Traffic\";", []),
    RestrictionCase("CREATE DATABASE etl016_archive;", ["CREATE DATABASE"]),
    RestrictionCase("DROP DATABASE IF EXISTS etl016_archive;", ["DROP DATABASE"]),
    RestrictionCase("ALTER DATABASE etl016 SET TABLESPACE fast;",
                    ["ALTER DATABASE SET TABLESPACE"]),
    RestrictionCase("ALTER DATABASE etl016 SET default_tablespace = fast;", []),
    RestrictionCase("CREATE TABLESPACE fast LOCATION '/data/fast';", ["CREATE TABLESPACE"]),
    RestrictionCase("DROP TABLESPACE fast;", ["DROP TABLESPACE"]),
    RestrictionCase("ALTER TABLESPACE fast RENAME TO quick;", []),
    RestrictionCase("ALTER SYSTEM SET work_mem = '64MB';", ["ALTER SYSTEM"]),
    RestrictionCase("ALTER TABLE dbo.f_trafegoc01 DETACH PARTITION dbo.p2025_01 CONCURRENTLY;",
                    ["ALTER TABLE DETACH PARTITION CONCURRENTLY"]),
    RestrictionCase("ALTER TABLE dbo.f_trafegoc01 DETACH PARTITION dbo.p2025_01;", []),
    RestrictionCase("DISCARD ALL;", ["DISCARD ALL"]),
    RestrictionCase("DISCARD PLANS;", []),
    RestrictionCase("COMMIT PREPARED 'tx1';", ["COMMIT PREPARED"]),
    RestrictionCase("ROLLBACK PREPARED 'tx1';", ["ROLLBACK PREPARED"]),
    RestrictionCase("COMMIT;", []),
    RestrictionCase("CREATE SUBSCRIPTION s CONNECTION 'host=a' PUBLICATION p;",
                    ["CREATE SUBSCRIPTION"]),
    RestrictionCase("CREATE SUBSCRIPTION s CONNECTION 'host=a' PUBLICATION p "
                        + "WITH (create_slot = false, slot_name = s);", []),
    RestrictionCase("CREATE SUBSCRIPTION s CONNECTION 'host=a' PUBLICATION p WITH (connect = off);",
                    []),
    RestrictionCase("DROP SUBSCRIPTION s;", ["DROP SUBSCRIPTION"]),
    RestrictionCase("ALTER SUBSCRIPTION s REFRESH PUBLICATION;",
                    ["ALTER SUBSCRIPTION REFRESH PUBLICATION"]),
    RestrictionCase("ALTER SUBSCRIPTION s SET PUBLICATION p;",
                    ["ALTER SUBSCRIPTION PUBLICATION WITH REFRESH"]),
    RestrictionCase("ALTER SUBSCRIPTION s ADD PUBLICATION p WITH (refresh = 0);", []),
    RestrictionCase("ALTER SUBSCRIPTION s DISABLE;", []),
    RestrictionCase("-- VACUUM;\nSELECT 'VACUUM', \"vacuum\";", []),
    RestrictionCase("DO $$ BEGIN EXECUTE 'VACUUM'; END $$;", []),
    RestrictionCase("CREATE TABLE t (id int); VACUUM t; DROP INDEX CONCURRENTLY i;",
                    ["VACUUM", "DROP INDEX CONCURRENTLY"]),
]

/// A script and whether it declares the no-transaction header.
struct HeaderCase: Sendable, CustomTestStringConvertible {
    var script: String
    var declares: Bool

    var testDescription: String { script.debugDescription }

    init(_ script: String, _ declares: Bool) {
        self.script = script
        self.declares = declares
    }
}

private let headerCases: [HeaderCase] = [
    HeaderCase("-- etl016:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);", true),
    HeaderCase("  --   ETL016:No-Transaction  \nVACUUM;", true),
    HeaderCase("--etl016:no-transaction\n", true),
    HeaderCase("-- Adds the archive database.\n\n-- etl016:no-transaction\nCREATE DATABASE a;",
               true),
    HeaderCase("/* Release notes\n   for this script. */\n-- etl016:no-transaction\nVACUUM;", true),
    HeaderCase("\u{FEFF}-- etl016:no-transaction\r\nVACUUM;\r\n", true),
    HeaderCase("\t-- etl016:no-transaction\t\r\n", true),
    HeaderCase("SELECT 1;\n-- etl016:no-transaction\n", false),
    HeaderCase("GO\n-- etl016:no-transaction\n", false),
    HeaderCase("-- etl016:no-transaction please\n", false),
    HeaderCase("-- etl016:no-transactions\n", false),
    HeaderCase("/* -- etl016:no-transaction */\nVACUUM;", false),
    HeaderCase("SELECT '-- etl016:no-transaction';", false),
    HeaderCase("-- etl016 : no-transaction\n", false),
    HeaderCase("", false),
]

@Suite("TransactionRestrictions")
struct TransactionRestrictionsTests {
    @Test("finds sql server statements", arguments: sqlServerCases)
    func findsSQLServerStatements(_ testCase: RestrictionCase) throws {
        let batches = try TSQLBatchSplitter.split(testCase.script)
        let found = TransactionRestrictions.sqlServerStatements(in: batches)

        #expect(found.map(\.statement) == testCase.statements)
    }

    @Test("finds postgresql statements", arguments: postgreSQLCases)
    func findsPostgreSQLStatements(_ testCase: RestrictionCase) throws {
        let batches = try PostgreSQLStatementSplitter.split(testCase.script)
        let found = TransactionRestrictions.postgreSQLStatements(in: batches)

        #expect(found.map(\.statement) == testCase.statements)
    }

    @Test("reads no-transaction header", arguments: headerCases)
    func readsHeader(_ testCase: HeaderCase) {
        #expect(TransactionRestrictions.declaresNoTransaction(testCase.script) == testCase.declares)
    }

    @Test("reports sql server script lines")
    func reportsSQLServerLines() throws {
        let script = """
            CREATE TABLE dbo.a (id int);
            GO

            SELECT 1;
            /* comment
               spanning lines */
              ALTER DATABASE CURRENT
                SET RECOVERY SIMPLE;
            GO
            RECONFIGURE;
            """
        let batches = try TSQLBatchSplitter.split(script)
        let found = TransactionRestrictions.sqlServerStatements(in: batches)

        #expect(found == [
            NonTransactionalStatement(line: 7, statement: "ALTER DATABASE"),
            NonTransactionalStatement(line: 10, statement: "RECONFIGURE"),
        ])
    }

    @Test("reports postgresql script lines")
    func reportsPostgreSQLLines() throws {
        let script =
            "CREATE TABLE t (id int);\n\n-- index it\nCREATE INDEX\n  CONCURRENTLY i ON t (id);"
        let batches = try PostgreSQLStatementSplitter.split(script)
        let found = TransactionRestrictions.postgreSQLStatements(in: batches)

        #expect(found == [
            NonTransactionalStatement(line: 4, statement: "CREATE INDEX CONCURRENTLY")
        ])
    }

    @Test("header constant matches detection")
    func headerConstant() {
        let script = TransactionRestrictions.noTransactionHeader + "\nVACUUM;"

        #expect(TransactionRestrictions.declaresNoTransaction(script))
    }
}

@Suite("PostgreSQL transaction control")
struct PostgreSQLTransactionControlTests {
    @Test(
        "finds statements that end the transaction",
        arguments: [
            ("COMMIT;", "COMMIT"), ("commit work;", "COMMIT"), ("ROLLBACK;", "ROLLBACK"),
            ("BEGIN;", "BEGIN"), ("START TRANSACTION;", "START"), ("END;", "END"),
            ("ABORT;", "ABORT"), ("PREPARE TRANSACTION 'x';", "PREPARE TRANSACTION"),
        ])
    func findsTransactionControl(script: String, statement: String) throws {
        let found = TransactionRestrictions.postgreSQLTransactionControl(
            in: try PostgreSQLStatementSplitter.split(script))
        #expect(found.map(\.statement) == [statement])
    }

    @Test(
        "ignores savepoints, bodies and text",
        arguments: [
            "ROLLBACK TO SAVEPOINT s;",
            "SAVEPOINT s;",
            "DO $$ BEGIN PERFORM 1; END $$;",
            "SELECT 'COMMIT';",
            "-- COMMIT\nSELECT 1;",
            "COMMIT PREPARED 'x';",
        ])
    func ignoresOtherStatements(script: String) throws {
        let found = TransactionRestrictions.postgreSQLTransactionControl(
            in: try PostgreSQLStatementSplitter.split(script))
        #expect(found.isEmpty)
    }
}
