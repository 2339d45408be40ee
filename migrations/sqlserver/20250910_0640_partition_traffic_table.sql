-- Monthly partitioning of dbo.f_trafegoc01 over the persisted DiaDate column.
--
-- Creates the partition function pf_etl016_monthly (date) AS RANGE RIGHT, one boundary
-- per month, and the scheme ps_etl016_monthly, then moves the table and its indexes onto
-- the scheme. Nothing changes when the table is already partitioned, so the file can run
-- again safely. No row is deleted, because the clustered index is rebuilt with every row.
--
-- Partition layout under RANGE RIGHT: partition k + 1 contains the dates from boundary k up
-- to, not including, boundary k + 1. Partition 1 contains everything below the first
-- boundary, and that includes every NULL DiaDate, because NULL sorts lowest. Rows whose
-- Dia is NULL or invalid therefore sit in partition 1, which the purge never switches
-- out. Later rows dated before the first boundary also land there, and the purge can
-- only remove those by row deletes.
--
-- Cost: the table is rewritten twice (as a heap, then into the partitioned clustered
-- index) and its indexes are rebuilt, all in one transaction under a schema
-- modification lock, so the log needs room for a copy of the table. Run it in a maintenance
-- window.

SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

DECLARE @table_id int = OBJECT_ID(N'dbo.f_trafegoc01', N'U');
DECLARE @message nvarchar(2048);

-- Checks that change nothing.

IF @table_id IS NULL
    THROW 50001, N'dbo.f_trafegoc01 does not exist. Apply migration 20250910_0610 first.', 1;

IF EXISTS (
    SELECT 1
    FROM sys.indexes AS i
    INNER JOIN sys.partition_schemes AS ps ON ps.data_space_id = i.data_space_id
    WHERE i.object_id = @table_id AND i.index_id IN (0, 1)
)
BEGIN
    PRINT N'dbo.f_trafegoc01 is already partitioned, so nothing was changed.';
    RETURN;
END;

IF NOT EXISTS (
    SELECT 1 FROM sys.computed_columns
    WHERE object_id = @table_id AND name = N'DiaDate' AND is_persisted = 1
)
    THROW 50002,
        N'dbo.f_trafegoc01 has no persisted DiaDate column. Apply migration 20250910_0610 first.',
        1;

IF EXISTS (SELECT 1 FROM sys.foreign_keys WHERE referenced_object_id = @table_id)
BEGIN
    SET @message = CONCAT(
        N'Foreign keys reference dbo.f_trafegoc01, and its primary key must be dropped to',
        N' partition it. Drop those foreign keys first. Nothing was changed.'
    );
    THROW 50003, @message, 1;
END;

IF EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE object_id = @table_id AND index_id = 1 AND is_primary_key = 0
)
BEGIN
    SELECT @message = CONCAT(
        N'The clustered index ', name,
        N' on dbo.f_trafegoc01 is not its primary key, and this migration only replaces a',
        N' clustered primary key. Drop or rebuild that index as nonclustered first.',
        N' Nothing was changed.'
    )
    FROM sys.indexes
    WHERE object_id = @table_id AND index_id = 1;
    THROW 50004, @message, 1;
END;

-- Boundaries.

-- One boundary per month, from the month of the oldest valid date through 3 months after
-- the month of the newest, so that the next inserts already have their partitions. An
-- empty table gets the current month and the 3 after it.
DECLARE @today date = CAST(SYSDATETIME() AS date);
DECLARE @oldest_date date;
DECLARE @newest_date date;
SELECT @oldest_date = MIN(DiaDate), @newest_date = MAX(DiaDate)
FROM dbo.f_trafegoc01
WHERE DiaDate IS NOT NULL;

DECLARE @first_boundary date = DATEFROMPARTS(
    YEAR(COALESCE(@oldest_date, @today)), MONTH(COALESCE(@oldest_date, @today)), 1
);
DECLARE @newest_month date = DATEFROMPARTS(
    YEAR(COALESCE(@newest_date, @today)), MONTH(COALESCE(@newest_date, @today)), 1
);
-- DATEADD past December 9999 overflows, so the last boundary stops there.
DECLARE @last_boundary date = CASE
    WHEN @newest_month >= '99990901' THEN '99991201'
    ELSE DATEADD(MONTH, 3, @newest_month)
