/// The catalog queries and statements `verify-permissions` needs from a dialect.
///
/// Every query binds its values as `?` parameters, and every statement builder quotes names
/// with `quoteIdentifier`, so a name from the permissions file never becomes SQL text.
public protocol PermissionDialect: Sendable {
    /// The GRANT syntax of this dialect's permissions file.
    var grantSyntax: GrantSyntax { get }

    /// True when an object's owner holds every permission on it without a catalog row and
    /// cannot lose one, as on SQL Server. PostgreSQL keeps the owner's privileges in the ACL,
    /// where the owner can revoke them from itself, so there the ACL entries count.
    var ownersHoldEveryPermission: Bool { get }

    /// The privileges the server gives PUBLIC on every new object of a kind. The comparison
    /// shows them but does not count them as drift unless the file declares grants to PUBLIC.
    var defaultPublicPrivileges: Set<PrivilegeKind> { get }

    /// The permissions a purge by batched deletes needs, beyond those of the tables: the
    /// right to connect, and on PostgreSQL USAGE on the schema.
    var deletePurgeRequirements: [PurgeRequirement] { get }

    // MARK: - Catalog

    /// Returns the database user or role the session acts as: `USER_NAME()` on SQL Server,
    /// `current_user` on PostgreSQL.
    func sessionPrincipal(_ connection: Connection) throws -> String

    /// Looks up a database principal by name; nil when it does not exist.
    func readPrincipal(_ connection: Connection, named name: String) throws -> PrincipalInfo?

    /// Finds the catalog entry a declared securable names, with the catalog's spelling;
    /// nil when no such object, schema, database or column exists.
    ///
    /// - Throws: `SecurableLookupError` when the name matches something the session cannot
    ///   resolve: a routine in a schema it may not use, or an overloaded routine declared
    ///   without its argument types.
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

    /// Returns the DENY rows held by every role that `name` belongs to, directly or through
    /// other roles, each with the role as principal. Empty on PostgreSQL, which has no DENY.
    func readInheritedDenials(_ connection: Connection, of name: String) throws
        -> [CatalogGrant]

    /// Returns whether a DENY on a table overrides a GRANT on one of its columns. SQL Server
    /// lets the column GRANT win unless common criteria compliance is enabled.
    func readTableDenyOverridesColumnGrants(_ connection: Connection) throws -> Bool

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
    /// names, the member's declared role; with nil no statement is suggested. Returns nil
    /// when the table does not exist.
    func checkPartitionSwitching(
        _ connection: Connection, principal: String?, table: QualifiedName, grantee: String?
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
    /// True when the server can evaluate permissions as this principal. SQL Server's
    /// `EXECUTE AS USER` takes only SQL, Windows and external users, not a Windows group,
    /// a certificate or key user, an external group or a role. PostgreSQL checks any role.
    public var canBeImpersonated: Bool
    /// The catalog's kind of principal, such as `WINDOWS_GROUP`, for messages.
    public var kind: String?

    public init(
        name: String, canLogIn: Bool, isSuperuser: Bool, canBeImpersonated: Bool? = nil,
        kind: String? = nil
    ) {
        self.name = name
        self.canLogIn = canLogIn
        self.isSuperuser = isSuperuser
        self.canBeImpersonated = canBeImpersonated ?? canLogIn
        self.kind = kind
    }
}

/// A permission on a kind of object, such as EXECUTE on functions.
public struct PrivilegeKind: Hashable, Sendable {
    public var permission: String
    public var objectType: ObjectType

    public init(_ permission: String, on objectType: ObjectType) {
        self.permission = permission
        self.objectType = objectType
    }
}

/// A declared securable that exists but that the session cannot resolve to one catalog
/// entry.
public enum SecurableLookupError: Error, Hashable, Sendable {
    /// The session may not look into the schema, so the server cannot resolve the name.
    /// The text names the schema.
    case notVisible(String)
    /// The name matches several routines; the text lists their argument types.
    case ambiguous(String)
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
    /// The role that made the grant, where the dialect records it (PostgreSQL). A REVOKE
    /// removes only the grants its executing role made, so one by another grantor stays.
    public var grantor: String?
    /// The owner of the object, schema or database, where the dialect reads it with the
    /// grant (PostgreSQL).
    public var owner: String?

    public init(
        grant: Grant, state: PermissionState, grantor: String? = nil, owner: String? = nil
    ) {
        var grant = grant
        grant.withGrantOption = state == .grantWithGrantOption
        self.grant = grant
        self.state = state
        self.grantor = grantor
        self.owner = owner
    }

    /// True when the grantee owns the securable, so the row is one of the privileges that
    /// ownership gives (PostgreSQL's `acldefault` lists them for the owner).
    public var isHeldByOwner: Bool {
        owner != nil && grant.principal.name == owner
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
    /// Statements that would give the grantee what it lacks; empty when it is allowed or
    /// when there is no grantee to name.
    public var suggestedStatements: [String]
    /// Warnings that go with the suggested statements, one sentence each: the rights they
    /// give beyond switching, and the steps to take after running them.
    public var cautions: [String]

    public init(
        isPartitioned: Bool, isAllowed: Bool, requirement: String, suggestedStatements: [String],
        cautions: [String] = []
    ) {
        self.isPartitioned = isPartitioned
        self.isAllowed = isAllowed
        self.requirement = requirement
        self.suggestedStatements = suggestedStatements
        self.cautions = cautions
    }
}
