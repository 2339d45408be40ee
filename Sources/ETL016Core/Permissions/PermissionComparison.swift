/// The catalog state of the declared principals, read by `PermissionVerifier` and compared
/// by `PermissionComparison`.
public struct CatalogSnapshot: Sendable {
    /// The declared principals that exist, keyed by the name the file uses. PUBLIC always
    /// exists and is not listed.
    public var principals: [Principal: PrincipalInfo]
    /// The declared securables that exist, keyed by the securable as the file names it.
    public var securables: [Securable: ResolvedSecurable]
    /// The declared securables that exist but that the session could not resolve, keyed
    /// like `securables`.
    public var unresolved: [Securable: SecurableLookupError]
    /// The permission rows held by the existing declared principals and by PUBLIC.
    public var grants: [CatalogGrant]
    /// The DENY rows held by roles that a declared principal belongs to, directly or
    /// through other roles.
    public var inheritedDenials: [InheritedDenial]
    /// The memberships in which an existing declared principal is the role or the member.
    public var memberships: [CatalogMembership]
    /// True when an owner holds every permission on what it owns without a catalog row
    /// (SQL Server); see `PermissionDialect.ownersHoldEveryPermission`.
    public var ownersHoldEveryPermission: Bool
    /// True when a DENY on a table overrides a GRANT on one of its columns.
    public var tableDenyOverridesColumnGrants: Bool
    /// The privileges the server gives PUBLIC by default, shown but not counted as drift.
    public var defaultPublicPrivileges: Set<PrivilegeKind>

    public init(
        principals: [Principal: PrincipalInfo] = [:],
        securables: [Securable: ResolvedSecurable] = [:],
        unresolved: [Securable: SecurableLookupError] = [:], grants: [CatalogGrant] = [],
        inheritedDenials: [InheritedDenial] = [], memberships: [CatalogMembership] = [],
        ownersHoldEveryPermission: Bool = false, tableDenyOverridesColumnGrants: Bool = false,
        defaultPublicPrivileges: Set<PrivilegeKind> = []
    ) {
        self.principals = principals
        self.securables = securables
        self.unresolved = unresolved
        self.grants = grants
        self.inheritedDenials = inheritedDenials
        self.memberships = memberships
        self.ownersHoldEveryPermission = ownersHoldEveryPermission
        self.tableDenyOverridesColumnGrants = tableDenyOverridesColumnGrants
        self.defaultPublicPrivileges = defaultPublicPrivileges
    }
}

/// A DENY held by a role that a declared principal belongs to, so that it applies to the
/// principal too.
public struct InheritedDenial: Hashable, Sendable {
    /// The DENY row, with the role that holds it as principal.
    public var deny: Grant
    /// The declared principal that belongs to the role, directly or through other roles.
    public var member: String

    public init(deny: Grant, member: String) {
        self.deny = deny
        self.member = member
    }
}

/// One entry of the `missing` or `extra` list: a grant or a membership.
public struct DriftEntry: Hashable, Sendable {
    public enum Subject: Hashable, Sendable {
        case grant(Grant)
        case membership(Membership)
    }

    public var subject: Subject
    /// The line of the declaring statement, for a missing entry.
    public var line: Int?
    /// The reason a missing entry is missing, when more than the grant is absent.
    public var reason: DriftReason?
    /// True for an extra entry where only the grant option is undeclared: the permission
    /// itself is declared.
    public var grantOptionOnly: Bool
    /// For an extra PostgreSQL grant, the grantors other than the object's owner. A REVOKE
    /// run by the owner or a superuser removes only the owner's grants, so these stay until
    /// revoked as the grantor.
    public var grantedBy: [String]
    /// The server's message when the statement of a fix for this entry changed nothing.
    public var fixResult: String?

    public init(
        subject: Subject, line: Int? = nil, reason: DriftReason? = nil,
        grantOptionOnly: Bool = false, grantedBy: [String] = [], fixResult: String? = nil
    ) {
        self.subject = subject
        self.line = line
        self.reason = reason
        self.grantOptionOnly = grantOptionOnly
        self.grantedBy = grantedBy
        self.fixResult = fixResult
    }
}

