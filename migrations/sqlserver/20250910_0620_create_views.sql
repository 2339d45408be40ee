-- Reporting views over the traffic table and the error log.
-- CREATE OR ALTER needs SQL Server 2016 SP1 or later.

SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

-- Rows per calendar month of the parsed Dia, to see what a retention cutoff would keep.
--
-- One row per year and month of DiaDate, with row_count, first_date and last_date.
-- The rows without a valid date form one more row whose year and month are NULL: its
-- row_count is their total, split into rows_without_dia (Dia is NULL) and
-- rows_with_invalid_dia (Dia is present but is not a valid d/m/yyyy day). That row is
-- absent when every row has a valid date, and both split columns are 0 on month rows.
-- The grouping uses the persisted DiaDate column, never a conversion of Dia. The counts
-- use SUM over CASE rather than COUNT over a nullable expression, which would send the
-- "Null value is eliminated by an aggregate" warning to every client.
CREATE OR ALTER VIEW dbo.vw_traffic_retention_analysis
AS
SELECT
    YEAR(DiaDate) AS [year],
    MONTH(DiaDate) AS [month],
    COUNT_BIG(*) AS row_count,
    MIN(DiaDate) AS first_date,
    MAX(DiaDate) AS last_date,
    SUM(CASE WHEN Dia IS NULL THEN CAST(1 AS bigint) ELSE 0 END) AS rows_without_dia,
    SUM(CASE WHEN Dia IS NOT NULL AND DiaDate IS NULL THEN CAST(1 AS bigint) ELSE 0 END)
        AS rows_with_invalid_dia
FROM dbo.f_trafegoc01
GROUP BY YEAR(DiaDate), MONTH(DiaDate);
GO

-- error_logs rows that mention ETL016 or traffic retention in the message or traceback.
--
-- row_num is 1 for the newest row. It orders by the text [timestamp], which is
-- chronological only for ISO 8601 values, then by id. A view cannot carry ORDER BY on
-- SQL Server unless it also has TOP, and even then the order of the result is not
-- guaranteed, so callers sort with ORDER BY row_num. LOWER makes the match
-- case-insensitive whatever the database collation is.
CREATE OR ALTER VIEW dbo.vw_etl016_errors
AS
SELECT
    id,
    error_message,
    traceback,
    [timestamp],
    exception_type,
    exception_args,
    exception_module,
    exception_file,
    exception_line,
    [status],
    ROW_NUMBER() OVER (ORDER BY [timestamp] DESC, id DESC) AS row_num
FROM dbo.error_logs
WHERE LOWER(error_message) LIKE N'%etl016%'
    OR LOWER(error_message) LIKE N'%traffic%retention%'
    OR LOWER(traceback) LIKE N'%etl016%'
    OR LOWER(traceback) LIKE N'%traffic%retention%';
GO
