/// One statement of a fix, with what it does.
public struct FixStatement: Hashable, Sendable {
    public enum Action: String, Sendable {
        case revoke
        case revokeGrantOption = "revoke grant option"
        /// Removes a DENY that overrides a declared grant.
        case revokeDeny = "revoke deny"
        /// Replaces a user's DENY CONNECT with the CONNECT that CREATE USER gave it.
        case grantOverDeny = "grant over deny"
        case grant
        /// Grants a declared column permission again, after a table-level REVOKE of the
        /// same permission in this fix removed it.
        case regrant = "grant again"
        case dropMember = "drop member"
        case addMember = "add member"
    }

    public var action: Action
    public var sql: String
    /// The entry the statement fixes, to match it with what remains after the fix.
    public var subject: DriftEntry.Subject?
    /// The server's warning when it ran the statement but changed nothing or not everything,
    /// such as PostgreSQL's "no privileges were granted". It is nil until the statement
    /// runs, and stays nil when the statement did its work.
    public var serverWarning: String?

    public init(
        action: Action, sql: String, subject: DriftEntry.Subject? = nil,
        serverWarning: String? = nil
    ) {
        self.action = action
        self.sql = sql
        self.subject = subject
        self.serverWarning = serverWarning
    }
}

/// The statements that bring the database to the declared permissions.
///
/// The statements run in this order, in one transaction:
/// 1. with `--revoke-extra`, a REVOKE for each extra grant or grant option;
/// 2. a REVOKE for each DENY that overrides a declared grant (a GRANT CONNECT for a user's
///    DENY CONNECT);
/// 3. a GRANT for each missing grant, then a GRANT for each declared column grant that a
///    table-level REVOKE in steps 1 and 2 removes. PostgreSQL applies a table-level REVOKE
///    of SELECT, INSERT, UPDATE or REFERENCES to every column of the table too;
/// 4. with `--revoke-extra`, the removal of each extra membership, then the missing
///    memberships.
///
/// Revokes come first so that none of them undoes a grant of the same fix. Entries whose
/// principal or object does not exist cannot be fixed by a GRANT and are listed in
/// `skipped`, because creating roles and objects is the migrations' work.
public struct FixPlan: Sendable {
    public var statements: [FixStatement] = []
    /// One sentence per entry the plan leaves alone, and why.
    public var skipped: [String] = []

    public init(statements: [FixStatement] = [], skipped: [String] = []) {
        self.statements = statements
        self.skipped = skipped
    }

    /// Builds the plan for `result`.
    ///
    /// - Throws: `ConfigurationError` when `revokeExtra` is set and a declared principal
    ///   does not exist. A mistyped `--var` value makes the real member look extra, and
    ///   revoking it would remove a membership the file means to keep.
    public static func build(
        _ result: ComparisonResult, revokeExtra: Bool, dialect: any PermissionDialect
    ) throws -> FixPlan {
        if revokeExtra { try rejectMissingPrincipals(result) }
        var plan = FixPlan()
        var tableRevokes: [(grant: Grant, grantOptionOnly: Bool)] = []

        if revokeExtra {
            // NOTE: a PostgreSQL REVOKE removes only the grants of the role that runs it (the
            // owner's, for a superuser), so an extra grant another role made stays. The
            // report names that grantor (`grantedBy`) after the fix.
            for entry in result.extra {
                guard case .grant(let grant) = entry.subject else { continue }
                guard canName(grant) else {
                    plan.skipped.append(
                        "\(describe(entry)): the statement for this kind of securable is not "
                            + "known, so revoke it by hand")
                    continue
                }
                plan.append(
                    entry.grantOptionOnly ? .revokeGrantOption : .revoke,
                    dialect.revokeStatement(
                        grant, grantOptionOnly: entry.grantOptionOnly,
                        cascade: grant.withGrantOption),
                    entry.subject)
                tableRevokes.append((grant, entry.grantOptionOnly))
            }
        }

        for denied in result.denied {
            plan.addDenyRemoval(denied, dialect: dialect, tableRevokes: &tableRevokes)
        }

        for entry in result.missing {
            guard case .grant(let grant) = entry.subject else { continue }
            if let reason = entry.reason, reason.blocksFix {
                plan.skipped.append("\(describe(entry)): \(reason)")
                continue
            }
            plan.append(.grant, dialect.grantStatement(grant), entry.subject)
        }
        plan.addRegrants(tableRevokes, result, dialect: dialect)

        if revokeExtra {
            for entry in result.extra {
                guard case .membership(let membership) = entry.subject else { continue }
                plan.append(.dropMember, dialect.dropMemberStatement(membership), entry.subject)
            }
        }
        for entry in result.missing {
            guard case .membership(let membership) = entry.subject else { continue }
            if let reason = entry.reason, reason.blocksFix {
                plan.skipped.append("\(describe(entry)): \(reason)")
                continue
            }
            plan.append(.addMember, dialect.addMemberStatement(membership), entry.subject)
        }
        return plan
    }

