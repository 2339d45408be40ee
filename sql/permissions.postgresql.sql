-- Permissions of etl016_role, applied after the migrations on every run of the tool and
-- read by `etl016-db verify-permissions`. Each GRANT is idempotent: granting a privilege
-- or a membership that already exists changes nothing.

GRANT USAGE ON SCHEMA dbo TO etl016_role;

-- Grants on the partitioned parent cover every partition reached through it.
GRANT SELECT, DELETE ON TABLE dbo.f_trafegoc01 TO etl016_role;
GRANT SELECT, INSERT, UPDATE ON TABLE dbo.error_logs TO etl016_role;
GRANT SELECT ON TABLE dbo.vw_traffic_retention_analysis TO etl016_role;
GRANT SELECT ON TABLE dbo.vw_etl016_errors TO etl016_role;
GRANT EXECUTE ON FUNCTION dbo.sp_etl016_performance_analysis() TO etl016_role;

-- The purge runs as the service login and writes its START ... COMPLETE trail and its
-- run totals, so the role also inserts into (and reads back) these two audit tables.
GRANT SELECT, INSERT ON TABLE dbo.etl016_audit_trail TO etl016_role;
GRANT SELECT, INSERT ON TABLE dbo.data_modification_log TO etl016_role;

-- NOTE: DETACH PARTITION and DROP TABLE on a monthly partition require ownership of the
-- table, which no GRANT confers. With only this role the purge can delete rows but cannot
-- drop partitions, so a purge that removes whole partitions must run as the table owner.
GRANT etl016_role TO "$(service_login)";
