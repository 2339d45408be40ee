-- Permissions of etl016_role, applied after the migrations on every run of the tool and
-- read by `etl016-db verify-permissions`. Each statement is idempotent: granting a
-- permission that exists, or adding a member that already belongs, changes nothing.

GRANT SELECT, DELETE ON OBJECT::dbo.f_trafegoc01 TO etl016_role;
GRANT SELECT, INSERT, UPDATE ON OBJECT::dbo.error_logs TO etl016_role;
GRANT SELECT ON OBJECT::dbo.vw_traffic_retention_analysis TO etl016_role;
GRANT SELECT ON OBJECT::dbo.vw_etl016_errors TO etl016_role;
GRANT EXECUTE ON OBJECT::dbo.sp_etl016_performance_analysis TO etl016_role;

-- The purge runs as the service login and writes its START ... COMPLETE trail and its
-- run totals, so the role also inserts into (and reads back) these two audit tables.
GRANT SELECT, INSERT ON OBJECT::dbo.etl016_audit_trail TO etl016_role;
GRANT SELECT, INSERT ON OBJECT::dbo.data_modification_log TO etl016_role;

-- NOTE: ALTER TABLE ... SWITCH PARTITION needs ALTER on the source and the staging table,
-- and ALTER PARTITION FUNCTION ... MERGE needs ALTER ANY DATASPACE. This role has
-- neither. With only this role the purge can delete rows but cannot switch partitions,
-- so a purge that switches must run as a login that has those permissions.
ALTER ROLE etl016_role ADD MEMBER [$(service_login)];
