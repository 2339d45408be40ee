-- Audit and error tables written by the ETL016 jobs and by `etl016-db purge`.
-- Every table and index is created only when absent, because production may already
-- hold some of them from the system that predates this tool.

SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

-- Errors raised by the ETL jobs and by the purge. [timestamp] is text because the
-- writers store it as they format it, so it sorts chronologically only in ISO 8601 form.
IF OBJECT_ID(N'dbo.error_logs', N'U') IS NULL
    CREATE TABLE dbo.error_logs (
        id bigint IDENTITY (1, 1) NOT NULL CONSTRAINT PK_error_logs PRIMARY KEY CLUSTERED,
        error_message nvarchar(max) NULL,
        traceback nvarchar(max) NULL,
        [timestamp] nvarchar(50) NULL,
        exception_type nvarchar(255) NULL,
        exception_args nvarchar(max) NULL,
        exception_module nvarchar(255) NULL,
        exception_file nvarchar(500) NULL,
        exception_line int NULL,
        [status] nvarchar(50) NULL
    );
GO

IF OBJECT_ID(N'dbo.audit_log', N'U') IS NULL
    CREATE TABLE dbo.audit_log (
        id bigint IDENTITY (1, 1) NOT NULL CONSTRAINT PK_audit_log PRIMARY KEY CLUSTERED,
        [timestamp] datetime2 NOT NULL
            CONSTRAINT DF_audit_log_timestamp DEFAULT (SYSDATETIME()),
        [user_id] nvarchar(128) NULL,
        [action] nvarchar(100) NULL,
        [resource] nvarchar(255) NULL,
        success bit NULL,
        ip_address nvarchar(45) NULL,
        session_id nvarchar(128) NULL,
        details nvarchar(max) NULL
    );
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE object_id = OBJECT_ID(N'dbo.audit_log') AND name = N'IX_audit_log_timestamp'
)
    CREATE NONCLUSTERED INDEX IX_audit_log_timestamp
        ON dbo.audit_log ([timestamp] DESC);
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE object_id = OBJECT_ID(N'dbo.audit_log') AND name = N'IX_audit_log_user_id_action'
)
    CREATE NONCLUSTERED INDEX IX_audit_log_user_id_action
        ON dbo.audit_log ([user_id], [action]);
GO

-- One row per purge run and table: the totals the purge writes when it finishes.
IF OBJECT_ID(N'dbo.data_modification_log', N'U') IS NULL
    CREATE TABLE dbo.data_modification_log (
        id bigint IDENTITY (1, 1) NOT NULL
            CONSTRAINT PK_data_modification_log PRIMARY KEY CLUSTERED,
        [timestamp] datetime2 NOT NULL
            CONSTRAINT DF_data_modification_log_timestamp DEFAULT (SYSDATETIME()),
        table_name nvarchar(128) NULL,
        operation nvarchar(50) NULL,
        record_count bigint NULL,
        process_id nvarchar(50) NULL,
        user_context nvarchar(128) NULL,
        execution_id nvarchar(64) NULL
    );
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE object_id = OBJECT_ID(N'dbo.data_modification_log')
        AND name = N'IX_data_modification_log_timestamp'
)
    CREATE NONCLUSTERED INDEX IX_data_modification_log_timestamp
        ON dbo.data_modification_log ([timestamp] DESC);
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE object_id = OBJECT_ID(N'dbo.data_modification_log')
        AND name = N'IX_data_modification_log_process_id_timestamp'
)
    CREATE NONCLUSTERED INDEX IX_data_modification_log_process_id_timestamp
        ON dbo.data_modification_log (process_id, [timestamp] DESC);
GO

-- The purge's step-by-step trail: START, one SWITCH per removed partition, DELETE per
-- delete phase, then COMPLETE or ERROR, all sharing one execution_id.
-- performance_metrics must be JSON. ISJSON returns NULL for NULL, and a CHECK passes on
-- NULL, so the column stays optional. ISJSON before SQL Server 2022 accepts only objects
-- and arrays.
IF OBJECT_ID(N'dbo.etl016_audit_trail', N'U') IS NULL
    CREATE TABLE dbo.etl016_audit_trail (
        audit_id bigint IDENTITY (1, 1) NOT NULL
            CONSTRAINT PK_etl016_audit_trail PRIMARY KEY CLUSTERED,
        [timestamp] datetime2 NOT NULL
            CONSTRAINT DF_etl016_audit_trail_timestamp DEFAULT (SYSDATETIME()),
        process_id nvarchar(50) NOT NULL
            CONSTRAINT DF_etl016_audit_trail_process_id DEFAULT (N'ETL016'),
        operation_type nvarchar(20) NOT NULL
            CONSTRAINT CK_etl016_audit_trail_operation_type
            CHECK (operation_type IN (N'START', N'SWITCH', N'DELETE', N'COMPLETE', N'ERROR')),
        table_name nvarchar(128) NULL,
        records_affected bigint NULL,
        execution_id nvarchar(64) NULL,
        user_context nvarchar(128) NULL,
        server_name nvarchar(128) NULL
            CONSTRAINT DF_etl016_audit_trail_server_name DEFAULT (@@SERVERNAME),
        database_name nvarchar(128) NULL
            CONSTRAINT DF_etl016_audit_trail_database_name DEFAULT (DB_NAME()),
        cutoff_date date NULL,
        safety_constraints nvarchar(max) NULL,
        performance_metrics nvarchar(max) NULL
            CONSTRAINT CK_etl016_audit_trail_performance_metrics
            CHECK (ISJSON(performance_metrics) = 1),
        error_details nvarchar(max) NULL,
        compliance_flags nvarchar(500) NULL
    );
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE object_id = OBJECT_ID(N'dbo.etl016_audit_trail')
        AND name = N'IX_etl016_audit_trail_timestamp'
)
    CREATE NONCLUSTERED INDEX IX_etl016_audit_trail_timestamp
        ON dbo.etl016_audit_trail ([timestamp] DESC);
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE object_id = OBJECT_ID(N'dbo.etl016_audit_trail')
        AND name = N'IX_etl016_audit_trail_execution_id'
)
    CREATE NONCLUSTERED INDEX IX_etl016_audit_trail_execution_id
        ON dbo.etl016_audit_trail (execution_id);
GO

IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE object_id = OBJECT_ID(N'dbo.etl016_audit_trail')
        AND name = N'IX_etl016_audit_trail_operation_type_timestamp'
)
    CREATE NONCLUSTERED INDEX IX_etl016_audit_trail_operation_type_timestamp
        ON dbo.etl016_audit_trail (operation_type, [timestamp] DESC);
GO
