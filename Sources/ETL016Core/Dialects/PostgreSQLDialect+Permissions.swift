/// Permissions on PostgreSQL: ACLs read with `aclexplode`, role membership from
/// `pg_auth_members`, effective checks with the `has_*_privilege` functions.
///
/// An owner holds every privilege on what it owns: `acldefault` gives the owner all of them,
/// and they stay in the ACL, from which the owner may revoke them from itself. The grants
/// query therefore returns the owner's entries marked as the owner's, and the comparison
/// counts them. A NULL ACL means the built-in defaults, which `acldefault` spells out: PUBLIC
/// may execute every function and connect to every database unless someone revoked it.
extension PostgreSQLDialect {
    public var grantSyntax: GrantSyntax { .postgreSQL }

    public var ownersHoldEveryPermission: Bool { false }

    /// The privileges `acldefault` gives PUBLIC on new functions, procedures and databases
    /// (PostgreSQL 15 manual, "Privileges", table of default access privileges).
    public var defaultPublicPrivileges: Set<PrivilegeKind> {
        [
            PrivilegeKind("EXECUTE", on: .function), PrivilegeKind("EXECUTE", on: .procedure),
            PrivilegeKind("CONNECT", on: .database), PrivilegeKind("TEMPORARY", on: .database),
        ]
    }

    /// A session needs CONNECT on the database, and USAGE on the schema to reach any table
    /// in it, which `has_table_privilege` does not check.
    public var deletePurgeRequirements: [PurgeRequirement] {
        [
            PurgeRequirement("CONNECT", on: .database(), objectType: .database),
            PurgeRequirement(
                "USAGE", on: .schema(PurgeRequirements.factTable.schema), objectType: .schema),
        ]
    }

    public func sessionPrincipal(_ connection: Connection) throws -> String {
        try connection.scalar("SELECT current_user::text AS name").stringValue ?? ""
    }

    public func readPrincipal(_ connection: Connection, named name: String) throws
        -> PrincipalInfo?
    {
        guard let row = try connection.query(PostgreSQLPermissionSQL.principal, [.string(name)])
            .first, let canonical = row.string("name")
        else { return nil }
        return PrincipalInfo(
            name: canonical, canLogIn: row.bool("can_login") ?? false,
            isSuperuser: row.bool("is_superuser") ?? false, canBeImpersonated: true)
    }

    // MARK: - Securables

    public func resolveSecurable(
        _ connection: Connection, _ securable: Securable, declaredType: ObjectType
    ) throws -> ResolvedSecurable? {
        switch securable.securableClass {
        case .database:
            guard let row = try connection.query(PostgreSQLPermissionSQL.currentDatabase).first,
                let name = row.string("name"), securable.name.isEmpty || securable.name == name
            else { return nil }
            return ResolvedSecurable(
                securable: .database(name), objectType: .database, owner: row.string("owner_name"))
        case .schema:
            guard let row = try connection.query(
                PostgreSQLPermissionSQL.schema, [.string(securable.name)]).first,
                let name = row.string("name")
            else { return nil }
            return ResolvedSecurable(
                securable: .schema(name), objectType: .schema, owner: row.string("owner_name"))
        case .other:
            return nil
        case .object:
            if declaredType.isRoutine {
                guard securable.column == nil else { return nil }
                return try resolveRoutine(connection, securable)
            }
            return try resolveRelation(connection, securable, declaredType: declaredType)
        }
    }

    private func resolveRelation(
        _ connection: Connection, _ securable: Securable, declaredType: ObjectType
    ) throws -> ResolvedSecurable? {
        let sql =
            declaredType == .sequence
            ? PostgreSQLPermissionSQL.sequence : PostgreSQLPermissionSQL.relation
        guard let row = try connection.query(
            sql, [.string(securable.schema ?? ""), .string(securable.name)]).first,
            let schema = row.string("schema_name"), let name = row.string("object_name")
        else { return nil }

        var resolved = Securable.object(schema: schema, name: name)
        if let column = securable.column {
            guard let canonical = try connection.query(
                PostgreSQLPermissionSQL.column, [.string(schema), .string(name), .string(column)]
            ).first?.string("column_name")
            else { return nil }
            resolved.column = canonical
        }
        return ResolvedSecurable(
            securable: resolved,
            objectType: ObjectType(rawValue: row.string("object_kind") ?? "") ?? .table,
            owner: row.string("owner_name"))
    }

