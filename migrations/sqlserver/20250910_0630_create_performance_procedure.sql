-- Health report for the traffic table: `EXEC dbo.sp_etl016_performance_analysis;`
-- CREATE OR ALTER needs SQL Server 2016 SP1 or later.

SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

-- Returns two result sets.
--
-- 1. One row of table statistics: total_rows, rows_with_date (DiaDate not NULL),
--    first_date, last_date and days_spanned (first to last date, both included; NULL
--    when no row has a date). Dates are counted in a second query filtered on DiaDate,
--    so MIN and MAX never see NULL and no "Null value is eliminated" warning is sent.
-- 2. One row per index partition of dbo.f_trafegoc01 whose logical fragmentation is over
--    10%, most fragmented first. sys.dm_db_index_physical_stats runs in LIMITED mode,
--    which reads only the pages above the leaf level and so is the cheapest scan.
--
-- The DMV requires VIEW DATABASE STATE or CONTROL on the table, which etl016_role does
-- not have, and ownership chaining does not extend to DMVs. EXECUTE AS OWNER runs the
-- body as the procedure's owner (dbo), so EXECUTE permission alone is enough.
CREATE OR ALTER PROCEDURE dbo.sp_etl016_performance_analysis
WITH EXECUTE AS OWNER
AS
BEGIN
    SET NOCOUNT ON;

    SELECT
        totals.total_rows,
        dated.rows_with_date,
        dated.first_date,
        dated.last_date,
        DATEDIFF(DAY, dated.first_date, dated.last_date) + 1 AS days_spanned
    FROM (
        SELECT COUNT_BIG(*) AS total_rows
        FROM dbo.f_trafegoc01
    ) AS totals
    CROSS JOIN (
        SELECT
            COUNT_BIG(*) AS rows_with_date,
            MIN(DiaDate) AS first_date,
            MAX(DiaDate) AS last_date
        FROM dbo.f_trafegoc01
        WHERE DiaDate IS NOT NULL
    ) AS dated;

    SELECT
        i.name AS index_name,
        stats.index_type_desc,
        stats.partition_number,
        stats.avg_fragmentation_in_percent,
        stats.fragment_count,
        stats.page_count
    FROM sys.dm_db_index_physical_stats(
        DB_ID(), OBJECT_ID(N'dbo.f_trafegoc01'), NULL, NULL, 'LIMITED'
    ) AS stats
    INNER JOIN sys.indexes AS i
        ON i.object_id = stats.object_id AND i.index_id = stats.index_id
    WHERE stats.index_id > 0
        AND stats.alloc_unit_type_desc = N'IN_ROW_DATA'
        AND stats.avg_fragmentation_in_percent > 10
    ORDER BY stats.avg_fragmentation_in_percent DESC, i.name, stats.partition_number;
END;
GO
