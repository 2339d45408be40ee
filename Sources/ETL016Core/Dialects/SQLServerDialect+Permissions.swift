/// Permissions on SQL Server: rows of `sys.database_permissions` (GRANT, GRANT WITH GRANT
/// OPTION and DENY), role membership from `sys.database_role_members`, effective checks with
/// `HAS_PERMS_BY_NAME` under `EXECUTE AS USER`.
///
/// NOTE: catalog views show only the metadata the session may see. Run the check as a login
/// with VIEW DEFINITION on the database (db_owner has it), or the grants of other principals
/// may look missing. A member login can read its own permissions and those of its roles.
extension SQLServerDialect {
    public var grantSyntax: GrantSyntax { .transactSQL }

    /// An owner holds every permission on its objects without a row in
    /// `sys.database_permissions`, and no DENY or REVOKE takes one away.
    public var ownersHoldEveryPermission: Bool { true }

    /// SQL Server gives `public` nothing on user objects, schemas or the database that
    /// the comparison looks at.
    public var defaultPublicPrivileges: Set<PrivilegeKind> { [] }

    /// A user needs CONNECT on the database, which CREATE USER grants and DENY or REVOKE
    /// CONNECT takes away.
    ///
    /// NOTE: whether `EXECUTE AS USER` works for a user without CONNECT was not checked
    /// against a server. If it fails, the member's capabilities carry the server's error
    /// instead of the missing CONNECT, and the DENY still shows under `denied`.
    public var deletePurgeRequirements: [PurgeRequirement] {
        [PurgeRequirement("CONNECT", on: .database(), objectType: .database)]
    }

    public func sessionPrincipal(_ connection: Connection) throws -> String {
        try connection.scalar(SQLServerPermissionSQL.sessionPrincipal).stringValue ?? ""
    }

    public func readPrincipal(_ connection: Connection, named name: String) throws
        -> PrincipalInfo?
    {
        guard let row = try connection.query(SQLServerPermissionSQL.principal, [.string(name)])
            .first, let canonical = row.string("name")
        else { return nil }
        return PrincipalInfo(
            name: canonical, canLogIn: row.bool("can_log_in") ?? false,
            isSuperuser: row.bool("is_superuser") ?? false,
            canBeImpersonated: row.bool("can_be_impersonated") ?? false,
            kind: row.string("type_desc"))
    }

    // MARK: - Securables

    public func resolveSecurable(
        _ connection: Connection, _ securable: Securable, declaredType: ObjectType
    ) throws -> ResolvedSecurable? {
        switch securable.securableClass {
        case .database:
            guard let row = try connection.query(SQLServerPermissionSQL.currentDatabase).first,
                let name = row.string("name"),
                securable.name.isEmpty || securable.name.lowercased() == name.lowercased()
            else { return nil }
            return ResolvedSecurable(
                securable: .database(name), objectType: .database, owner: row.string("owner_name"))
        case .schema:
            guard let row = try connection.query(
                SQLServerPermissionSQL.schema, [.string(securable.name)]).first,
                let name = row.string("name")
            else { return nil }
            return ResolvedSecurable(
                securable: .schema(name), objectType: .schema, owner: row.string("owner_name"))
        case .other:
            return nil
        case .object:
            let parameters: [SQLValue] = [
                .string(securable.schema ?? "dbo"), .string(securable.name),
            ]
            guard let row = try connection.query(SQLServerPermissionSQL.object, parameters).first,
                let schema = row.string("schema_name"), let name = row.string("object_name")
            else { return nil }

            var resolved = Securable.object(schema: schema, name: name)
            if let column = securable.column {
                guard let canonical = try connection.query(
                    SQLServerPermissionSQL.column,
                    [.string(schema), .string(name), .string(column)]
                ).first?.string("column_name")
                else { return nil }
                resolved.column = canonical
            }
            return ResolvedSecurable(
                securable: resolved, objectType: Self.objectType(row.string("type_desc")),
                owner: row.string("owner_name"))
        }
    }

    /// Maps `sys.objects.type_desc` to the kinds reports show.
    static func objectType(_ typeDescription: String?) -> ObjectType {
        switch typeDescription ?? "" {
        case "USER_TABLE": return .table
        case "VIEW": return .view
        case "SEQUENCE_OBJECT": return .sequence
        case "SQL_STORED_PROCEDURE", "CLR_STORED_PROCEDURE", "EXTENDED_STORED_PROCEDURE":
            return .procedure
        case let description where description.hasSuffix("FUNCTION"):
            return .function
        default:
            return .object
        }
    }