END;
DECLARE @boundary_count int = DATEDIFF(MONTH, @first_boundary, @last_boundary) + 1;

-- A partition function has at most 15,000 partitions, that is 14,999 boundaries. A
-- mistyped year such as 9/6/0205 is a valid date that would stretch the range that far.
IF @boundary_count > 14999
BEGIN
    SET @message = CONCAT(
        N'The valid dates of dbo.f_trafegoc01 run from ', CONVERT(nchar(10), @oldest_date, 23),
        N' to ', CONVERT(nchar(10), @newest_date, 23), N', which needs ', @boundary_count,
        N' monthly boundaries, more than the 14999 a partition function allows. Correct or',
        N' set to NULL the Dia values with those years, then apply this migration again.',
        N' Nothing was changed.'
    );
    THROW 50005, @message, 1;
END;

-- The boundary values are dates this batch computed, written as yyyymmdd (style 112),
-- which SQL Server reads the same way under every language and DATEFORMAT setting.
DECLARE @boundary_list nvarchar(max) = N'';
DECLARE @boundary_index int = 0;
WHILE @boundary_index < @boundary_count
BEGIN
    SET @boundary_list = @boundary_list
        + CASE WHEN @boundary_index = 0 THEN N'' ELSE N', ' END
        + N'''' + CONVERT(nchar(8), DATEADD(MONTH, @boundary_index, @first_boundary), 112)
        + N'''';
    SET @boundary_index = @boundary_index + 1;
END;

-- Conversion.

-- XACT_ABORT makes any error below roll back the whole conversion. The batch opens its
-- own transaction unless the caller already opened one, and it restores the caller's
-- XACT_ABORT setting at the end.
DECLARE @xact_abort_was_on bit = CASE WHEN @@OPTIONS & 16384 = 16384 THEN 1 ELSE 0 END;
DECLARE @own_transaction bit = CASE WHEN @@TRANCOUNT = 0 THEN 1 ELSE 0 END;
DECLARE @sql nvarchar(max);
SET XACT_ABORT ON;
IF @own_transaction = 1
    BEGIN TRANSACTION;

-- NOTE: a function or scheme left by an earlier, interrupted run is reused as it is,
-- with its own boundaries.
IF NOT EXISTS (SELECT 1 FROM sys.partition_functions WHERE name = N'pf_etl016_monthly')
BEGIN
    SET @sql = N'CREATE PARTITION FUNCTION pf_etl016_monthly (date) AS RANGE RIGHT FOR VALUES ('
        + @boundary_list + N');';
    EXEC sys.sp_executesql @sql;
END;

-- Every partition goes to PRIMARY. To use another filegroup, replace [PRIMARY] with its
-- name. ALL TO marks that filegroup NEXT USED, so the monthly SPLIT of later boundaries
-- keeps using it. To spread partitions over several filegroups, list one filegroup per
-- partition instead of ALL, and set NEXT USED before each SPLIT. A SWITCH target must be
-- on the filegroup of the partition it receives.
IF NOT EXISTS (SELECT 1 FROM sys.partition_schemes WHERE name = N'ps_etl016_monthly')
    EXEC sys.sp_executesql N'
CREATE PARTITION SCHEME ps_etl016_monthly
    AS PARTITION pf_etl016_monthly ALL TO ([PRIMARY]);';

-- The nonclustered indexes are dropped before the clustered primary key, so that they
-- are built once, on the scheme, instead of being rebuilt for the intermediate heap.
DROP INDEX IF EXISTS IX_f_trafegoc01_Dia ON dbo.f_trafegoc01;
DROP INDEX IF EXISTS IX_f_trafegoc01_DataCriacao ON dbo.f_trafegoc01;
DROP INDEX IF EXISTS IX_f_trafegoc01_Dia_DataCriacao ON dbo.f_trafegoc01;
DROP INDEX IF EXISTS IX_f_trafegoc01_DiaDate ON dbo.f_trafegoc01;