/// The reason a declared grant or membership is missing, beyond the grant being absent.
public enum DriftReason: Hashable, Sendable, CustomStringConvertible {
    /// The named role or user does not exist.
    case principalNotFound(String)
    /// The object, schema, database or column does not exist; the text describes it.
    case securableNotFound(String)
    /// The object exists, but the session may not use its schema, so the server cannot
    /// resolve the name. The text names the schema.
    case securableNotVisible(String)
    /// The routine is overloaded and the file gives no argument types; the text lists them.
    case ambiguousRoutine(String)
    /// The permission is granted, but without the declared `WITH GRANT OPTION`.
    case grantOptionNotHeld
    /// The grantee owns the object and revoked the privilege from itself (PostgreSQL).
    case revokedByOwner

    public var description: String {
        switch self {
        case .principalNotFound(let name): return "\(name) does not exist"
        case .securableNotFound(let what): return "\(what) not found"
        case .securableNotVisible(let why): return "not visible to this login: \(why)"
        case .ambiguousRoutine(let overloads):
            return "ambiguous: give the argument types, because \(overloads)"
        case .grantOptionNotHeld: return "held without the declared grant option"
        case .revokedByOwner: return "the grantee owns the object and revoked it from itself"
        }
    }

    /// True when a GRANT cannot fix the entry, because what it names does not exist or the
    /// declaration does not name one object.
    public var blocksFix: Bool {
        switch self {
        case .principalNotFound, .securableNotFound, .securableNotVisible, .ambiguousRoutine:
            return true
        case .grantOptionNotHeld, .revokedByOwner:
            return false
        }
    }
}

/// A SQL Server DENY that overrides a declared grant.
public struct DeniedEntry: Hashable, Sendable {
    /// The DENY row: its principal may be the grantee, one of its members, PUBLIC, or a role
    /// that one of them belongs to, and its securable the object, a column of it, its schema
    /// or the database.
    public var deny: Grant
    /// The declared grant it overrides.
    public var overrides: Grant
    public var line: Int
    /// The declared principal that belongs to the role holding the DENY, when the DENY is
    /// held by a role rather than by the grantee, a member or PUBLIC.
    public var inheritedBy: String?
    /// True when the fix is a GRANT rather than a REVOKE: a DENY CONNECT to a user replaced
    /// the CONNECT that CREATE USER gave it, and a REVOKE would leave it without either.
    public var fixByGrant: Bool

    public init(
        deny: Grant, overrides: Grant, line: Int, inheritedBy: String? = nil,
        fixByGrant: Bool = false
    ) {
        self.deny = deny
        self.overrides = overrides
        self.line = line
        self.inheritedBy = inheritedBy
        self.fixByGrant = fixByGrant
    }
}

/// The differences between the declared permissions and the catalogs.
public struct ComparisonResult: Sendable {
    public var missing: [DriftEntry] = []
    public var extra: [DriftEntry] = []
    public var denied: [DeniedEntry] = []
    /// Grants to PUBLIC on objects in the declared schemas that are shown but not counted
    /// as drift; see `PermissionComparison.compare` for the ones that count.
    public var publicGrants: [Grant] = []
    /// Facts worth showing that are not drift.
    public var notes: [String] = []
    /// The declared grants with the catalog's spelling of names, for the effective check.
    public var declaredGrants: [DeclaredGrant] = []
    /// The declared memberships with the catalog's spelling of names.
    public var declaredMemberships: [DeclaredMembership] = []
}

/// Compares declared permissions with a catalog snapshot.
///
/// The comparison is explicit: a declared grant counts as present only when the catalog has
/// that grant for that principal on that securable. A wider grant (on the schema, or to a
/// role the grantee belongs to) does not satisfy it, but `--effective` shows that it works.
/// Ownership is the exception, because an owner holds its privileges without a grant: on
/// PostgreSQL through the owner's ACL entries, on SQL Server implicitly.
public enum PermissionComparison {
    /// Permission that includes every other on its securable on SQL Server, so a DENY of it
    /// overrides any declared grant there.
    static let control = "CONTROL"

