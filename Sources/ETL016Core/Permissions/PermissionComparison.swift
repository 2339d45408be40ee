/// The catalog state of the declared principals, read by `PermissionVerifier` and compared
/// by `PermissionComparison`.
public struct CatalogSnapshot: Sendable {
    /// The declared principals that exist, keyed by the name the file uses. PUBLIC always
    /// exists and is not listed.
    public var principals: [Principal: PrincipalInfo]
    /// The declared securables that exist, keyed by the securable as the file names it.
    public var securables: [Securable: ResolvedSecurable]
    /// The permission rows held by the existing declared principals and by PUBLIC.
    public var grants: [CatalogGrant]
    /// The memberships in which an existing declared principal is the role or the member.
    public var memberships: [CatalogMembership]

    public init(
        principals: [Principal: PrincipalInfo] = [:],
        securables: [Securable: ResolvedSecurable] = [:], grants: [CatalogGrant] = [],
        memberships: [CatalogMembership] = []
    ) {
        self.principals = principals
        self.securables = securables
        self.grants = grants
        self.memberships = memberships
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

    public init(
        subject: Subject, line: Int? = nil, reason: DriftReason? = nil,
        grantOptionOnly: Bool = false
    ) {
        self.subject = subject
        self.line = line
        self.reason = reason
        self.grantOptionOnly = grantOptionOnly
    }
}

/// The reason a declared grant or membership is missing, beyond the grant being absent.
public enum DriftReason: Hashable, Sendable, CustomStringConvertible {
    /// The named role or user does not exist.
    case principalNotFound(String)
    /// The object, schema, database or column does not exist; the text describes it.
    case securableNotFound(String)
    /// The permission is granted, but without the declared `WITH GRANT OPTION`.
    case grantOptionNotHeld

    public var description: String {
        switch self {
        case .principalNotFound(let name): return "\(name) does not exist"
        case .securableNotFound(let what): return "\(what) not found"
        case .grantOptionNotHeld: return "held without the declared grant option"
        }
    }

    /// True when a GRANT cannot fix the entry, because what it names does not exist.
    public var blocksFix: Bool {
        switch self {
        case .principalNotFound, .securableNotFound: return true
        case .grantOptionNotHeld: return false
        }
    }
}

/// A SQL Server DENY that overrides a declared grant.
public struct DeniedEntry: Hashable, Sendable {
    /// The DENY row: its principal may be the grantee, one of its members, or PUBLIC, and its
    /// securable the object, a column of it, its schema or the database.
    public var deny: Grant
    /// The declared grant it overrides.
    public var overrides: Grant
    public var line: Int

    public init(deny: Grant, overrides: Grant, line: Int) {
        self.deny = deny
        self.overrides = overrides
        self.line = line
    }
}

/// The differences between the declared permissions and the catalogs.
public struct ComparisonResult: Sendable {
    public var missing: [DriftEntry] = []
    public var extra: [DriftEntry] = []
    public var denied: [DeniedEntry] = []
    /// Grants to PUBLIC on objects in the declared schemas, shown but not compared unless
    /// the file declares grants to PUBLIC.
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
public enum PermissionComparison {
    /// Permission that includes every other on its securable on SQL Server, so a DENY of it
    /// overrides any declared grant there.
    static let control = "CONTROL"

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

        compareGrants(declared, snapshot, into: &result)
        compareMemberships(declared, snapshot, into: &result)
        findDenials(snapshot, into: &result)
        return result
    }

    // MARK: - Grants

