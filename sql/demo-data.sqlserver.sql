-- Demo load for dbo.f_trafegoc01: $(rows) rows spread over every day from $(first_day)
-- to $(last_day), both included. Variables: rows (e.g. 1000000), first_day and last_day
-- (ISO dates, e.g. 2024-09-01 and 2025-09-30). Every day gets a row only when rows is at
-- least the number of days in the range.
--
-- The rows are the same as those of sql/demo-data.postgresql.sql. Row n falls on day
-- (n - 1) mod days and so the days repeat in order. A multiplicative hash of n, bucket,
-- picks the Dia form: 0.5% of rows get NULL and 0.5% a malformed value (32/13/2025,
-- not-a-date, 2025-06-09 or the empty string). Of the rest, half are written unpadded
-- (9/6/2025) and half padded (09/06/2025, style 103). The rows go in by chunks of
-- 100,000, each INSERT ... SELECT numbering its rows from a cross join of digit rows, so
-- that no single statement writes the whole load to the log. NOTE: not run on a server.

SET NOCOUNT ON;

DECLARE @rows bigint = $(rows);
-- A yyyy-mm-dd literal converts to date the same way under every DATEFORMAT setting.
DECLARE @first_day date = '$(first_day)';
DECLARE @last_day date = '$(last_day)';
DECLARE @day_count int = DATEDIFF(DAY, @first_day, @last_day) + 1;
DECLARE @chunk_size bigint = 100000;
DECLARE @loaded bigint = 0;
DECLARE @chunk bigint;

IF @rows < 1 OR @day_count < 1
    THROW 50010, N'rows must be at least 1 and last_day must not be before first_day.', 1;

WHILE @loaded < @rows
BEGIN
    SET @chunk = CASE WHEN @rows - @loaded < @chunk_size THEN @rows - @loaded ELSE @chunk_size END;

    WITH digits AS (
        SELECT digit FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS d (digit)
    ),

    numbers AS (
        SELECT TOP (@chunk) ROW_NUMBER() OVER (ORDER BY (SELECT NULL)) AS position
        FROM digits AS d1
        CROSS JOIN digits AS d2
        CROSS JOIN digits AS d3
        CROSS JOIN digits AS d4
        CROSS JOIN digits AS d5
        CROSS JOIN digits AS d6
    ),

    generated AS (
        SELECT
            @loaded + position AS n,
            DATEADD(DAY, CAST((@loaded + position - 1) % @day_count AS int), @first_day)
                AS day_value,
            (@loaded + position) * CAST(2654435761 AS bigint) % 1000 AS bucket
        FROM numbers
    )

    INSERT INTO dbo.f_trafegoc01 (Dia, Campo1, Campo2, Campo3, DataCriacao)
    SELECT
        CASE
            WHEN bucket < 5 THEN NULL
            WHEN bucket < 10
                THEN CHOOSE(1 + bucket % 4, '32/13/2025', 'not-a-date', '2025-06-09', '')
            WHEN n % 2 = 0 THEN CONCAT(DAY(day_value), '/', MONTH(day_value), '/', YEAR(day_value))
            ELSE CONVERT(varchar(10), day_value, 103)
        END,
        -- Counting station: one of 250 sensors on 5 highways.
        CONCAT(
            CHOOSE(1 + n % 5, 'SP-070', 'SP-150', 'SP-280', 'SP-330', 'SP-348'),
            ' KM ',
            RIGHT(CONCAT('00', n * 7 % 250), 3)
        ),
        CHOOSE(1 + n % 6, 'LEVE', 'LEVE', 'LEVE', 'PESADO', 'MOTO', 'ONIBUS'),
        -- Vehicles counted in the interval, 0.00 to 1999.99.
        CAST((n * 7919) % 200000 / 100.0 AS decimal(18, 2)),
        -- Loaded between 01:00 and 23:00 of the following day, as a nightly ETL would.
        DATEADD(SECOND, CAST(3600 + (n * 104729) % 79200 AS int),
            CAST(DATEADD(DAY, 1, day_value) AS datetime2))
    FROM generated;

    SET @loaded = @loaded + @chunk;
END;

UPDATE STATISTICS dbo.f_trafegoc01;