    // MARK: - Grants and memberships

    public func readGrants(_ connection: Connection, heldBy principal: Principal) throws
        -> [CatalogGrant]
    {
        try connection.query(
            SQLServerPermissionSQL.grants, [.string(principal.name ?? "public")]
        ).compactMap { row in
            catalogGrant(row, principal: principal)
        }
    }

    public func readInheritedDenials(_ connection: Connection, of name: String) throws
        -> [CatalogGrant]
    {
        try connection.query(SQLServerPermissionSQL.inheritedDenials, [.string(name)])
            .compactMap { row in
                guard let role = row.string("grantee_name") else { return nil }
                return catalogGrant(row, principal: .named(role))
            }
    }

    public func readTableDenyOverridesColumnGrants(_ connection: Connection) throws -> Bool {
        try connection.query(SQLServerPermissionSQL.commonCriteria).first?.bool("enabled")
            ?? false
    }

    /// Builds a grant from a row of `SQLServerPermissionSQL.permissionRows`.
    private func catalogGrant(_ row: Row, principal: Principal) -> CatalogGrant? {
        guard let permission = row.string("permission_name"),
            let state = PermissionState(rawValue: row.string("state_desc") ?? "")
        else { return nil }
        let securable: Securable
        let objectType: ObjectType
        let name = row.string("securable_name")
        switch row.int("class") {
        case 0:
            securable = .database(name ?? "")
            objectType = .database
        case 1:
            guard let name else { return nil }
            securable = .object(
                schema: row.string("schema_name") ?? "", name: name,
                column: row.string("column_name"))
            objectType = Self.objectType(row.string("type_desc"))
        case 3:
            securable = .schema(name ?? "")
            objectType = .schema
        default:
            objectType = Self.otherObjectType(
                classNumber: row.int("class").map(Int.init),
                principalType: row.string("principal_type"))
            let fallback = "\(row.string("class_desc") ?? "class") \(row.int("major_id") ?? 0)"
            securable = Securable(
                securableClass: .other, schema: row.string("securable_schema"),
                name: objectType == .otherSecurable ? fallback : name ?? fallback)
        }
        return CatalogGrant(
            grant: Grant(
                principal: principal, permission: permission, securable: securable,
                objectType: objectType),
            state: state)
    }

    /// Maps a `sys.database_permissions.class` above 3 to the kind reports show. For class
    /// 4, a database principal, the principal's type distinguishes a role and an
    /// application role from a user.
    static func otherObjectType(classNumber: Int?, principalType: String?) -> ObjectType {
        switch classNumber {
        case 4:
            switch principalType {
            case "R": return .role
            case "A": return .applicationRole
            default: return .user
            }
        case 5: return .assembly
        case 6: return .type
        case 10: return .xmlSchemaCollection
        case 24: return .symmetricKey
        case 25: return .certificate
        case 26: return .asymmetricKey
        default: return .otherSecurable
        }
    }

    public func readMemberships(_ connection: Connection, involving name: String) throws
        -> [CatalogMembership]
    {
        try connection.query(SQLServerPermissionSQL.memberships, [.string(name), .string(name)])
            .compactMap { row in
                guard let role = row.string("role_name"), let member = row.string("member_name")
                else { return nil }
                return CatalogMembership(membership: Membership(role: role, member: member))
            }
    }

    // MARK: - Effective permissions

    public func hasEffectivePermission(
        _ connection: Connection, principal: String?, permission: String,
        on resolved: ResolvedSecurable
    ) throws -> Bool? {
        let securable = resolved.securable
        let check: String
        var parameters: [SQLValue]
        switch securable.securableClass {
        case .other:
            return nil
        case .database:
            check = SQLServerPermissionSQL.databaseCheck
            parameters = [.string(permission)]
        case .schema:
            check = SQLServerPermissionSQL.schemaCheck
            parameters = [.string(securable.name), .string(permission)]
        case .object where securable.column != nil:
            check = SQLServerPermissionSQL.columnCheck
            parameters = [
                .string(securable.schema ?? "dbo"), .string(securable.name), .string(permission),
                .string(securable.column ?? ""),
            ]
        case .object:
            check = SQLServerPermissionSQL.objectCheck
            parameters = [
                .string(securable.schema ?? "dbo"), .string(securable.name), .string(permission),
            ]
        }

        let sql = SQLServerPermissionSQL.effectiveCheck(check, impersonating: principal != nil)
        if let principal { parameters.insert(.string(principal), at: 0) }
        let value = try connection.query(sql, parameters).first?["allowed"]
        // HAS_PERMS_BY_NAME returns NULL for a permission that does not apply to the class.
        guard let value, !value.isNull else { return nil }
        return value.boolValue
    }

