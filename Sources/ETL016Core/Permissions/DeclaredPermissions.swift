/// A grant read from the permissions file, with the line of the statement that declares it.
public struct DeclaredGrant: Hashable, Sendable {
    public var grant: Grant
    public var line: Int

    public init(grant: Grant, line: Int) {
        self.grant = grant
        self.line = line
    }
}

/// A role membership read from the permissions file, with the line that declares it.
public struct DeclaredMembership: Hashable, Sendable {
    public var membership: Membership
    public var line: Int

    public init(membership: Membership, line: Int) {
        self.membership = membership
        self.line = line
    }
}

/// The expected state that a permissions file declares: every grant and every role membership,
/// each once, in file order.
public struct DeclaredPermissions: Sendable {
    /// The file name used in messages.
    public var fileName: String
    public private(set) var grants: [DeclaredGrant] = []
    public private(set) var memberships: [DeclaredMembership] = []

    public init(fileName: String) {
        self.fileName = fileName
    }

    /// Adds a grant unless the file already declared the same one. A repeat that adds
    /// `WITH GRANT OPTION` upgrades the earlier declaration.
    public mutating func add(_ grant: Grant, line: Int) {
        if let index = grants.firstIndex(where: { $0.grant.key == grant.key }) {
            grants[index].grant.withGrantOption =
                grants[index].grant.withGrantOption || grant.withGrantOption
            return
        }
        grants.append(DeclaredGrant(grant: grant, line: line))
    }

    /// Adds a membership unless the file already declared it.
    public mutating func add(_ membership: Membership, line: Int) {
        guard !memberships.contains(where: { $0.membership == membership }) else { return }
        memberships.append(DeclaredMembership(membership: membership, line: line))
    }

    /// Every principal the file names, as grantee, role or member, in order of first use.
    /// PUBLIC is included only when a grant names it.
    public var principals: [Principal] {
        var seen = Set<Principal>()
        var ordered: [Principal] = []
        func note(_ principal: Principal) {
            if seen.insert(principal).inserted { ordered.append(principal) }
        }
        for declared in grants {
            note(declared.grant.principal)
        }
        for declared in memberships {
            note(.named(declared.membership.role))
            note(.named(declared.membership.member))
        }
        return ordered
    }

    /// Returns the declared members of `role`.
    public func members(of role: String) -> [String] {
        memberships.filter { $0.membership.role == role }.map(\.membership.member)
    }
}