    /// Resolves a function or procedure. Without an argument list the name must be unique
    /// in its schema. With one, `to_regprocedure` reads the types the way GRANT does (`int`
    /// is `integer`), which needs USAGE on the schema.
    ///
    /// - Throws: `SecurableLookupError.ambiguous` for an overloaded name without argument
    ///   types, and `.notVisible` when the session may not use the schema and the declared
    ///   types are not spelled exactly as the catalog spells them.
    private func resolveRoutine(_ connection: Connection, _ securable: Securable) throws
        -> ResolvedSecurable?
    {
        let schema = securable.schema ?? ""
        let candidates = try connection.query(
            PostgreSQLPermissionSQL.routinesByName, [.string(schema), .string(securable.name)])
        guard !candidates.isEmpty else { return nil }

        guard let arguments = securable.arguments else {
            guard candidates.count == 1 else {
                let overloads = candidates.map { "(\($0.string("arguments") ?? ""))" }
                throw SecurableLookupError.ambiguous(
                    "\(securable) has \(candidates.count) overloads: "
                        + overloads.joined(separator: ", "))
            }
            return resolvedRoutine(candidates[0])
        }

        let rows: [Row]
        do {
            rows = try connection.query(
                PostgreSQLPermissionSQL.routineWithArguments,
                [.string(schema), .string(securable.name), .string(arguments)])
        } catch let error as DatabaseError where error.sqlState == "42501" {
            // 42501 (insufficient_privilege): no USAGE on the schema, so the server will not
            // resolve names in it. A declaration written as the catalog writes it still
            // matches.
            let written = Self.normalizedArguments(arguments)
            let matches = candidates.filter { row in
                Self.normalizedArguments(row.string("arguments") ?? "") == written
            }
            guard matches.count == 1 else {
                throw SecurableLookupError.notVisible(
                    "it has no USAGE on schema \(schema), so the server cannot resolve the "
                        + "argument types of \(securable)")
            }
            return resolvedRoutine(matches[0])
        } catch let error as DatabaseError where error.sqlState?.hasPrefix("42") == true {
            // Before PostgreSQL 16, to_regprocedure raises an error instead of returning NULL
            // for an argument type that does not exist: the routine is not found either way.
            return nil
        }
        return rows.first.flatMap(resolvedRoutine)
    }

    private func resolvedRoutine(_ row: Row) -> ResolvedSecurable? {
        guard let schema = row.string("schema_name"), let name = row.string("object_name")
        else { return nil }
        let arguments = row.string("arguments") ?? ""
        return ResolvedSecurable(
            securable: .object(schema: schema, name: name, arguments: arguments),
            objectType: row.string("object_kind") == "procedure" ? .procedure : .function,
            owner: row.string("owner_name"))
    }

    /// Returns an argument list in lower case without spaces, to compare a declaration with
    /// `oidvectortypes` output.
    static func normalizedArguments(_ text: String) -> String {
        String(text.lowercased().filter { !$0.isWhitespace })
    }

    // MARK: - Grants and memberships

    public func readGrants(_ connection: Connection, heldBy principal: Principal) throws
        -> [CatalogGrant]
    {
        let parameters: [SQLValue] = [
            .integer(principal == .public ? 1 : 0), .string(principal.name ?? ""),
        ]
        return try connection.query(PostgreSQLPermissionSQL.grants, parameters).compactMap {
            row in
            guard let permission = row.string("permission"),
                let securable = securable(from: row)
            else { return nil }
            let grant = Grant(
                principal: principal, permission: permission, securable: securable,
                objectType: ObjectType(rawValue: row.string("object_kind") ?? "") ?? .object)
            return CatalogGrant(
                grant: grant, state: row.bool("grantable") == true ? .grantWithGrantOption : .grant,
                grantor: row.string("grantor_name"), owner: row.string("owner_name"))
        }
    }

