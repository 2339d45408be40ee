-- Health report for the traffic table: `SELECT * FROM dbo.sp_etl016_performance_analysis();`
--
-- It keeps the SQL Server procedure's name so that grants and callers match across
-- dialects, but it is a function because only a function can return rows to SELECT.
-- PostgreSQL has no equivalent of sys.dm_db_index_physical_stats without the
-- pgstattuple extension, so the closest built-in measure is returned instead: sizes
-- from pg_relation_size and the dead-tuple ratio from pg_stat_user_tables, which
-- VACUUM reclaims. The statistics are the collector's estimates, not a scan.
--
-- Rows, by object_type:
--   'table'      one row for dbo.f_trafegoc01 (the whole table when it is partitioned):
--                row_count, rows_with_date, first_date, last_date, days_spanned
--                (first to last date, both included) and size_bytes with indexes.
--   'partition'  one row per heap (the table itself when it is not partitioned):
--                size_bytes of the heap, dead_tuple_ratio, needs_vacuum.
--   'index'      one row per index on those heaps: size_bytes, and the heap's
--                dead_tuple_ratio and needs_vacuum, because dead entries in an index
--                come from dead tuples in its heap.
-- needs_vacuum is true when more than 10% of the heap's tuples are dead, the
-- counterpart of the SQL Server procedure's 10% fragmentation threshold.
CREATE OR REPLACE FUNCTION dbo.sp_etl016_performance_analysis()
RETURNS TABLE (
    object_type text,
    object_name text,
    row_count bigint,
    rows_with_date bigint,
    first_date date,
    last_date date,
    days_spanned integer,
    size_bytes bigint,
    dead_tuple_ratio numeric,
    needs_vacuum boolean
)
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN QUERY
    SELECT
        'table'::text,
        'dbo.f_trafegoc01'::text,
        stats.row_count,
        stats.rows_with_date,
        stats.first_date,
        stats.last_date,
        stats.last_date - stats.first_date + 1,
        (
            SELECT sum(pg_total_relation_size(tree.relid))::bigint
            FROM pg_partition_tree('dbo.f_trafegoc01'::regclass) AS tree
        ),
        NULL::numeric,
        NULL::boolean
    FROM (
        SELECT
            count(*) AS row_count,
            count(t.dia_date) AS rows_with_date,
            min(t.dia_date) AS first_date,
            max(t.dia_date) AS last_date
        FROM dbo.f_trafegoc01 AS t
    ) AS stats;

    RETURN QUERY
    WITH heaps AS (
        SELECT
            tree.relid,
            CASE
                WHEN coalesce(s.n_live_tup + s.n_dead_tup, 0) = 0 THEN 0::numeric
                ELSE round(s.n_dead_tup::numeric / (s.n_live_tup + s.n_dead_tup), 4)
            END AS dead_tuple_ratio
        FROM pg_partition_tree('dbo.f_trafegoc01'::regclass) AS tree
        LEFT JOIN pg_stat_user_tables AS s ON s.relid = tree.relid
        WHERE tree.isleaf
    )
    SELECT
        'partition'::text,
        h.relid::regclass::text,
        NULL::bigint,
        NULL::bigint,
        NULL::date,
        NULL::date,
        NULL::integer,
        pg_relation_size(h.relid),
        h.dead_tuple_ratio,
        h.dead_tuple_ratio > 0.10
    FROM heaps AS h
    UNION ALL
    SELECT
        'index'::text,
        i.indexrelid::regclass::text,
        NULL::bigint,
        NULL::bigint,
        NULL::date,
        NULL::date,
        NULL::integer,
        pg_relation_size(i.indexrelid),
        h.dead_tuple_ratio,
        h.dead_tuple_ratio > 0.10
    FROM heaps AS h
    JOIN pg_index AS i ON i.indrelid = h.relid
    ORDER BY 1 DESC, 2;
END;
$$;
