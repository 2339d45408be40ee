-- Monthly range partitioning of dbo.f_trafegoc01 over the parsed Dia date.
--
-- Layout after this migration:
--   dbo.f_trafegoc01          partitioned parent, PARTITION BY RANGE (dbo.etl016_dia_date(dia))
--   dbo.f_trafegoc01_default  the former table, attached as the DEFAULT partition
--
-- The key is the expression, not the dia_date column, because PostgreSQL rejects a
-- generated column as a partition key. Both compute the same value. No row moves here:
-- the former table keeps every row and becomes the DEFAULT partition, where rows with a
-- NULL or invalid Dia stay for good because the purge never drops the DEFAULT partition.
--
-- Monthly partitions are created later by `etl016-db partitions ensure`, named
-- f_trafegoc01_pYYYYMM with bounds [first day of the month, first day of the next). A
-- month that already has rows in the DEFAULT partition is created as a standalone table
-- and filled before it is attached, because ATTACH rejects a range whose rows are still
-- in the DEFAULT partition:
--   CREATE TABLE dbo.f_trafegoc01_p202506
--       (LIKE dbo.f_trafegoc01 INCLUDING DEFAULTS INCLUDING GENERATED);
--   WITH moved AS (
--       DELETE FROM dbo.f_trafegoc01_default
--       WHERE dia_date >= DATE '2025-06-01' AND dia_date < DATE '2025-07-01'
--       RETURNING id, dia, campo1, campo2, campo3, datacriacao, datamodificacao
--   )
--   INSERT INTO dbo.f_trafegoc01_p202506
--       (id, dia, campo1, campo2, campo3, datacriacao, datamodificacao)
--   SELECT id, dia, campo1, campo2, campo3, datacriacao, datamodificacao FROM moved;
--   ALTER TABLE dbo.f_trafegoc01_p202506 ADD PRIMARY KEY (id);
--   ALTER TABLE dbo.f_trafegoc01 ATTACH PARTITION dbo.f_trafegoc01_p202506
--       FOR VALUES FROM ('2025-06-01') TO ('2025-07-01');
-- The column list leaves out dia_date because a generated column rejects explicit
-- values. ATTACH creates or attaches the parent's indexes on the new partition, and it
-- scans the DEFAULT partition to prove that no row of the new range is left there.
--
-- NOTE: the parent cannot have a PRIMARY KEY or UNIQUE constraint, because PostgreSQL
-- rejects both on a partitioned table whose partition key is an expression. Each
-- partition has PRIMARY KEY (id) and the parent has a non-unique partitioned index on
-- (id). Uniqueness of id across partitions therefore rests on the identity sequence:
-- an INSERT that supplies an id already used in another partition is accepted.

DO $$
DECLARE
    old_sequence text;
    old_last_value bigint;
    max_id bigint;
    last_used_id bigint;
    old_primary_key text;