    private func securable(from row: Row) -> Securable? {
        guard let name = row.string("object_name") else { return nil }
        switch row.string("securable_class") {
        case "database": return .database(name)
        case "schema": return .schema(name)
        default:
            return .object(
                schema: row.string("schema_name") ?? "", name: name,
                arguments: row.string("arguments"), column: row.string("column_name"))
        }
    }

    public func readMemberships(_ connection: Connection, involving name: String) throws
        -> [CatalogMembership]
    {
        try connection.query(PostgreSQLPermissionSQL.memberships, [.string(name), .string(name)])
            .compactMap { row in
                guard let role = row.string("role_name"), let member = row.string("member_name")
                else { return nil }
                return CatalogMembership(
                    membership: Membership(role: role, member: member),
                    memberIsInert: row.bool("member_is_inert") ?? false)
            }
    }

    public func readInheritedDenials(_ connection: Connection, of name: String) throws
        -> [CatalogGrant]
    {
        []
    }

    public func readTableDenyOverridesColumnGrants(_ connection: Connection) throws -> Bool {
        false
    }

    // MARK: - Effective permissions

    public func hasEffectivePermission(
        _ connection: Connection, principal: String?, permission: String,
        on resolved: ResolvedSecurable
    ) throws -> Bool? {
        let securable = resolved.securable
        let user = principal == nil ? "current_user" : "?::name"
        var parameters: [SQLValue] = principal.map { [.string($0)] } ?? []
        let sql: String
        switch (securable.securableClass, resolved.objectType) {
        case (.other, _):
            return nil
        case (.database, _):
            sql = PostgreSQLPermissionSQL.databasePrivilege(user: user)
            parameters += [.string(permission)]
        case (.schema, _):
            sql = PostgreSQLPermissionSQL.schemaPrivilege(user: user)
            parameters += [.string(permission), .string(securable.name)]
        case (.object, let type) where type.isRoutine:
            sql = PostgreSQLPermissionSQL.functionPrivilege(user: user)
            parameters += [
                .string(permission), .string(securable.schema ?? ""), .string(securable.name),
                .string(securable.arguments ?? ""),
            ]
        case (.object, _) where securable.column != nil:
            sql = PostgreSQLPermissionSQL.columnPrivilege(user: user)
            parameters += [
                .string(securable.column ?? ""), .string(permission),
                .string(securable.schema ?? ""), .string(securable.name),
            ]
        case (.object, .sequence):
            sql = PostgreSQLPermissionSQL.sequencePrivilege(user: user)
            parameters += [
                .string(permission), .string(securable.schema ?? ""), .string(securable.name),
            ]
        case (.object, _):
            sql = PostgreSQLPermissionSQL.tablePrivilege(user: user)
            parameters += [
                .string(permission), .string(securable.schema ?? ""), .string(securable.name),
            ]
        }

        do {
            return try connection.query(sql, parameters).first?.bool("allowed")
        } catch let error as DatabaseError where error.sqlState == "22023" {
            // 22023 (invalid_parameter_value): the privilege does not apply to this kind of
            // object, such as EXECUTE on a table.
            return nil
        }
    }