SELECT @sql = N'ALTER TABLE dbo.f_trafegoc01 DROP CONSTRAINT ' + QUOTENAME(name) + N';'
FROM sys.key_constraints
WHERE parent_object_id = @table_id AND type = 'PK';
IF @@ROWCOUNT = 1
    EXEC sys.sp_executesql @sql;

-- The aligned key (ID, DiaDate) is a UNIQUE clustered constraint and not a PRIMARY KEY,
-- because every column of a PRIMARY KEY must be NOT NULL and DiaDate is NULL for every
-- row with a NULL or invalid Dia. A UNIQUE constraint accepts the NULLs, and the pair
-- stays unique because ID is.
-- NOTE: nothing enforces ID alone as unique any more, because a unique index without
-- DiaDate would not be aligned and would block SWITCH. Uniqueness of ID now rests on
-- the IDENTITY property: an insert with IDENTITY_INSERT ON can add a duplicate ID.
EXEC sys.sp_executesql N'
ALTER TABLE dbo.f_trafegoc01
    ADD CONSTRAINT UQ_f_trafegoc01_ID_DiaDate UNIQUE CLUSTERED (ID, DiaDate)
    ON ps_etl016_monthly (DiaDate);';

-- SWITCH requires every index of the table to be aligned, that is, partitioned by the
-- same function on the same column. SQL Server adds DiaDate to each of these nonunique
-- nonclustered indexes as an included column when it is created on the scheme.
-- NOTE: a filtered index on a table partitioned by a computed column has not been tried
-- on a server. SQL Server forbids computed columns in a filter predicate, and this
-- filter names only Dia.
EXEC sys.sp_executesql N'
CREATE NONCLUSTERED INDEX IX_f_trafegoc01_Dia
    ON dbo.f_trafegoc01 (Dia)
    WHERE Dia IS NOT NULL
    ON ps_etl016_monthly (DiaDate);';
EXEC sys.sp_executesql N'
CREATE NONCLUSTERED INDEX IX_f_trafegoc01_DataCriacao
    ON dbo.f_trafegoc01 (DataCriacao DESC)
    ON ps_etl016_monthly (DiaDate);';
EXEC sys.sp_executesql N'
CREATE NONCLUSTERED INDEX IX_f_trafegoc01_Dia_DataCriacao
    ON dbo.f_trafegoc01 (Dia, DataCriacao)
    INCLUDE (ID)
    ON ps_etl016_monthly (DiaDate);';
EXEC sys.sp_executesql N'
CREATE NONCLUSTERED INDEX IX_f_trafegoc01_DiaDate
    ON dbo.f_trafegoc01 (DiaDate)
    ON ps_etl016_monthly (DiaDate);';

IF @own_transaction = 1
    COMMIT TRANSACTION;
IF @xact_abort_was_on = 0
    SET XACT_ABORT OFF;

-- Any other index that production added stays where it was. It is reported here and not
-- rebuilt, because aligning it may change its meaning, as a unique index would need
-- DiaDate in its key.
DECLARE @unaligned_index sysname = N'';
WHILE @unaligned_index IS NOT NULL
BEGIN
    SELECT @unaligned_index = MIN(i.name)
    FROM sys.indexes AS i
    LEFT JOIN sys.partition_schemes AS ps ON ps.data_space_id = i.data_space_id
    WHERE i.object_id = @table_id
        AND i.index_id > 1
        AND ps.data_space_id IS NULL
        AND i.name > @unaligned_index;
    IF @unaligned_index IS NOT NULL
    BEGIN
        SET @message = CONCAT(
            N'Index ', @unaligned_index, N' on dbo.f_trafegoc01 is not partitioned, so SWITCH',
            N' PARTITION fails until it is rebuilt ON ps_etl016_monthly (DiaDate) or dropped.'
        );
        RAISERROR (N'%s', 10, 1, @message) WITH NOWAIT;
    END;
END;
GO