    // MARK: - Steps

    /// Rejects `--revoke-extra` while a declared principal is missing, naming each.
    private static func rejectMissingPrincipals(_ result: ComparisonResult) throws {
        var order: [String] = []
        var firstLine: [String: Int] = [:]
        for entry in result.missing {
            guard case .principalNotFound(let name) = entry.reason, !order.contains(name)
            else { continue }
            order.append(name)
            firstLine[name] = entry.line
        }
        guard !order.isEmpty else { return }
        let missing = order.map { name in firstLine[name].map { "\(name) (line \($0))" } ?? name }
        let names = missing.joined(separator: ", ")
        throw ConfigurationError(
            "--revoke-extra changed nothing, because the declared "
                + (missing.count == 1 ? "principal \(names) does" : "principals \(names) do")
                + " not exist. While a declared role or member is missing, the principals the "
                + "file meant can look extra, and revoking them could remove a membership that "
                + "other databases on the server also use. Check the --var values and the "
                + "names in the permissions file, or run migrate to create the principals, then "
                + "run again. --fix without --revoke-extra grants what is missing and revokes "
                + "nothing.")
    }

    /// Adds the statement that removes a DENY, or explains why it is left alone.
    private mutating func addDenyRemoval(
        _ denied: DeniedEntry, dialect: any PermissionDialect,
        tableRevokes: inout [(grant: Grant, grantOptionOnly: Bool)]
    ) {
        if let member = denied.inheritedBy {
            skipped.append(
                "DENY \(denied.deny.permission) on \(denied.deny.securable) to "
                    + "\(denied.deny.principal): the role is not declared in the file, and "
                    + "\(member) gets the DENY by belonging to it. Revoke the DENY from the role, "
                    + "or take \(member) out of the role")
            return
        }
        if denied.fixByGrant {
            var grant = denied.deny
            grant.withGrantOption = false
            append(.grantOverDeny, dialect.grantStatement(grant), .grant(denied.overrides))
            return
        }
        append(
            .revokeDeny,
            dialect.revokeStatement(denied.deny, grantOptionOnly: false, cascade: false),
            .grant(denied.overrides))
        tableRevokes.append((denied.deny, false))
    }

    /// Grants again each declared column permission that a table-level REVOKE of this plan
    /// removes, unless the plan grants it already.
    ///
    /// NOTE: on SQL Server the plan assumes that a REVOKE on a table also removes the column
    /// rows of that permission, as on PostgreSQL. That was not checked against a server; if
    /// the rows survive, the extra GRANT only repeats them.
    private mutating func addRegrants(
        _ tableRevokes: [(grant: Grant, grantOptionOnly: Bool)], _ result: ComparisonResult,
        dialect: any PermissionDialect
    ) {
        for revoke in tableRevokes
        where revoke.grant.securable.securableClass == .object
            && revoke.grant.securable.column == nil
        {
            for declared in result.declaredGrants.map(\.grant)
            where declared.securable.column != nil
                && declared.principal == revoke.grant.principal
                && declared.permission == revoke.grant.permission
                && declared.securable.withoutColumn == revoke.grant.securable
                && (!revoke.grantOptionOnly || declared.withGrantOption)
            {
                let sql = dialect.grantStatement(declared)
                guard !statements.contains(where: { $0.sql == sql }) else { continue }
                append(.regrant, sql, .grant(declared))
            }
        }
    }

    private mutating func append(
        _ action: FixStatement.Action, _ sql: String, _ subject: DriftEntry.Subject?
    ) {
        guard !statements.contains(where: { $0.sql == sql }) else { return }
        statements.append(FixStatement(action: action, sql: sql, subject: subject))
    }

    /// Returns false for a SQL Server securable whose class the statement builders cannot
    /// write.
    private static func canName(_ grant: Grant) -> Bool {
        grant.securable.securableClass != .other || grant.objectType.transactSQLClass != nil
    }

    private static func describe(_ entry: DriftEntry) -> String {
        switch entry.subject {
        case .grant(let grant):
            return "\(grant.permission) on \(grant.securable) for \(grant.principal)"
        case .membership(let membership):
            return "membership of \(membership.member) in \(membership.role)"
        }
    }
}