    /// DETACH PARTITION needs ownership of the partitioned table, and dropping the detached
    /// partition needs ownership of it; no GRANT confers either. A member of the owning role
    /// has the owner's rights (`pg_has_role(..., 'USAGE')`), and so does a superuser.
    public func checkPartitionSwitching(
        _ connection: Connection, principal: String?, table: QualifiedName, grantee: String?
    ) throws -> PartitionSwitchCheck? {
        let user = principal == nil ? "current_user" : "?::name"
        let userParameters: [SQLValue] = principal.map { [.string($0)] } ?? []
        guard let row = try connection.query(
            PostgreSQLPermissionSQL.tableOwnership(user: user),
            userParameters + [.string(table.schema), .string(table.name)]).first
        else { return nil }

        let owner = row.string("owner_name") ?? "its owner"
        var notOwned: [OwnedTable] = []
        if row.bool("owns_table") != true {
            notOwned.append(
                OwnedTable(
                    name: table, owner: owner,
                    ownerIsSuperuser: row.bool("owner_is_superuser") ?? false))
        }
        notOwned += try connection.query(
            PostgreSQLPermissionSQL.partitionsNotOwned(user: user),
            userParameters + [.string(table.schema), .string(table.name)]
        ).compactMap { row -> OwnedTable? in
            guard let schema = row.string("schema_name"), let name = row.string("object_name")
            else { return nil }
            return OwnedTable(
                name: QualifiedName(schema: schema, name: name),
                owner: row.string("owner_name") ?? "",
                ownerIsSuperuser: row.bool("owner_is_superuser") ?? false)
        }

        var check = PartitionSwitchCheck(
            isPartitioned: row.string("relkind") == "p", isAllowed: notOwned.isEmpty,
            requirement: "DETACH PARTITION and DROP TABLE need ownership of \(table) and of "
                + "each partition, and no GRANT confers ownership (the owner is \(owner))",
            suggestedStatements: [])
        if let grantee, !notOwned.isEmpty {
            suggestOwnership(notOwned, to: grantee, member: principal, into: &check)
        }
        return check
    }

    /// A table that the checked principal does not own, with its owner.
    private struct OwnedTable {
        var name: QualifiedName
        var owner: String
        var ownerIsSuperuser: Bool
    }

    /// Suggests how `grantee` gets the owner's rights on each table: membership in an
    /// ordinary owning role, or ownership itself where the owner is a superuser, because
    /// granting a superuser role would give far more than ownership.
    private func suggestOwnership(
        _ tables: [OwnedTable], to grantee: String, member: String?,
        into check: inout PartitionSwitchCheck
    ) {
        let moved = tables.filter(\.ownerIsSuperuser).map(\.name)
        var owners: [String] = []
        for table in tables where !table.ownerIsSuperuser && !owners.contains(table.owner) {
            owners.append(table.owner)
        }

        for owner in owners where owner == grantee {
            check.cautions.append(
                "\(member ?? "The session") does not have the rights of \(grantee), which owns "
                    + "the table: add the declared membership of \(grantee) (--fix) first")
        }
        let roles = owners.filter { $0 != grantee }
        check.suggestedStatements += roles.map { owner in
            "GRANT \(quoteIdentifier(owner)) TO \(quoteIdentifier(grantee));"
        }
        check.suggestedStatements += moved.map { name in
            "ALTER TABLE \(quote(name)) OWNER TO \(quoteIdentifier(grantee));"
        }

        for owner in roles {
            check.cautions.append(
                "Membership in \(owner) gives \(grantee) every right of \(owner) on all that it "
                    + "owns, not only on these tables. Declare it in the permissions file as "
                    + "GRANT \(owner) TO \(grantee); or the check reports it as an extra "
                    + "membership")
        }
        if !moved.isEmpty {
            check.cautions.append(
                "Ownership also lets \(grantee) ALTER and DROP these tables and gives it every "
                    + "privilege on them, so weigh it against running the partition purge as "
                    + "the owner")
        }
    }

    // MARK: - Statements

    public func grantStatement(_ grant: Grant) -> String {
        let option = grant.withGrantOption ? " WITH GRANT OPTION" : ""
        return "GRANT \(privilege(grant)) ON \(objectReference(grant)) TO "
            + "\(principalReference(grant.principal))\(option);"
    }