BEGIN
    IF EXISTS (
        SELECT 1 FROM pg_partitioned_table
        WHERE partrelid = 'dbo.f_trafegoc01'::regclass
    ) THEN
        RAISE NOTICE 'dbo.f_trafegoc01 is already partitioned, so nothing was changed';
        RETURN;
    END IF;

    -- Remember where the id sequence stands, then detach it from the old table, because
    -- the parent's identity takes over and setval below continues from the same point.
    -- pg_get_serial_sequence covers both an identity column and a bigserial column. A
    -- bigserial sequence stays behind unused, and the parent's sequence gets a new name.
    old_sequence := pg_get_serial_sequence('dbo.f_trafegoc01', 'id');
    IF old_sequence IS NOT NULL THEN
        EXECUTE format('SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM %s',
                       old_sequence)
            INTO old_last_value;
    END IF;
    SELECT max(id) INTO max_id FROM dbo.f_trafegoc01;

    IF EXISTS (
        SELECT 1 FROM pg_attribute
        WHERE attrelid = 'dbo.f_trafegoc01'::regclass AND attname = 'id' AND attidentity <> ''
    ) THEN
        ALTER TABLE dbo.f_trafegoc01 ALTER COLUMN id DROP IDENTITY;
    ELSE
        ALTER TABLE dbo.f_trafegoc01 ALTER COLUMN id DROP DEFAULT;
    END IF;

    -- Free the canonical names for the parent and its partitioned indexes.
    ALTER TABLE dbo.f_trafegoc01 RENAME TO f_trafegoc01_default;
    SELECT conname INTO old_primary_key
    FROM pg_constraint
    WHERE conrelid = 'dbo.f_trafegoc01_default'::regclass AND contype = 'p';
    IF old_primary_key IS NOT NULL THEN
        EXECUTE format('ALTER TABLE dbo.f_trafegoc01_default RENAME CONSTRAINT %I TO %I',
                       old_primary_key, 'f_trafegoc01_default_pkey');
    ELSE
        ALTER TABLE dbo.f_trafegoc01_default ADD PRIMARY KEY (id);
    END IF;
    ALTER INDEX IF EXISTS dbo.ix_f_trafegoc01_dia
        RENAME TO ix_f_trafegoc01_default_dia;
    ALTER INDEX IF EXISTS dbo.ix_f_trafegoc01_datacriacao
        RENAME TO ix_f_trafegoc01_default_datacriacao;
    ALTER INDEX IF EXISTS dbo.ix_f_trafegoc01_dia_datacriacao
        RENAME TO ix_f_trafegoc01_default_dia_datacriacao;
    ALTER INDEX IF EXISTS dbo.ix_f_trafegoc01_dia_date
        RENAME TO ix_f_trafegoc01_default_dia_date;

    -- LIKE copies the columns with their exact types, NOT NULL markings, the datacriacao
    -- default and the dia_date generation expression, which ATTACH requires to match.
    CREATE TABLE dbo.f_trafegoc01 (
        LIKE dbo.f_trafegoc01_default INCLUDING DEFAULTS INCLUDING GENERATED
    ) PARTITION BY RANGE (dbo.etl016_dia_date(dia));
    ALTER TABLE dbo.f_trafegoc01
        ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;

    ALTER TABLE dbo.f_trafegoc01 ATTACH PARTITION dbo.f_trafegoc01_default DEFAULT;

    -- The next id is one past the larger of the highest id and the old sequence's last
    -- value, so ids of deleted rows are not handed out again.
    last_used_id := greatest(coalesce(max_id, 0), coalesce(old_last_value, 0));
    IF last_used_id < 1 THEN
        PERFORM setval(pg_get_serial_sequence('dbo.f_trafegoc01', 'id'), 1, false);
    ELSE
        PERFORM setval(pg_get_serial_sequence('dbo.f_trafegoc01', 'id'), last_used_id);
    END IF;

    -- Each index below attaches the equivalent index of the DEFAULT partition, which
    -- migration 20250910_0610 created, instead of building a new one. The index on id is
    -- built, because the partition's primary key index is unique and so does not match.
    CREATE INDEX ix_f_trafegoc01_dia
        ON dbo.f_trafegoc01 (dia)
        WHERE dia IS NOT NULL;
    CREATE INDEX ix_f_trafegoc01_datacriacao
        ON dbo.f_trafegoc01 (datacriacao DESC);
    CREATE INDEX ix_f_trafegoc01_dia_datacriacao
        ON dbo.f_trafegoc01 (dia, datacriacao)
        INCLUDE (id);
    CREATE INDEX ix_f_trafegoc01_dia_date
        ON dbo.f_trafegoc01 (dia_date);
    CREATE INDEX ix_f_trafegoc01_id
        ON dbo.f_trafegoc01 (id);
END;
$$;

-- Renaming the table moved this view onto the DEFAULT partition, because a view refers
-- to a table by its OID. Recreating it binds it to the new parent. The query is the
-- same as in migration 20250910_0620.
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