    /// SWITCH needs ALTER on the partitioned table, creating the staging table it switches
    /// into needs CREATE TABLE and ALTER on the schema, and the MERGE of the emptied boundary
    /// needs ALTER ANY DATASPACE.
    ///
    /// NOTE: `purge --archive` keeps switched partitions in the schema `archive`, which
    /// needs ALTER on that schema (or CREATE SCHEMA while it does not exist). This check
    /// covers the default purge, which drops them.
    public func checkPartitionSwitching(
        _ connection: Connection, principal: String?, table: QualifiedName, grantee: String?
    ) throws -> PartitionSwitchCheck? {
        var parameters: [SQLValue] = [.string(table.schema), .string(table.name)]
        if let principal { parameters.insert(.string(principal), at: 0) }
        guard let row = try connection.query(
            SQLServerPermissionSQL.partitionSwitch(impersonating: principal != nil), parameters
        ).first, !row["object_id"].isNull
        else { return nil }

        let role = Principal.named(grantee ?? "")
        let objectGrant = { (permission: String, securable: Securable, type: ObjectType) in
            Grant(principal: role, permission: permission, securable: securable, objectType: type)
        }
        let required: [(column: String, grant: Grant)] = [
            ("can_alter_table", objectGrant(
                "ALTER", .object(schema: table.schema, name: table.name), .table)),
            ("can_create_table", objectGrant("CREATE TABLE", .database(), .database)),
            ("can_alter_schema", objectGrant("ALTER", .schema(table.schema), .schema)),
            ("can_alter_dataspace", objectGrant("ALTER ANY DATASPACE", .database(), .database)),
        ]
        let lacking = required.filter { row.bool($0.column) != true }.map(\.grant)
        var check = PartitionSwitchCheck(
            isPartitioned: row.bool("is_partitioned") ?? false,
            isAllowed: lacking.isEmpty,
            requirement: "SWITCH needs ALTER on \(table), the staging table needs CREATE TABLE "
                + "and ALTER on the schema \(table.schema), and MERGE of the emptied boundary "
                + "needs ALTER ANY DATASPACE",
            suggestedStatements: [])
        if let grantee, !lacking.isEmpty {
            check.suggestedStatements = lacking.map(grantStatement)
            check.cautions = Self.switchCautions(lacking, grantee: grantee, table: table)
        }
        return check
    }

    /// Says what the suggested grants allow beyond switching, as the PostgreSQL suggestion
    /// does for ownership.
    static func switchCautions(_ grants: [Grant], grantee: String, table: QualifiedName)
        -> [String]
    {
        var rights: [String] = []
        for grant in grants {
            switch (grant.permission, grant.securable.securableClass) {
            case ("ALTER", .object):
                rights.append(
                    "ALTER on \(table) lets \(grantee) change its columns, indexes and "
                        + "partitions")
            case ("ALTER", .schema):
                rights.append(
                    "ALTER on the schema \(table.schema) gives \(grantee) DDL rights over the "
                        + "whole schema: it may create, alter and drop every object in it")
            case ("CREATE TABLE", _):
                rights.append("CREATE TABLE applies to the whole database")
            case ("ALTER ANY DATASPACE", _):
                rights.append(
                    "ALTER ANY DATASPACE lets \(grantee) create, alter and drop every partition "
                        + "function and partition scheme of the database")
            default:
                continue
            }
        }
        return rights + [
            "Declare the grants in the permissions file too, or the check reports them as extra"
        ]
    }

    // MARK: - Statements

    public func grantStatement(_ grant: Grant) -> String {
        let option = grant.withGrantOption ? " WITH GRANT OPTION" : ""
        return "GRANT \(permission(grant))\(onClause(grant)) TO "
            + "\(principalReference(grant.principal))\(option);"
    }

    public func revokeStatement(_ grant: Grant, grantOptionOnly: Bool, cascade: Bool) -> String {
        let option = grantOptionOnly ? "GRANT OPTION FOR " : ""
        let cascadeClause = cascade ? " CASCADE" : ""
        return "REVOKE \(option)\(permission(grant))\(onClause(grant)) FROM "
            + "\(principalReference(grant.principal))\(cascadeClause);"
    }

