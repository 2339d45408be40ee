-- Demo load for dbo.f_trafegoc01: $(rows) rows spread over every day from $(first_day)
-- to $(last_day), both included. Variables: rows (e.g. 1000000), first_day and last_day
-- (ISO dates, e.g. 2024-09-01 and 2025-09-30). Every day gets a row only when rows is at
-- least the number of days in the range.
--
-- Row n falls on day (n - 1) mod days and so the days repeat in order. A multiplicative
-- hash of n, `bucket`, picks the Dia form: 0.5% of rows get NULL and 0.5% a malformed
-- value (32/13/2025, not-a-date, 2025-06-09 or the empty string). Of the rest, half are
-- written unpadded (9/6/2025) and half padded (09/06/2025). The load is deterministic:
-- the same variables always produce the same rows. Inserts go through the parent table,
-- so on a partitioned table every row is routed to its partition. The insert leaves out
-- dia_date, which is a generated column.
INSERT INTO dbo.f_trafegoc01 (dia, campo1, campo2, campo3, datacriacao)
SELECT
    CASE
        WHEN g.bucket < 5 THEN NULL
        WHEN g.bucket < 10 THEN
            (ARRAY['32/13/2025', 'not-a-date', '2025-06-09', ''])[1 + g.bucket % 4]
        WHEN g.n % 2 = 0 THEN to_char(g.day, 'FMDD/FMMM/YYYY')
        ELSE to_char(g.day, 'DD/MM/YYYY')
    END,
    -- Counting station: one of 250 sensors on 5 highways.
    (ARRAY['SP-070', 'SP-150', 'SP-280', 'SP-330', 'SP-348'])[1 + g.n % 5]
        || ' KM ' || lpad((g.n * 7 % 250)::text, 3, '0'),
    (ARRAY['LEVE', 'LEVE', 'LEVE', 'PESADO', 'MOTO', 'ONIBUS'])[1 + g.n % 6],
    -- Vehicles counted in the interval, 0.00 to 1999.99.
    ((g.n * 7919) % 200000) / 100.0,
    -- Loaded between 01:00 and 23:00 of the following day, as a nightly ETL would.
    g.day + interval '1 day' + make_interval(secs => 3600 + (g.n * 104729) % 79200)
FROM (
    SELECT
        n,
        DATE '$(first_day)' + ((n - 1) % (DATE '$(last_day)' - DATE '$(first_day)' + 1))::integer
            AS day,
        (n * 2654435761) % 1000 AS bucket
    FROM generate_series(1::bigint, $(rows)::bigint) AS n
) AS g;

ANALYZE dbo.f_trafegoc01;