    private static func compareGrants(
        _ declared: DeclaredPermissions, _ snapshot: CatalogSnapshot,
        into result: inout ComparisonResult
    ) {
        var heldByKey: [GrantKey: CatalogGrant] = [:]
        for row in snapshot.grants where row.state != .deny {
            heldByKey[row.grant.key] = row
        }

        for (original, declaredGrant) in zip(declared.grants, result.declaredGrants) {
            let grant = declaredGrant.grant
            var entry = DriftEntry(subject: .grant(grant), line: declaredGrant.line)
            if let name = original.grant.principal.name,
                snapshot.principals[original.grant.principal] == nil
            {
                entry.reason = .principalNotFound(name)
            } else if snapshot.securables[original.grant.securable] == nil {
                entry.reason = .securableNotFound(describe(original.grant))
            } else if let row = heldByKey[grant.key] {
                guard grant.withGrantOption, !row.grant.withGrantOption else { continue }
                entry.reason = .grantOptionNotHeld
            }
            result.missing.append(entry)
        }

        let declaredByKey = Dictionary(
            result.declaredGrants.map { ($0.grant.key, $0.grant) }, uniquingKeysWith: { a, _ in a })
        let compared = comparedPrincipals(declared, snapshot, result)
        let schemas = declaredSchemas(result)
        for row in snapshot.grants where row.state != .deny {
            let grant = row.grant
            if grant.principal == .public, !isInDeclaredSchemas(grant.securable, schemas) {
                continue
            }
            guard compared.contains(grant.principal) else {
                if grant.principal == .public { result.publicGrants.append(grant) }
                continue
            }
            if let declaredGrant = declaredByKey[grant.key] {
                if grant.withGrantOption, !declaredGrant.withGrantOption {
                    result.extra.append(DriftEntry(subject: .grant(grant), grantOptionOnly: true))
                }
                continue
            }
            result.extra.append(DriftEntry(subject: .grant(grant)))
        }
        result.extra.sort(by: entryOrder)
        result.publicGrants.sort { grantOrder($0, $1) }
    }

    /// Returns the principals whose every grant is compared: the declared ones that exist,
    /// with PUBLIC only when the file grants to it.
    private static func comparedPrincipals(
        _ declared: DeclaredPermissions, _ snapshot: CatalogSnapshot, _ result: ComparisonResult
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
            case .database: break
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
        case .database: return false
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
    /// permission or CONTROL, and goes to the grantee, one of its members or PUBLIC. It is on
    /// the object, one of its columns, its schema or the database.
    private static func findDenials(
        _ snapshot: CatalogSnapshot, into result: inout ComparisonResult
    ) {
        var membersByRole: [String: Set<String>] = [:]
        for membership in result.declaredMemberships.map(\.membership)
            + snapshot.memberships.map(\.membership)
        {
            membersByRole[membership.role, default: []].insert(membership.member)
        }

        var seen = Set<DeniedEntry>()
        for row in snapshot.grants where row.state == .deny {
            for declaredGrant in result.declaredGrants {
                let grant = declaredGrant.grant
                guard row.grant.permission == grant.permission || row.grant.permission == control,
                    principal(row.grant.principal, covers: grant.principal, membersByRole),
                    securable(row.grant.securable, covers: grant.securable)
                else { continue }
                let entry = DeniedEntry(deny: row.grant, overrides: grant, line: declaredGrant.line)
                if seen.insert(entry).inserted { result.denied.append(entry) }
            }
        }
    }

    private static func principal(
        _ denied: Principal, covers grantee: Principal, _ membersByRole: [String: Set<String>]
    ) -> Bool {
        if denied == grantee || denied == .public { return true }
        guard let role = grantee.name, let member = denied.name else { return false }
        return membersByRole[role]?.contains(member) ?? false
    }

    private static func securable(_ denied: Securable, covers granted: Securable) -> Bool {
        switch denied.securableClass {
        case .database:
            return true
        case .schema:
            return granted.securableClass == .object && granted.schema == denied.name
                || granted.securableClass == .schema && granted.name == denied.name
        case .object:
            // A DENY on the object covers each of its columns, and a DENY on one column
            // takes that column out of an object-level grant.
            return denied == granted || denied == granted.withoutColumn
                || denied.withoutColumn == granted
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