    public func addMemberStatement(_ membership: Membership) -> String {
        "ALTER ROLE \(quoteIdentifier(membership.role)) ADD MEMBER "
            + "\(quoteIdentifier(membership.member));"
    }

    public func dropMemberStatement(_ membership: Membership) -> String {
        "ALTER ROLE \(quoteIdentifier(membership.role)) DROP MEMBER "
            + "\(quoteIdentifier(membership.member));"
    }

    private func permission(_ grant: Grant) -> String {
        guard let column = grant.securable.column else { return grant.permission }
        return "\(grant.permission) (\(quoteIdentifier(column)))"
    }

    /// Returns the ` ON class::name` clause. A database-level permission has none, because
    /// it applies to the current database.
    private func onClause(_ grant: Grant) -> String {
        let securable = grant.securable
        switch securable.securableClass {
        case .database:
            return ""
        case .schema:
            return " ON SCHEMA::\(quoteIdentifier(securable.name))"
        case .object:
            return " ON OBJECT::"
                + quote(QualifiedName(schema: securable.schema ?? "dbo", name: securable.name))
        case .other:
            // FixPlan leaves out a securable without a class keyword.
            let name =
                securable.schema.map { quote(QualifiedName(schema: $0, name: securable.name)) }
                ?? quoteIdentifier(securable.name)
            return " ON \(grant.objectType.transactSQLClass ?? "OBJECT")::\(name)"
        }
    }

    private func principalReference(_ principal: Principal) -> String {
        quoteIdentifier(principal.name ?? "public")
    }
}

/// The SQL Server catalog queries of verify-permissions. Values are `?` parameters.
enum SQLServerPermissionSQL {
    static let sessionPrincipal = "SELECT USER_NAME() AS name"

    /// A user can log in; roles (R) and application roles (A) cannot. `EXECUTE AS USER`
    /// takes SQL users (S), Windows users (U) and external users (E), but not Windows groups
    /// (G), external groups (X), or users mapped to a certificate (C) or an asymmetric key
    /// (K). The `dbo` user and members of db_owner pass every permission check.
    static let principal = """
        SELECT p.name AS name, p.type_desc AS type_desc,
            CASE WHEN p.type IN ('R', 'A') THEN 0 ELSE 1 END AS can_log_in,
            CASE WHEN p.type IN ('S', 'U', 'E') THEN 1 ELSE 0 END AS can_be_impersonated,
            CASE WHEN p.type = 'R' THEN 0
                WHEN p.name = N'dbo' OR IS_ROLEMEMBER(N'db_owner', p.name) = 1 THEN 1
                ELSE 0 END AS is_superuser
        FROM sys.database_principals AS p
        WHERE p.name = ?
        """

    static let currentDatabase = """
        SELECT d.name AS name, SUSER_SNAME(d.owner_sid) AS owner_name
        FROM sys.databases AS d
        WHERE d.database_id = DB_ID()
        """

    static let schema = """
        SELECT s.name AS name, USER_NAME(s.principal_id) AS owner_name
        FROM sys.schemas AS s
        WHERE s.name = ?
        """

    /// An object's owner is its own principal_id when set, else its schema's owner.
    static let object = """
        SELECT s.name AS schema_name, o.name AS object_name, o.type_desc AS type_desc,
            USER_NAME(COALESCE(o.principal_id, s.principal_id)) AS owner_name
        FROM sys.objects AS o
        INNER JOIN sys.schemas AS s ON s.schema_id = o.schema_id
        WHERE s.name = ? AND o.name = ? AND o.parent_object_id = 0
        """

    static let column = """
        SELECT c.name AS column_name
        FROM sys.columns AS c
        INNER JOIN sys.objects AS o ON o.object_id = c.object_id
        INNER JOIN sys.schemas AS s ON s.schema_id = o.schema_id
        WHERE s.name = ? AND o.name = ? AND c.name = ?
        """

