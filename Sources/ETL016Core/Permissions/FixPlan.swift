/// One statement of a fix, with what it does.
public struct FixStatement: Hashable, Sendable {
    public enum Action: String, Sendable {
        /// Removes a DENY that overrides a declared grant.
        case revokeDeny = "revoke deny"
        case grant
        case addMember = "add member"
        case revoke
        case revokeGrantOption = "revoke grant option"
        case dropMember = "drop member"
    }

    public var action: Action
    public var sql: String

    public init(action: Action, sql: String) {
        self.action = action
        self.sql = sql
    }
}

/// The statements that bring the database to the declared permissions.
///
/// `--fix` removes the DENY entries that override declared grants, then grants what is missing
/// and adds missing members. `--revoke-extra` also revokes extra grants and grant options and
/// drops extra members. Entries whose principal or object does not exist cannot be fixed by a
/// GRANT and are listed in `skipped`, because creating roles and objects is the migrations' work.
public struct FixPlan: Sendable {
    public var statements: [FixStatement] = []
    /// One sentence per entry the plan leaves alone, and why.
    public var skipped: [String] = []

    public init(statements: [FixStatement] = [], skipped: [String] = []) {
        self.statements = statements
        self.skipped = skipped
    }

    public static func build(
        _ result: ComparisonResult, revokeExtra: Bool, dialect: any PermissionDialect
    ) -> FixPlan {
        var plan = FixPlan()

        // A DENY wins over any GRANT on SQL Server, so it goes first. REVOKE removes a DENY
        // row as it removes a GRANT row.
        for denied in result.denied {
            plan.append(
                .revokeDeny,
                dialect.revokeStatement(denied.deny, grantOptionOnly: false, cascade: false))
        }

        for entry in result.missing {
            if let reason = entry.reason, reason.blocksFix {
                plan.skipped.append("\(describe(entry)): \(reason)")
                continue
            }
            switch entry.subject {
            case .grant(let grant):
                plan.append(.grant, dialect.grantStatement(grant))
            case .membership(let membership):
                plan.append(.addMember, dialect.addMemberStatement(membership))
            }
        }

        guard revokeExtra else { return plan }
        for entry in result.extra {
            switch entry.subject {
            case .grant(let grant):
                plan.append(
                    entry.grantOptionOnly ? .revokeGrantOption : .revoke,
                    dialect.revokeStatement(
                        grant, grantOptionOnly: entry.grantOptionOnly,
                        cascade: grant.withGrantOption))
            case .membership(let membership):
                plan.append(.dropMember, dialect.dropMemberStatement(membership))
            }
        }
        return plan
    }

    private mutating func append(_ action: FixStatement.Action, _ sql: String) {
        let statement = FixStatement(action: action, sql: sql)
        if !statements.contains(statement) { statements.append(statement) }
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