    /// Permissions that change data or the object. PUBLIC holding one of them on a declared
    /// object is drift, whatever the file declares there.
    static let writePermissions: Set<String> = [
        "INSERT", "UPDATE", "DELETE", "TRUNCATE", "ALTER", "CONTROL", "TAKE OWNERSHIP",
    ]

    /// Compares `declared` with `snapshot`.
    ///
    /// Grants to PUBLIC are compared like any other when the file grants to PUBLIC. When it
    /// does not, a PUBLIC grant on a declared object is extra if it gives a write permission
    /// or a permission the file declares there for anyone, unless it is one the server gives
    /// PUBLIC by default (`defaultPublicPrivileges`). The rest, in the declared schemas, are
    /// listed in `publicGrants`.
    public static func compare(_ declared: DeclaredPermissions, with snapshot: CatalogSnapshot)
        -> ComparisonResult
    {
        var result = ComparisonResult()
        result.declaredGrants = declared.grants.map { declaredGrant in
            DeclaredGrant(grant: canonical(declaredGrant.grant, snapshot), line: declaredGrant.line)
        }
        result.declaredMemberships = declared.memberships.map { declaredMembership in
            DeclaredMembership(
                membership: canonical(declaredMembership.membership, snapshot),
                line: declaredMembership.line)
        }

        let held = heldGrants(snapshot)
        var owned = OwnedObjects()
        findMissingGrants(declared, snapshot, held, &owned, into: &result)
        findExtraGrants(declared, snapshot, held, &owned, into: &result)
        compareMemberships(declared, snapshot, into: &result)
        findDenials(snapshot, into: &result)
        result.notes += owned.notes()
        return result
    }

    // MARK: - Grants

    /// One permission as held, merged from the catalog rows that grant it: PostgreSQL keeps
    /// one ACL entry per grantor.
    struct HeldGrant {
        var grant: Grant
        var grantors: Set<String> = []
        var owner: String?
        var isHeldByOwner = false
    }

    /// The declared principals' objects that they own, collected for one note each.
    struct OwnedObjects {
        var byPrincipal: [Principal: Set<String>] = [:]

        mutating func add(_ principal: Principal, _ securable: Securable) {
            byPrincipal[principal, default: []].insert(securable.withoutColumn.description)
        }

        func notes() -> [String] {
            byPrincipal.keys.sorted().map { principal in
                let objects = (byPrincipal[principal] ?? []).sorted().joined(separator: ", ")
                return "\(principal) owns \(objects). An owner holds every privilege on what it "
                    + "owns (on PostgreSQL until it revokes one from itself), so its declared "
                    + "grants there count as held and its other privileges there are not "
                    + "counted as extra"
            }
        }
    }

    private static func heldGrants(_ snapshot: CatalogSnapshot) -> [GrantKey: HeldGrant] {
        var held: [GrantKey: HeldGrant] = [:]
        for row in snapshot.grants where row.state != .deny {
            var entry = held[row.grant.key] ?? HeldGrant(grant: row.grant, owner: row.owner)
            entry.grant.withGrantOption = entry.grant.withGrantOption || row.grant.withGrantOption
            if let grantor = row.grantor { entry.grantors.insert(grantor) }
            entry.isHeldByOwner = entry.isHeldByOwner || row.isHeldByOwner
            held[row.grant.key] = entry
        }
        return held
    }