    /// The columns and joins that read permission rows with the name of the securable.
    /// They name the database (class 0), objects and columns (1) and schemas (3). They also
    /// name users and roles (4), assemblies (5), types (6), XML schema collections (10),
    /// and keys and certificates (24 to 26). A row of another class has no name.
    private static let permissionRows = """
        SELECT dp.class AS class, dp.class_desc AS class_desc, dp.major_id AS major_id,
            dp.permission_name AS permission_name, dp.state_desc AS state_desc,
            p.name AS grantee_name, s.name AS schema_name, o.type_desc AS type_desc,
            c.name AS column_name, tp.type AS principal_type,
            CASE dp.class
                WHEN 0 THEN DB_NAME()
                WHEN 1 THEN o.name
                WHEN 3 THEN ss.name
                WHEN 4 THEN tp.name
                WHEN 5 THEN asm.name
                WHEN 6 THEN ty.name
                WHEN 10 THEN xc.name
                WHEN 24 THEN sk.name
                WHEN 25 THEN cer.name
                WHEN 26 THEN ak.name
            END AS securable_name,
            CASE dp.class
                WHEN 6 THEN SCHEMA_NAME(ty.schema_id)
                WHEN 10 THEN SCHEMA_NAME(xc.schema_id)
            END AS securable_schema
        FROM sys.database_permissions AS dp
        INNER JOIN sys.database_principals AS p ON p.principal_id = dp.grantee_principal_id
        LEFT JOIN sys.objects AS o ON dp.class = 1 AND o.object_id = dp.major_id
        LEFT JOIN sys.schemas AS s ON s.schema_id = o.schema_id
        LEFT JOIN sys.columns AS c
            ON dp.class = 1 AND dp.minor_id <> 0
                AND c.object_id = dp.major_id AND c.column_id = dp.minor_id
        LEFT JOIN sys.schemas AS ss ON dp.class = 3 AND ss.schema_id = dp.major_id
        LEFT JOIN sys.database_principals AS tp ON dp.class = 4 AND tp.principal_id = dp.major_id
        LEFT JOIN sys.assemblies AS asm ON dp.class = 5 AND asm.assembly_id = dp.major_id
        LEFT JOIN sys.types AS ty ON dp.class = 6 AND ty.user_type_id = dp.major_id
        LEFT JOIN sys.xml_schema_collections AS xc
            ON dp.class = 10 AND xc.xml_collection_id = dp.major_id
        LEFT JOIN sys.symmetric_keys AS sk ON dp.class = 24 AND sk.symmetric_key_id = dp.major_id
        LEFT JOIN sys.certificates AS cer ON dp.class = 25 AND cer.certificate_id = dp.major_id
        LEFT JOIN sys.asymmetric_keys AS ak
            ON dp.class = 26 AND ak.asymmetric_key_id = dp.major_id
        """

    /// The permission rows of one principal, on user objects only. CREATE USER grants the
    /// new user CONNECT on the database, so a user's own granted CONNECT is left out as part
    /// of being a user, but a DENY CONNECT is kept: it locks the user out of the database.
    static let grants = permissionRows + """

        WHERE p.name = ?
            AND (dp.class <> 1 OR o.is_ms_shipped = 0)
            AND NOT (
                dp.class = 0 AND dp.permission_name = N'CONNECT' AND dp.state = 'G'
                AND p.type <> 'R'
            )
        ORDER BY dp.class, s.name, securable_name, c.name, dp.permission_name
        """

    /// The DENY rows held by every role the principal belongs to, directly or through other
    /// roles. SQL Server rejects membership cycles; the depth limit only bounds the walk.
    static let inheritedDenials = """
        WITH role_chain AS (
            SELECT rm.role_principal_id, 1 AS depth
            FROM sys.database_role_members AS rm
            INNER JOIN sys.database_principals AS m ON m.principal_id = rm.member_principal_id
            WHERE m.name = ?
            UNION ALL
            SELECT rm.role_principal_id, rc.depth + 1 AS depth
            FROM sys.database_role_members AS rm
            INNER JOIN role_chain AS rc ON rc.role_principal_id = rm.member_principal_id
            WHERE rc.depth < 32
        )
        """ + "\n" + permissionRows + """

        WHERE dp.state = 'D'
            AND dp.grantee_principal_id IN (SELECT rc.role_principal_id FROM role_chain AS rc)
            AND (dp.class <> 1 OR o.is_ms_shipped = 0)
        ORDER BY p.name, dp.class, s.name, securable_name, c.name, dp.permission_name
        """

    /// Whether a table-level DENY overrides a column-level GRANT: only with the server
    /// option `common criteria compliance enabled`, which not every edition has.
    static let commonCriteria = """
        SELECT CAST(c.value_in_use AS int) AS enabled
        FROM sys.configurations AS c
        WHERE c.name = N'common criteria compliance enabled'
        """

