-- Reporting views over the traffic table and the error log.

-- Rows per calendar month of the parsed Dia, to see what a retention cutoff would keep.
--
-- One row per year and month of dia_date, with row_count, first_date and last_date.
-- The rows without a valid date form one more row whose year and month are NULL: its
-- row_count is their total, split into rows_without_dia (Dia is NULL) and
-- rows_with_invalid_dia (Dia is present but is not a valid d/m/yyyy day). That row is
-- absent when every row has a valid date, and both split columns are 0 on month rows.
-- The grouping uses the stored dia_date column, never a conversion of dia.
--
-- NOTE: migration 20250910_0640 recreates this view with the same query, because
-- renaming the table there would otherwise leave the view on the default partition.
-- Change both copies together.
CREATE OR REPLACE VIEW dbo.vw_traffic_retention_analysis AS
SELECT
    extract(YEAR FROM dia_date)::integer AS year,
    extract(MONTH FROM dia_date)::integer AS month,
    count(*) AS row_count,
    min(dia_date) AS first_date,
    max(dia_date) AS last_date,
    count(*) FILTER (WHERE dia IS NULL) AS rows_without_dia,
    count(*) FILTER (WHERE dia IS NOT NULL AND dia_date IS NULL) AS rows_with_invalid_dia
FROM dbo.f_trafegoc01
GROUP BY extract(YEAR FROM dia_date), extract(MONTH FROM dia_date);

-- error_logs rows that mention ETL016 or traffic retention in the message or traceback.
--
-- row_num is 1 for the newest row. It orders by the text timestamp, which is
-- chronological only for ISO 8601 values, then by id. A view has no guaranteed order,
-- so callers sort with ORDER BY row_num.
CREATE OR REPLACE VIEW dbo.vw_etl016_errors AS
SELECT
    id,
    error_message,
    traceback,
    timestamp,
    exception_type,
    exception_args,
    exception_module,
    exception_file,
    exception_line,
    status,
    row_number() OVER (ORDER BY timestamp DESC NULLS LAST, id DESC) AS row_num
FROM dbo.error_logs
WHERE error_message ILIKE '%etl016%'
    OR error_message ILIKE '%traffic%retention%'
    OR traceback ILIKE '%etl016%'
    OR traceback ILIKE '%traffic%retention%';
