/// The permission names a permissions file may declare, per dialect and kind of securable,
/// and the synonyms the servers accept for them.
///
/// PostgreSQL's lists follow the privileges table of the PostgreSQL 15 GRANT reference, with
/// MAINTAIN on tables from PostgreSQL 17. SQL Server's follow `sys.fn_builtin_permissions` as
/// Microsoft documents it for the OBJECT, SCHEMA and DATABASE classes, and the DENY reference's
/// rule that a column takes only SELECT, UPDATE and REFERENCES.
enum PermissionNames {
    /// Returns the name the catalogs use for `name`: PostgreSQL's TEMP is TEMPORARY, and
    /// T-SQL's EXEC is EXECUTE.
    static func canonical(_ name: String, syntax: GrantSyntax) -> String {
        switch (syntax, name) {
        case (.postgreSQL, "TEMP"): return "TEMPORARY"
        case (.transactSQL, "EXEC"): return "EXECUTE"
        default: return name
        }
    }

    /// Returns the permissions a securable of that kind takes, in the order messages list
    /// them, and the kind in words, such as "a table".
    static func allowed(
        syntax: GrantSyntax, securableClass: SecurableClass, objectType: ObjectType,
        onColumn: Bool
    ) -> (names: [String], kind: String) {
        switch syntax {
        case .postgreSQL:
            return postgreSQL(securableClass, objectType, onColumn: onColumn)
        case .transactSQL:
            return transactSQL(securableClass, onColumn: onColumn)
        }
    }

    private static func postgreSQL(
        _ securableClass: SecurableClass, _ objectType: ObjectType, onColumn: Bool
    ) -> (names: [String], kind: String) {
        if onColumn {
            return (["SELECT", "INSERT", "UPDATE", "REFERENCES"], "a column")
        }
        switch securableClass {
        case .database:
            return (["CONNECT", "CREATE", "TEMPORARY"], "a database")
        case .schema:
            return (["USAGE", "CREATE"], "a schema")
        case .object, .other:
            if objectType.isRoutine {
                return (["EXECUTE"], "a function or procedure")
            }
            if objectType == .sequence {
                return (["USAGE", "SELECT", "UPDATE"], "a sequence")
            }
            return (
                ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER",
                 "MAINTAIN"],
                "a table"
            )
        }
    }

    private static func transactSQL(_ securableClass: SecurableClass, onColumn: Bool)
        -> (names: [String], kind: String)
    {
        if onColumn {
            return (["SELECT", "UPDATE", "REFERENCES"], "a column")
        }
        switch securableClass {
        case .database:
            return (transactSQLDatabase, "the database")
        case .schema:
            return (
                ["SELECT", "INSERT", "UPDATE", "DELETE", "EXECUTE", "REFERENCES", "ALTER",
                 "CONTROL", "CREATE SEQUENCE", "TAKE OWNERSHIP", "VIEW CHANGE TRACKING",
                 "VIEW DEFINITION"],
                "a schema"
            )
        case .object, .other:
            return (
                ["SELECT", "INSERT", "UPDATE", "DELETE", "EXECUTE", "REFERENCES", "ALTER",
                 "CONTROL", "RECEIVE", "TAKE OWNERSHIP", "VIEW CHANGE TRACKING",
                 "VIEW DEFINITION"],
                "an object"
            )
        }
    }

    /// The database permissions of SQL Server 2016 to 2019 and Azure SQL Database.
    ///
    /// NOTE: permissions that SQL Server 2022 added (the ledger and the finer VIEW ...
    /// permissions among them) are not listed, so a file that declares one is rejected
    /// until it is added here. `SELECT * FROM sys.fn_builtin_permissions(N'DATABASE')`
    /// lists the database permissions of a server.
    static let transactSQLDatabase: [String] = [
        "ADMINISTER DATABASE BULK OPERATIONS", "ALTER", "ALTER ANY APPLICATION ROLE",
        "ALTER ANY ASSEMBLY", "ALTER ANY ASYMMETRIC KEY", "ALTER ANY CERTIFICATE",
        "ALTER ANY COLUMN ENCRYPTION KEY", "ALTER ANY COLUMN MASTER KEY",
        "ALTER ANY COLUMN MASTER KEY DEFINITION", "ALTER ANY CONTRACT",
        "ALTER ANY DATABASE AUDIT", "ALTER ANY DATABASE DDL TRIGGER",
        "ALTER ANY DATABASE EVENT NOTIFICATION", "ALTER ANY DATABASE EVENT SESSION",
        "ALTER ANY DATABASE SCOPED CONFIGURATION", "ALTER ANY DATASPACE",
        "ALTER ANY EXTERNAL DATA SOURCE", "ALTER ANY EXTERNAL FILE FORMAT",
        "ALTER ANY EXTERNAL LIBRARY", "ALTER ANY FULLTEXT CATALOG", "ALTER ANY MASK",
        "ALTER ANY MESSAGE TYPE", "ALTER ANY REMOTE SERVICE BINDING", "ALTER ANY ROLE",
        "ALTER ANY ROUTE", "ALTER ANY SCHEMA", "ALTER ANY SECURITY POLICY", "ALTER ANY SERVICE",
        "ALTER ANY SYMMETRIC KEY", "ALTER ANY USER", "AUTHENTICATE", "BACKUP DATABASE",
        "BACKUP LOG", "CHECKPOINT", "CONNECT", "CONNECT REPLICATION", "CONTROL",
        "CREATE AGGREGATE", "CREATE ANY EXTERNAL LIBRARY", "CREATE ASSEMBLY",
        "CREATE ASYMMETRIC KEY", "CREATE CERTIFICATE", "CREATE CONTRACT", "CREATE DATABASE",
        "CREATE DATABASE DDL EVENT NOTIFICATION", "CREATE DEFAULT", "CREATE FULLTEXT CATALOG",
        "CREATE FUNCTION", "CREATE MESSAGE TYPE", "CREATE PROCEDURE", "CREATE QUEUE",
        "CREATE REMOTE SERVICE BINDING", "CREATE ROLE", "CREATE ROUTE", "CREATE RULE",
        "CREATE SCHEMA", "CREATE SERVICE", "CREATE SYMMETRIC KEY", "CREATE SYNONYM",
        "CREATE TABLE", "CREATE TYPE", "CREATE VIEW", "CREATE XML SCHEMA COLLECTION", "DELETE",
        "EXECUTE", "EXECUTE ANY EXTERNAL SCRIPT", "EXECUTE EXTERNAL SCRIPT", "INSERT",
        "KILL DATABASE CONNECTION", "REFERENCES", "SELECT", "SHOWPLAN",
        "SUBSCRIBE QUERY NOTIFICATIONS", "TAKE OWNERSHIP", "UNMASK", "UPDATE",
        "VIEW ANY COLUMN ENCRYPTION KEY DEFINITION", "VIEW ANY COLUMN MASTER KEY DEFINITION",
        "VIEW DATABASE STATE", "VIEW DEFINITION",
    ]
}