    private static func findMissingGrants(
        _ declared: DeclaredPermissions, _ snapshot: CatalogSnapshot,
        _ held: [GrantKey: HeldGrant], _ owned: inout OwnedObjects,
        into result: inout ComparisonResult
    ) {
        for (original, declaredGrant) in zip(declared.grants, result.declaredGrants) {
            let grant = declaredGrant.grant
            var entry = DriftEntry(subject: .grant(grant), line: declaredGrant.line)
            if let name = original.grant.principal.name,
                snapshot.principals[original.grant.principal] == nil
            {
                entry.reason = .principalNotFound(name)
            } else if let lookupError = snapshot.unresolved[original.grant.securable] {
                switch lookupError {
                case .notVisible(let why): entry.reason = .securableNotVisible(why)
                case .ambiguous(let overloads): entry.reason = .ambiguousRoutine(overloads)
                }
            } else if let resolved = snapshot.securables[original.grant.securable] {
                let ownedByGrantee = resolved.owner != nil && resolved.owner == grant.principal.name
                if let row = held[grant.key] ?? ownerRow(grant, held) {
                    // PostgreSQL treats an owner as holding every grant option.
                    if row.isHeldByOwner {
                        owned.add(grant.principal, grant.securable)
                        continue
                    }
                    guard grant.withGrantOption, !row.grant.withGrantOption else { continue }
                    entry.reason = .grantOptionNotHeld
                } else if ownedByGrantee, snapshot.ownersHoldEveryPermission {
                    owned.add(grant.principal, grant.securable)
                    continue
                } else if ownedByGrantee {
                    entry.reason = .revokedByOwner
                }
            } else {
                entry.reason = .securableNotFound(describe(original.grant))
            }
            result.missing.append(entry)
        }
    }

    /// Returns the owner's table-level row that covers a declared column grant: the owner
    /// holds its privileges on the table, not per column.
    private static func ownerRow(_ grant: Grant, _ held: [GrantKey: HeldGrant]) -> HeldGrant? {
        guard grant.securable.column != nil else { return nil }
        var tableKey = grant.key
        tableKey.securable = grant.securable.withoutColumn
        guard let row = held[tableKey], row.isHeldByOwner else { return nil }
        return row
    }

    private static func findExtraGrants(
        _ declared: DeclaredPermissions, _ snapshot: CatalogSnapshot,
        _ held: [GrantKey: HeldGrant], _ owned: inout OwnedObjects,
        into result: inout ComparisonResult
    ) {
        let declaredByKey = Dictionary(
            result.declaredGrants.map { ($0.grant.key, $0.grant) }, uniquingKeysWith: { a, _ in a })
        let compared = comparedPrincipals(declared, snapshot)
        let schemas = declaredSchemas(result)
        let rows = held.values.sorted { grantOrder($0.grant, $1.grant) }

        for row in rows {
            let grant = row.grant
            if grant.principal == .public, !isInDeclaredSchemas(grant.securable, schemas) {
                continue
            }
            guard compared.contains(grant.principal) else {
                guard grant.principal == .public else { continue }
                if publicGrantIsDrift(grant, result, snapshot) {
                    result.extra.append(DriftEntry(subject: .grant(grant)))
                } else {
                    result.publicGrants.append(grant)
                }
                continue
            }
            if row.isHeldByOwner {
                if declaredByKey[grant.key] == nil { owned.add(grant.principal, grant.securable) }
                continue
            }
            let grantedBy = row.grantors.subtracting([row.owner ?? ""]).sorted()
            if let declaredGrant = declaredByKey[grant.key] {
                if grant.withGrantOption, !declaredGrant.withGrantOption {
                    result.extra.append(
                        DriftEntry(
                            subject: .grant(grant), grantOptionOnly: true, grantedBy: grantedBy))
                }
                continue
            }
            result.extra.append(DriftEntry(subject: .grant(grant), grantedBy: grantedBy))
        }
        result.extra.sort(by: entryOrder)
    }

    /// Returns true when an undeclared PUBLIC grant counts as extra: it is on an object the
    /// file declares grants on, it is not a server default, and it gives a write permission
    /// or one the file declares on that object.
    private static func publicGrantIsDrift(
        _ grant: Grant, _ result: ComparisonResult, _ snapshot: CatalogSnapshot
    ) -> Bool {
        let object = grant.securable.withoutColumn
        let declaredThere = result.declaredGrants.map(\.grant)
            .filter { $0.securable.withoutColumn == object }
        guard !declaredThere.isEmpty else { return false }
        let kind = PrivilegeKind(grant.permission, on: grant.objectType)
        if snapshot.defaultPublicPrivileges.contains(kind) { return false }
        return writePermissions.contains(grant.permission)
            || declaredThere.contains { $0.permission == grant.permission }
    }

