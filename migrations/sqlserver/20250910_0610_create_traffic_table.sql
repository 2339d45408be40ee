-- The traffic fact table, its derived date column DiaDate and its indexes.
--
-- The table is created only when it is absent. Production already has it, full of
-- rows, and keeps every one of them, because there it only gains DiaDate and the
-- missing indexes. Adding a PERSISTED computed column writes the value into every
-- existing row under a schema modification lock, and the log grows with the table, so
-- on production run this in a maintenance window.

-- A PERSISTED computed column and indexes on it require these options when they are
-- created. ODBC connections set both by default, and sqlcmd turns QUOTED_IDENTIFIER off.
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

IF OBJECT_ID(N'dbo.f_trafegoc01', N'U') IS NULL
    CREATE TABLE dbo.f_trafegoc01 (
        ID bigint IDENTITY (1, 1) NOT NULL
            CONSTRAINT PK_f_trafegoc01 PRIMARY KEY CLUSTERED,
        Dia varchar(50) NULL,
        Campo1 varchar(100) NULL,
        Campo2 varchar(100) NULL,
        Campo3 decimal(18, 2) NULL,
        DataCriacao datetime2 NOT NULL
            CONSTRAINT DF_f_trafegoc01_DataCriacao DEFAULT (SYSDATETIME()),
        DataModificacao datetime2 NULL
    );
GO

-- DiaDate is the date that Dia names, or NULL when Dia is not a valid day.
--
-- Valid means d/m/yyyy: day and month of one or two digits, a four-digit year, '/'
-- separators, optional spaces around the whole value, and a real calendar day.
-- '9/6/2025' and '09/06/2025' give 2025-06-09. '2025-06-09', '29/2/2023', '0/1/2025',
-- '1/1/0000', '' and NULL give NULL.
--
-- The LIKE patterns check the shape, and TRY_CONVERT with style 103 (dd/mm/yyyy) checks
-- the calendar and returns NULL instead of raising. Style 103 alone is not enough,
-- because the parser may also accept other layouts such as '2025-06-09', a two-digit
-- year or a time of day. LTRIM and RTRIM strip spaces only, so a tab or a line break
-- leaves the value invalid.
--
-- A PERSISTED column must be deterministic. The CAST and CONVERT reference lists the
-- string-to-date styles that are nondeterministic (styles below 100 except 20 and 21,
-- and 106, 107, 109, 113, 130), and 103 is not among them. The determinism reference
-- says a CONVERT is deterministic when its style is such a constant. TRY_CONVERT
-- takes the same styles, and the reference does not list it separately.
-- NOTE: not verified on a server. If SQL Server rejects the column as nondeterministic
-- (error 4936), this batch fails before anything changes, and
-- COLUMNPROPERTY(OBJECT_ID(N'dbo.f_trafegoc01'), N'DiaDate', N'IsDeterministic') = 1
-- confirms success. In a dictionary collation a [0-9] range follows the collation order
-- and may admit digit-like characters such as superscripts. TRY_CONVERT decides those.
IF COL_LENGTH(N'dbo.f_trafegoc01', N'DiaDate') IS NULL
    ALTER TABLE dbo.f_trafegoc01 ADD DiaDate AS (
        CASE
            WHEN LTRIM(RTRIM(Dia)) LIKE '[0-9]/[0-9]/[0-9][0-9][0-9][0-9]'
                OR LTRIM(RTRIM(Dia)) LIKE '[0-9][0-9]/[0-9]/[0-9][0-9][0-9][0-9]'
                OR LTRIM(RTRIM(Dia)) LIKE '[0-9]/[0-9][0-9]/[0-9][0-9][0-9][0-9]'
                OR LTRIM(RTRIM(Dia)) LIKE '[0-9][0-9]/[0-9][0-9]/[0-9][0-9][0-9][0-9]'
                THEN TRY_CONVERT(date, LTRIM(RTRIM(Dia)), 103)
        END
    ) PERSISTED;
GO

-- NOTE: the guards compare index names only. Production may already have an equivalent
-- index under another name, which then exists twice. That costs space and write time
-- but changes no result.
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE object_id = OBJECT_ID(N'dbo.f_trafegoc01') AND name = N'IX_f_trafegoc01_Dia'
)
    CREATE NONCLUSTERED INDEX IX_f_trafegoc01_Dia
        ON dbo.f_trafegoc01 (Dia)
        WHERE Dia IS NOT NULL;
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE object_id = OBJECT_ID(N'dbo.f_trafegoc01') AND name = N'IX_f_trafegoc01_DataCriacao'
)
    CREATE NONCLUSTERED INDEX IX_f_trafegoc01_DataCriacao
        ON dbo.f_trafegoc01 (DataCriacao DESC);
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE object_id = OBJECT_ID(N'dbo.f_trafegoc01')
        AND name = N'IX_f_trafegoc01_Dia_DataCriacao'
)
    CREATE NONCLUSTERED INDEX IX_f_trafegoc01_Dia_DataCriacao
        ON dbo.f_trafegoc01 (Dia, DataCriacao)
        INCLUDE (ID);
GO

-- The purge and the views filter on DiaDate through this index.
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE object_id = OBJECT_ID(N'dbo.f_trafegoc01') AND name = N'IX_f_trafegoc01_DiaDate'
)
    CREATE NONCLUSTERED INDEX IX_f_trafegoc01_DiaDate
        ON dbo.f_trafegoc01 (DiaDate);
GO
