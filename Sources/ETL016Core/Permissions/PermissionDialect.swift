/// The catalog queries and statements `verify-permissions` needs from a dialect.
///
/// Every query binds its values as `?` parameters, and every statement builder quotes names
/// with `quoteIdentifier`, so a name from the permissions file never becomes SQL text.
public protocol PermissionDialect: Sendable {
    /// The GRANT syntax of this dialect's permissions file.
    var grantSyntax: GrantSyntax { get }

    // MARK: - Catalog

    /// Returns the database user or role the session acts as: `USER_NAME()` on SQL Server,
    /// `current_user` on PostgreSQL.
    func sessionPrincipal(_ connection: Connection) throws -> String

    /// Looks up a database principal by name; nil when it does not exist.
    func readPrincipal(_ connection: Connection, named name: String) throws -> PrincipalInfo?

    /// Finds the catalog entry a declared securable names, with the catalog's spelling;
    /// nil when no such object, schema, database or column exists.
    func resolveSecurable(
        _ connection: Connection, _ securable: Securable, declaredType: ObjectType
    ) throws -> ResolvedSecurable?

    /// Returns every permission held directly by `principal` in the current database,
    /// including DENY entries, outside the system schemas. An owner's implicit rights on
    /// what it owns are not grants and are left out.
    func readGrants(_ connection: Connection, heldBy principal: Principal) throws
        -> [CatalogGrant]

    /// Returns the role memberships in which `name` is the role or the member.
    func readMemberships(_ connection: Connection, involving name: String) throws
        -> [CatalogMembership]

    // MARK: - Effective permissions

    /// Returns whether `principal` (or the session, when nil) may use `permission` on the
    /// securable, through any role, PUBLIC or a wider grant, and after any DENY. Returns nil
    /// when the server cannot evaluate the permission name for that kind of securable.
    func hasEffectivePermission(
        _ connection: Connection, principal: String?, permission: String,
        on securable: ResolvedSecurable
    ) throws -> Bool?

    /// Checks whether `principal` (or the session, when nil) may remove whole partitions of
    /// `table`, and what to grant when it may not. `grantee` is the principal the suggestion
    /// names, usually the member's role. Returns nil when the table does not exist.
    func checkPartitionSwitching(
        _ connection: Connection, principal: String?, table: QualifiedName, grantee: String
    ) throws -> PartitionSwitchCheck?

    // MARK: - Statements

    /// Builds the GRANT statement for `grant`, with `WITH GRANT OPTION` when it has one.
    func grantStatement(_ grant: Grant) -> String

    /// Builds the REVOKE statement that removes `grant`, or only its grant option.
    ///
    /// On SQL Server the same statement also removes a DENY of the permission. `cascade`
    /// also revokes what the grantee granted on to others, which both servers require when
    /// the grantee held the grant option.
    func revokeStatement(_ grant: Grant, grantOptionOnly: Bool, cascade: Bool) -> String

    func addMemberStatement(_ membership: Membership) -> String

    func dropMemberStatement(_ membership: Membership) -> String
}

/// A database principal as the catalog describes it.
public struct PrincipalInfo: Hashable, Sendable {
    /// The name as the catalog spells it.
    public var name: String
    /// True for a principal a session can act as: a SQL Server user, or a PostgreSQL role
    /// with LOGIN.
    public var canLogIn: Bool
    /// True for a PostgreSQL superuser, or on SQL Server the `dbo` user or a member of
    /// `db_owner`, any of which passes every permission check.
    public var isSuperuser: Bool

    public init(name: String, canLogIn: Bool, isSuperuser: Bool) {
        self.name = name
        self.canLogIn = canLogIn
        self.isSuperuser = isSuperuser
    }
}

/// The catalog entry a declared securable resolved to.
public struct ResolvedSecurable: Hashable, Sendable {
    /// The securable with the catalog's spelling and, for a PostgreSQL routine, its
    /// argument types.
    public var securable: Securable
    public var objectType: ObjectType
    /// The owning principal, as the catalog names it.
    public var owner: String?

    public init(securable: Securable, objectType: ObjectType, owner: String?) {
        self.securable = securable
        self.objectType = objectType
        self.owner = owner
    }
}

/// The state of a permission row, as SQL Server's `sys.database_permissions.state` records it.
/// PostgreSQL has no DENY, so its rows are grants with or without the grant option.
public enum PermissionState: String, Sendable {
    case grant = "GRANT"
    case grantWithGrantOption = "GRANT_WITH_GRANT_OPTION"
    case deny = "DENY"
}

/// One permission row read from the catalog.
public struct CatalogGrant: Hashable, Sendable {
    public var grant: Grant
    public var state: PermissionState

    public init(grant: Grant, state: PermissionState) {
        var grant = grant
        grant.withGrantOption = state == .grantWithGrantOption
        self.grant = grant
        self.state = state
    }
}

/// One role membership read from the catalog.
public struct CatalogMembership: Hashable, Sendable {
    public var membership: Membership
    /// True for a PostgreSQL member that can neither log in nor pass the role on, because it
    /// is a NOLOGIN role with no members of its own. No session can act as it except a
    /// superuser's, so it cannot use the role.
    public var memberIsInert: Bool

    public init(membership: Membership, memberIsInert: Bool = false) {
        self.membership = membership
        self.memberIsInert = memberIsInert
    }
}

/// Whether a principal may remove whole partitions of the fact table.
public struct PartitionSwitchCheck: Sendable {
    /// True when the table is partitioned, so there are partitions to switch or detach.
    public var isPartitioned: Bool
    public var isAllowed: Bool
    /// The server's requirement in one sentence, such as "SWITCH needs ALTER on the table".
    public var requirement: String
    /// Statements that would give the grantee what it lacks; empty when it is allowed.
    public var suggestedStatements: [String]

    public init(
        isPartitioned: Bool, isAllowed: Bool, requirement: String, suggestedStatements: [String]
    ) {
        self.isPartitioned = isPartitioned
        self.isAllowed = isAllowed
        self.requirement = requirement
        self.suggestedStatements = suggestedStatements
    }
}