    static let memberships = """
        SELECT r.name AS role_name, m.name AS member_name
        FROM sys.database_role_members AS rm
        INNER JOIN sys.database_principals AS r ON r.principal_id = rm.role_principal_id
        INNER JOIN sys.database_principals AS m ON m.principal_id = rm.member_principal_id
        WHERE r.name = ? OR m.name = ?
        ORDER BY r.name, m.name
        """

    // The HAS_PERMS_BY_NAME calls of the effective check. Parameters: the names, then the
    // permission, then for a column its name.
    static let databaseCheck = "HAS_PERMS_BY_NAME(DB_NAME(), N'DATABASE', ?)"
    static let schemaCheck = "HAS_PERMS_BY_NAME(QUOTENAME(?), N'SCHEMA', ?)"
    static let objectCheck = "HAS_PERMS_BY_NAME(QUOTENAME(?) + N'.' + QUOTENAME(?), N'OBJECT', ?)"
    static let columnCheck =
        "HAS_PERMS_BY_NAME(QUOTENAME(?) + N'.' + QUOTENAME(?), N'OBJECT', ?, ?, N'COLUMN')"

    /// Evaluates `check`, a HAS_PERMS_BY_NAME call, as the session or, impersonating, as
    /// the user named by the first parameter. The result is read after REVERT.
    ///
    /// NOTE: whether the server also ends an impersonation begun in a parameterized batch
    /// (sent as sp_executesql) when a statement fails before REVERT is not verified here.
    /// Between EXECUTE AS and REVERT the batch only assigns HAS_PERMS_BY_NAME results, which
    /// are NULL rather than an error for an unknown permission or securable.
    static func effectiveCheck(_ check: String, impersonating: Bool) -> String {
        impersonated(
            """
            DECLARE @allowed int;
            \(impersonating ? "EXECUTE AS USER = @principal;\n" : "")\
            SET @allowed = \(check);
            \(impersonating ? "REVERT;\n" : "")\
            SELECT @allowed AS allowed;
            """, impersonating: impersonating)
    }

    /// Reads whether the table exists and is partitioned as the session, then checks the
    /// four permissions as the user, because impersonation also limits what the catalog
    /// shows. Parameters: the schema and the table name.
    static func partitionSwitch(impersonating: Bool) -> String {
        impersonated(
            """
            DECLARE @schema sysname = ?;
            DECLARE @table nvarchar(300) = QUOTENAME(@schema) + N'.' + QUOTENAME(?);
            DECLARE @object_id int = OBJECT_ID(@table);
            DECLARE @is_partitioned int = CASE WHEN EXISTS (
                SELECT 1
                FROM sys.indexes AS i
                INNER JOIN sys.partition_schemes AS ps ON ps.data_space_id = i.data_space_id
                WHERE i.object_id = @object_id AND i.index_id IN (0, 1)
            ) THEN 1 ELSE 0 END;
            DECLARE @can_alter_table int;
            DECLARE @can_create_table int;
            DECLARE @can_alter_schema int;
            DECLARE @can_alter_dataspace int;
            \(impersonating ? "EXECUTE AS USER = @principal;\n" : "")\
            SET @can_alter_table = HAS_PERMS_BY_NAME(@table, N'OBJECT', N'ALTER');
            SET @can_create_table = HAS_PERMS_BY_NAME(DB_NAME(), N'DATABASE', N'CREATE TABLE');
            SET @can_alter_schema = HAS_PERMS_BY_NAME(QUOTENAME(@schema), N'SCHEMA', N'ALTER');
            SET @can_alter_dataspace =
                HAS_PERMS_BY_NAME(DB_NAME(), N'DATABASE', N'ALTER ANY DATASPACE');
            \(impersonating ? "REVERT;\n" : "")\
            SELECT @object_id AS object_id, @is_partitioned AS is_partitioned,
                @can_alter_table AS can_alter_table, @can_create_table AS can_create_table,
                @can_alter_schema AS can_alter_schema,
                @can_alter_dataspace AS can_alter_dataspace;
            """, impersonating: impersonating)
    }

    /// Prefixes the batch with the declaration of `@principal`, bound to the first `?`.
    private static func impersonated(_ batch: String, impersonating: Bool) -> String {
        guard impersonating else { return batch }
        return "DECLARE @principal sysname = ?;\n" + batch
    }
}