    public func revokeStatement(_ grant: Grant, grantOptionOnly: Bool, cascade: Bool) -> String {
        let option = grantOptionOnly ? "GRANT OPTION FOR " : ""
        let cascadeClause = cascade ? " CASCADE" : ""
        return "REVOKE \(option)\(privilege(grant)) ON \(objectReference(grant)) FROM "
            + "\(principalReference(grant.principal))\(cascadeClause);"
    }

    public func addMemberStatement(_ membership: Membership) -> String {
        "GRANT \(quoteIdentifier(membership.role)) TO \(quoteIdentifier(membership.member));"
    }

    public func dropMemberStatement(_ membership: Membership) -> String {
        "REVOKE \(quoteIdentifier(membership.role)) FROM \(quoteIdentifier(membership.member));"
    }

    private func privilege(_ grant: Grant) -> String {
        guard let column = grant.securable.column else { return grant.permission }
        return "\(grant.permission) (\(quoteIdentifier(column)))"
    }

    /// Returns the object clause after ON. Routine arguments are the server's own `oidvectortypes`
    /// text, which quotes type names that need it.
    private func objectReference(_ grant: Grant) -> String {
        let securable = grant.securable
        switch securable.securableClass {
        case .database:
            return "DATABASE \(quoteIdentifier(securable.name))"
        case .schema:
            return "SCHEMA \(quoteIdentifier(securable.name))"
        case .object, .other:
            let name = quote(QualifiedName(schema: securable.schema ?? "", name: securable.name))
            let argumentList = securable.arguments.map { "(\($0))" } ?? ""
            switch grant.objectType {
            case .sequence: return "SEQUENCE \(name)"
            case .function: return "FUNCTION \(name)\(argumentList)"
            case .procedure: return "PROCEDURE \(name)\(argumentList)"
            default: return "TABLE \(name)"
            }
        }
    }

    private func principalReference(_ principal: Principal) -> String {
        principal.name.map(quoteIdentifier) ?? "PUBLIC"
    }
}

/// The PostgreSQL catalog queries of verify-permissions. Values are `?` parameters.
enum PostgreSQLPermissionSQL {
    static let principal = """
        SELECT r.rolname::text AS name, r.rolcanlogin::int AS can_login,
            r.rolsuper::int AS is_superuser
        FROM pg_roles AS r
        WHERE r.rolname = ?
        """

    static let currentDatabase = """
        SELECT d.datname::text AS name, pg_get_userbyid(d.datdba)::text AS owner_name
        FROM pg_database AS d
        WHERE d.datname = current_database()
        """

    static let schema = """
        SELECT n.nspname::text AS name, pg_get_userbyid(n.nspowner)::text AS owner_name
        FROM pg_namespace AS n
        WHERE n.nspname = ?
        """

    /// Finds a relation of the kinds GRANT ... ON TABLE accepts: tables, partitioned tables,
    /// views, materialized views and foreign tables.
    static let relation = """
        SELECT n.nspname::text AS schema_name, c.relname::text AS object_name,
            \(relationKind) AS object_kind, pg_get_userbyid(c.relowner)::text AS owner_name
        FROM pg_class AS c
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
        """

    static let sequence = """
        SELECT n.nspname::text AS schema_name, c.relname::text AS object_name,
            'sequence' AS object_kind, pg_get_userbyid(c.relowner)::text AS owner_name
        FROM pg_class AS c
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = ? AND c.relname = ? AND c.relkind = 'S'
        """

    static let column = """
        SELECT a.attname::text AS column_name
        FROM pg_attribute AS a
        JOIN pg_class AS c ON c.oid = a.attrelid
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = ? AND c.relname = ? AND a.attname = ? AND a.attnum > 0
            AND NOT a.attisdropped
        """

    static let routineWithArguments = routine(
        "p.oid = to_regprocedure(quote_ident(?) || '.' || quote_ident(?) || '(' || ? || ')')")

    /// Every routine of that schema and name, read from the catalog so that neither
    /// overloads nor a schema the session may not use hide them.
    static let routinesByName = routine("n.nspname = ? AND p.proname = ?") + "\nORDER BY 3"

