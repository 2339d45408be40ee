-- The role that carries the ETL016 permissions, and the service login that gets it.
--
-- Roles belong to the whole PostgreSQL cluster, not to one database, so both may exist
-- already. Each is created only when absent. The service role is created NOLOGIN
-- because a login and its password are the DBA's to manage. Where it already exists,
-- as a LOGIN role for example, it is left unchanged. The grants, including membership
-- in etl016_role, are in sql/permissions.postgresql.sql, which the tool applies after
-- the migrations on every run.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'etl016_role') THEN
        CREATE ROLE etl016_role NOLOGIN;
    END IF;

    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$(service_login)') THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', '$(service_login)');
    END IF;
END;
$$;