    /// Returns the principals whose every grant is compared: the declared ones that exist,
    /// with PUBLIC only when the file grants to it.
    private static func comparedPrincipals(
        _ declared: DeclaredPermissions, _ snapshot: CatalogSnapshot
    ) -> Set<Principal> {
        var principals = Set<Principal>()
        for principal in declared.principals {
            if principal == .public {
                principals.insert(.public)
            } else if let info = snapshot.principals[principal] {
                principals.insert(.named(info.name))
            }
        }
        return principals
    }

    /// Returns the schemas the declared grants touch. PUBLIC's grants are shown or compared only
    /// there, because PostgreSQL gives PUBLIC EXECUTE on every function and CONNECT on every
    /// database by default, and listing those everywhere would bury the findings.
    private static func declaredSchemas(_ result: ComparisonResult) -> Set<String> {
        var schemas = Set<String>()
        for declaredGrant in result.declaredGrants {
            let securable = declaredGrant.grant.securable
            switch securable.securableClass {
            case .object: if let schema = securable.schema { schemas.insert(schema) }
            case .schema: schemas.insert(securable.name)
            case .database, .other: break
            }
        }
        return schemas
    }

    private static func isInDeclaredSchemas(_ securable: Securable, _ schemas: Set<String>)
        -> Bool
    {
        switch securable.securableClass {
        case .object: return securable.schema.map(schemas.contains) ?? false
        case .schema: return schemas.contains(securable.name)
        case .database, .other: return false
        }
    }

    // MARK: - Memberships

    private static func compareMemberships(
        _ declared: DeclaredPermissions, _ snapshot: CatalogSnapshot,
        into result: inout ComparisonResult
    ) {
        let actual = Set(snapshot.memberships.map(\.membership))
        for (original, declaredMembership) in zip(declared.memberships, result.declaredMemberships)
        {
            let membership = declaredMembership.membership
            var entry = DriftEntry(subject: .membership(membership), line: declaredMembership.line)
            if snapshot.principals[.named(original.membership.role)] == nil {
                entry.reason = .principalNotFound(original.membership.role)
            } else if snapshot.principals[.named(original.membership.member)] == nil {
                entry.reason = .principalNotFound(original.membership.member)
            } else if actual.contains(membership) {
                continue
            }
            result.missing.append(entry)
        }

        let expected = Set(result.declaredMemberships.map(\.membership))
        var reported = Set<Membership>()
        for row in snapshot.memberships.sorted(by: { $0.membership < $1.membership })
        where !expected.contains(row.membership) && reported.insert(row.membership).inserted {
            if row.memberIsInert {
                result.notes.append(
                    "\(row.membership.member) is a member of \(row.membership.role) but is a "
                        + "NOLOGIN role without members, so no session can use the membership; "
                        + "it is not counted as drift")
                continue
            }
            result.extra.append(DriftEntry(subject: .membership(row.membership)))
        }
        result.extra.sort(by: entryOrder)
    }

    // MARK: - DENY

    /// Finds DENY rows that take away a declared grant. Such a DENY names the same
    /// permission, CONTROL, or CONNECT on the database (without which no permission in the
    /// database can be used). It goes to the grantee, one of its members, PUBLIC, or a role
    /// that one of them belongs to, and is on the object, one of its columns, its schema or
    /// the database.
    private static func findDenials(
        _ snapshot: CatalogSnapshot, into result: inout ComparisonResult
    ) {
        var membersByRole: [String: Set<String>] = [:]
        for membership in result.declaredMemberships.map(\.membership)
            + snapshot.memberships.map(\.membership)
        {
            membersByRole[membership.role, default: []].insert(membership.member)
        }
        let logins = Set(snapshot.principals.values.filter(\.canLogIn).map(\.name))

        var seen = Set<DeniedEntry>()
        func add(_ entry: DeniedEntry) {
            if seen.insert(entry).inserted { result.denied.append(entry) }
        }
        for row in snapshot.grants where row.state == .deny {
            for declaredGrant in result.declaredGrants
            where overrides(row.grant, declaredGrant.grant, snapshot)
                && principal(row.grant.principal, covers: declaredGrant.grant.principal,
                    membersByRole)
            {
                let isUserConnect = isConnect(row.grant) && row.grant.principal.name
                    .map(logins.contains) == true
                add(
                    DeniedEntry(
                        deny: row.grant, overrides: declaredGrant.grant, line: declaredGrant.line,
                        fixByGrant: isUserConnect))
            }
        }
        for inherited in snapshot.inheritedDenials {
            for declaredGrant in result.declaredGrants
            where overrides(inherited.deny, declaredGrant.grant, snapshot)
                && principal(.named(inherited.member), covers: declaredGrant.grant.principal,
                    membersByRole)
            {
                add(
                    DeniedEntry(
                        deny: inherited.deny, overrides: declaredGrant.grant,
                        line: declaredGrant.line, inheritedBy: inherited.member))
            }
        }
    }