    private static func routine(_ condition: String) -> String {
        """
        SELECT n.nspname::text AS schema_name, p.proname::text AS object_name,
            oidvectortypes(p.proargtypes) AS arguments,
            CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END AS object_kind,
            pg_get_userbyid(p.proowner)::text AS owner_name
        FROM pg_proc AS p
        JOIN pg_namespace AS n ON n.oid = p.pronamespace
        WHERE \(condition)
        """
    }

    private static let relationKind = """
        CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
            WHEN 'f' THEN 'foreign table' WHEN 'S' THEN 'sequence' ELSE 'table' END
        """

    /// Every ACL entry of one grantee on relations, columns, routines, schemas and the
    /// current database, outside `information_schema` and the `pg_` schemas, with its
    /// grantor and the owner of what it is on. Parameters: 1 for PUBLIC (grantee 0) or 0 for
    /// a role, then the role name.
    static let grants = """
        WITH grantee AS (
            SELECT CASE WHEN ? = 1 THEN 0::oid
                ELSE (SELECT r.oid FROM pg_roles AS r WHERE r.rolname = ?) END AS oid
        ),
        user_schemas AS (
            SELECT n.oid, n.nspname, n.nspowner, n.nspacl
            FROM pg_namespace AS n
            WHERE n.nspname <> 'information_schema' AND left(n.nspname, 3) <> 'pg_'
        ),
        relations AS (
            SELECT c.oid, s.nspname, c.relname, c.relowner, c.relacl, c.relkind,
                \(relationKind) AS object_kind
            FROM pg_class AS c
            JOIN user_schemas AS s ON s.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
        ),
        entries AS (
            SELECT 'object' AS securable_class, r.nspname::text AS schema_name,
                r.relname::text AS object_name, NULL::text AS arguments,
                NULL::text AS column_name, r.object_kind, r.relowner AS owner_oid,
                a.grantor, a.grantee, a.privilege_type, a.is_grantable
            FROM relations AS r
            CROSS JOIN LATERAL aclexplode(COALESCE(r.relacl, acldefault(
                CASE WHEN r.relkind = 'S' THEN 's'::"char" ELSE 'r'::"char" END,
                r.relowner))) AS a
            UNION ALL
            SELECT 'object', r.nspname::text, r.relname::text, NULL, att.attname::text,
                r.object_kind, r.relowner, a.grantor, a.grantee, a.privilege_type,
                a.is_grantable
            FROM relations AS r
            JOIN pg_attribute AS att
                ON att.attrelid = r.oid AND att.attnum > 0 AND NOT att.attisdropped
            CROSS JOIN LATERAL aclexplode(att.attacl) AS a
            UNION ALL
            SELECT 'object', s.nspname::text, p.proname::text, oidvectortypes(p.proargtypes),
                NULL, CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
                p.proowner, a.grantor, a.grantee, a.privilege_type, a.is_grantable
            FROM pg_proc AS p
            JOIN user_schemas AS s ON s.oid = p.pronamespace
            CROSS JOIN LATERAL aclexplode(COALESCE(p.proacl, acldefault('f', p.proowner))) AS a
            UNION ALL
            SELECT 'schema', NULL, s.nspname::text, NULL, NULL, 'schema', s.nspowner,
                a.grantor, a.grantee, a.privilege_type, a.is_grantable
            FROM user_schemas AS s
            CROSS JOIN LATERAL aclexplode(COALESCE(s.nspacl, acldefault('n', s.nspowner))) AS a
            UNION ALL
            SELECT 'database', NULL, d.datname::text, NULL, NULL, 'database', d.datdba,
                a.grantor, a.grantee, a.privilege_type, a.is_grantable
            FROM pg_database AS d
            CROSS JOIN LATERAL aclexplode(COALESCE(d.datacl, acldefault('d', d.datdba))) AS a
            WHERE d.datname = current_database()
        )
        SELECT e.securable_class, e.schema_name, e.object_name, e.arguments, e.column_name,
            e.object_kind, e.privilege_type::text AS permission, e.is_grantable::int AS grantable,
            pg_get_userbyid(e.grantor)::text AS grantor_name,
            pg_get_userbyid(e.owner_oid)::text AS owner_name
        FROM entries AS e
        WHERE e.grantee = (SELECT g.oid FROM grantee AS g)
        ORDER BY 1, 2, 3, 4, 5, 7, 9
        """

