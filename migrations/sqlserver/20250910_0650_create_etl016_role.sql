-- The database role that carries the ETL016 permissions, and the database user of the
-- service login (talend_user in production) that becomes its member.
--
-- Both are created only when absent. The user is created FOR LOGIN, so the server login
-- must already exist. A login that is already mapped to a user of this database, under
-- any name or as dbo, is left as it is. The grants, including the role membership, are
-- in sql/permissions.sqlserver.sql, which the tool applies after the migrations on every
-- run.

IF DATABASE_PRINCIPAL_ID(N'etl016_role') IS NULL
    CREATE ROLE etl016_role AUTHORIZATION dbo;
GO

IF NOT EXISTS (
    SELECT 1
    FROM sys.database_principals
    WHERE name = N'$(service_login)' OR sid = SUSER_SID(N'$(service_login)')
)
    CREATE USER [$(service_login)] FOR LOGIN [$(service_login)];
GO