    /// Returns true when the DENY `deny` takes away `grant` as far as permission and
    /// securable go.
    private static func overrides(_ deny: Grant, _ grant: Grant, _ snapshot: CatalogSnapshot)
        -> Bool
    {
        guard deny.permission == grant.permission || deny.permission == control
            || isConnect(deny)
        else { return false }
        return securable(
            deny.securable, covers: grant.securable,
            tableDenyOverridesColumnGrants: snapshot.tableDenyOverridesColumnGrants)
    }

    private static func isConnect(_ grant: Grant) -> Bool {
        grant.permission == "CONNECT" && grant.securable.securableClass == .database
    }

    private static func principal(
        _ denied: Principal, covers grantee: Principal, _ membersByRole: [String: Set<String>]
    ) -> Bool {
        if denied == grantee || denied == .public { return true }
        guard let role = grantee.name, let member = denied.name else { return false }
        return membersByRole[role]?.contains(member) ?? false
    }

    private static func securable(
        _ denied: Securable, covers granted: Securable, tableDenyOverridesColumnGrants: Bool
    ) -> Bool {
        switch denied.securableClass {
        case .database:
            return true
        case .schema:
            return granted.securableClass == .object && granted.schema == denied.name
                || granted.securableClass == .schema && granted.name == denied.name
        case .object:
            if denied == granted { return true }
            // A DENY on one column takes that column out of an object-level grant.
            if denied.withoutColumn == granted { return true }
            // SQL Server lets a column-level GRANT win over a table-level DENY unless
            // common criteria compliance is enabled ("DENY Object Permissions", Remarks).
            if denied.column == nil, denied == granted.withoutColumn {
                return tableDenyOverridesColumnGrants
            }
            return false
        case .other:
            return false
        }
    }

    // MARK: - Names

    /// Rewrites a declared grant with the catalog's spelling of its principal and securable.
    private static func canonical(_ grant: Grant, _ snapshot: CatalogSnapshot) -> Grant {
        var result = grant
        if let info = snapshot.principals[grant.principal] {
            result.principal = .named(info.name)
        }
        if let resolved = snapshot.securables[grant.securable] {
            result.securable = resolved.securable
            result.objectType = resolved.objectType
        }
        return result
    }

    private static func canonical(_ membership: Membership, _ snapshot: CatalogSnapshot)
        -> Membership
    {
        Membership(
            role: snapshot.principals[.named(membership.role)]?.name ?? membership.role,
            member: snapshot.principals[.named(membership.member)]?.name ?? membership.member)
    }

    private static func describe(_ grant: Grant) -> String {
        let securable = grant.securable
        let column = securable.column.map { " column \($0)" } ?? ""
        return "\(grant.objectType.rawValue) \(securable.withoutColumn)\(column)"
    }

    private static func grantOrder(_ lhs: Grant, _ rhs: Grant) -> Bool {
        (lhs.principal.description, lhs.securable.description, lhs.securable.column ?? "",
            lhs.permission)
            < (rhs.principal.description, rhs.securable.description, rhs.securable.column ?? "",
                rhs.permission)
    }

    private static func entryOrder(_ lhs: DriftEntry, _ rhs: DriftEntry) -> Bool {
        switch (lhs.subject, rhs.subject) {
        case (.grant(let left), .grant(let right)): return grantOrder(left, right)
        case (.grant, .membership): return true
        case (.membership, .grant): return false
        case (.membership(let left), .membership(let right)): return left < right
        }
    }
}