    /// Memberships where the name is the role or the member. A member is inert when it is a
    /// NOLOGIN role that has no members itself.
    static let memberships = """
        SELECT r.rolname::text AS role_name, m.rolname::text AS member_name,
            (NOT m.rolcanlogin AND NOT EXISTS (
                SELECT 1 FROM pg_auth_members AS x WHERE x.roleid = m.oid))::int AS member_is_inert
        FROM pg_auth_members AS am
        JOIN pg_roles AS r ON r.oid = am.roleid
        JOIN pg_roles AS m ON m.oid = am.member
        WHERE r.rolname = ? OR m.rolname = ?
        ORDER BY 1, 2
        """

    // The privilege checks take the user as `?::name` or `current_user`, which the caller
    // chooses; every other value is a parameter.

    static func databasePrivilege(user: String) -> String {
        """
        SELECT has_database_privilege(\(user), d.oid, ?)::int AS allowed
        FROM pg_database AS d
        WHERE d.datname = current_database()
        """
    }

    static func schemaPrivilege(user: String) -> String {
        """
        SELECT has_schema_privilege(\(user), n.oid, ?)::int AS allowed
        FROM pg_namespace AS n
        WHERE n.nspname = ?
        """
    }

    static func functionPrivilege(user: String) -> String {
        """
        SELECT has_function_privilege(\(user), p.oid, ?)::int AS allowed
        FROM pg_proc AS p
        JOIN pg_namespace AS n ON n.oid = p.pronamespace
        WHERE n.nspname = ? AND p.proname = ? AND oidvectortypes(p.proargtypes) = ?
        """
    }

    static func columnPrivilege(user: String) -> String {
        """
        SELECT has_column_privilege(\(user), c.oid, ?::text, ?)::int AS allowed
        FROM pg_class AS c
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = ? AND c.relname = ?
        """
    }

    static func sequencePrivilege(user: String) -> String {
        """
        SELECT has_sequence_privilege(\(user), c.oid, ?)::int AS allowed
        FROM pg_class AS c
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = ? AND c.relname = ?
        """
    }

    static func tablePrivilege(user: String) -> String {
        """
        SELECT has_table_privilege(\(user), c.oid, ?)::int AS allowed
        FROM pg_class AS c
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = ? AND c.relname = ?
        """
    }

    static func tableOwnership(user: String) -> String {
        """
        SELECT c.relkind::text AS relkind, o.rolname::text AS owner_name,
            o.rolsuper::int AS owner_is_superuser,
            pg_has_role(\(user), c.relowner, 'USAGE')::int AS owns_table
        FROM pg_class AS c
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        JOIN pg_roles AS o ON o.oid = c.relowner
        WHERE n.nspname = ? AND c.relname = ?
        """
    }

    static func partitionsNotOwned(user: String) -> String {
        """
        SELECT pn.nspname::text AS schema_name, p.relname::text AS object_name,
            po.rolname::text AS owner_name, po.rolsuper::int AS owner_is_superuser
        FROM pg_class AS c
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        JOIN pg_inherits AS i ON i.inhparent = c.oid
        JOIN pg_class AS p ON p.oid = i.inhrelid
        JOIN pg_namespace AS pn ON pn.oid = p.relnamespace
        JOIN pg_roles AS po ON po.oid = p.relowner
        WHERE NOT pg_has_role(\(user), p.relowner, 'USAGE') AND n.nspname = ? AND c.relname = ?
        ORDER BY 1, 2
        """
    }
}
