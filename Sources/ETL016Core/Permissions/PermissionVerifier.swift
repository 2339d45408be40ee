/// Settings of one `verify-permissions` run.
public struct VerifyOptions: Sendable {
    /// Also ask the server whether each declared permission works for each declared member.
    public var checkEffective = false

    public init(checkEffective: Bool = false) {
        self.checkEffective = checkEffective
    }
}

/// Compares the permissions a file declares with the live database, and applies fixes.
///
/// ```swift
/// let verifier = PermissionVerifier(connection: connection, dialect: dialect)
/// let report = try verifier.verify(declared, options: VerifyOptions(checkEffective: true))
/// if !report.isOK { ... }
/// ```
///
/// It reads only: nothing changes unless `apply(_:onStatement:)` runs a fix plan.
public final class PermissionVerifier {
    let connection: Connection
    let dialect: any Dialect
    let logger: Logger

    public init(connection: Connection, dialect: any Dialect, logger: Logger = .standard) {
        self.connection = connection
        self.dialect = dialect
        self.logger = logger
    }

    // MARK: - Verifying

    /// Reads the catalogs, compares them with `declared`, and checks what the declared
    /// members can do.
    ///
    /// - Throws: `DatabaseError` when a catalog query fails, and `OperationError` naming the
    ///   permission and member when an effective check fails on the server.
    public func verify(_ declared: DeclaredPermissions, options: VerifyOptions = .init()) throws
        -> PermissionReport
    {
        let session = try dialect.sessionPrincipal(connection)
        let snapshot = try readSnapshot(declared)
        let comparison = PermissionComparison.compare(declared, with: snapshot)
        logger.debug(
            "compared \(declared.grants.count) grants and \(declared.memberships.count) "
                + "memberships with the catalogs",
            [("missing", .integer(Int64(comparison.missing.count))),
             ("extra", .integer(Int64(comparison.extra.count))),
             ("denied", .integer(Int64(comparison.denied.count)))])

        var report = PermissionReport(
            fileName: declared.fileName, dialect: dialect.kind, sessionPrincipal: session,
            comparison: comparison)
        let resolved = Dictionary(
            snapshot.securables.values.map { ($0.securable, $0) }, uniquingKeysWith: { a, _ in a })
        if options.checkEffective {
            report.ineffective = try checkEffective(
                comparison, snapshot: snapshot, resolved: resolved, session: session,
                notes: &report.comparison.notes)
        }
        report.capabilities = try checkCapabilities(
            comparison, snapshot: snapshot, session: session)
        return report
    }

    /// Reads everything the comparison needs: the declared principals and securables, the
    /// grants of those principals and of PUBLIC, and their memberships.
    func readSnapshot(_ declared: DeclaredPermissions) throws -> CatalogSnapshot {
        var snapshot = CatalogSnapshot()
        for principal in declared.principals {
            guard let name = principal.name else { continue }
            if let info = try dialect.readPrincipal(connection, named: name) {
                snapshot.principals[principal] = info
            }
        }

        var tried = Set<Securable>()
        for declaredGrant in declared.grants {
            let grant = declaredGrant.grant
            guard tried.insert(grant.securable).inserted else { continue }
            do {
                if let resolved = try dialect.resolveSecurable(
                    connection, grant.securable, declaredType: grant.objectType)
                {
                    snapshot.securables[grant.securable] = resolved
                }
            } catch let error as SecurableLookupError {
                snapshot.unresolved[grant.securable] = error
            }
        }

        var grants = Set<CatalogGrant>()
        var memberships = Set<CatalogMembership>()
        var inherited = Set<InheritedDenial>()
        let existing = snapshot.principals.values.map(\.name)
        for name in Set(existing).sorted() {
            grants.formUnion(try dialect.readGrants(connection, heldBy: .named(name)))
            memberships.formUnion(try dialect.readMemberships(connection, involving: name))
            for row in try dialect.readInheritedDenials(connection, of: name) {
                inherited.insert(InheritedDenial(deny: row.grant, member: name))
            }
        }
        grants.formUnion(try dialect.readGrants(connection, heldBy: .public))
        snapshot.grants = Array(grants)
        snapshot.memberships = Array(memberships)
        snapshot.inheritedDenials = inherited.sorted { lhs, rhs in
            (lhs.member, lhs.deny.principal.description, lhs.deny.permission)
                < (rhs.member, rhs.deny.principal.description, rhs.deny.permission)
        }
        snapshot.ownersHoldEveryPermission = dialect.ownersHoldEveryPermission
        snapshot.defaultPublicPrivileges = dialect.defaultPublicPrivileges
        snapshot.tableDenyOverridesColumnGrants =
            try dialect.readTableDenyOverridesColumnGrants(connection)
        return snapshot
    }

    // MARK: - Effective permissions

    /// Asks the server, for each declared grant, whether it works for each declared member of
    /// the grantee. A grantee without declared members is checked itself when it can log in.
    private func checkEffective(
        _ comparison: ComparisonResult, snapshot: CatalogSnapshot,
        resolved: [Securable: ResolvedSecurable], session: String, notes: inout [String]
    ) throws -> [IneffectiveEntry] {
        let logins = Dictionary(
            snapshot.principals.values.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var entries: [IneffectiveEntry] = []
        var unchecked = Set<String>()
        var notImpersonable = Set<String>()

        for declaredGrant in comparison.declaredGrants {
            let grant = declaredGrant.grant
            guard let grantee = grant.principal.name, logins[grantee] != nil,
                let securable = resolved[grant.securable]
            else { continue }

            var subjects = comparison.declaredMemberships.map(\.membership)
                .filter { $0.role == grantee && logins[$0.member] != nil }.map(\.member)
            if subjects.isEmpty, logins[grantee]?.canLogIn == true {
                subjects = [grantee]
            }
            if subjects.isEmpty {
                unchecked.insert(grantee)
                continue
            }

            for subject in subjects {
                if subject != session, logins[subject]?.canBeImpersonated == false {
                    notImpersonable.insert(subject)
                    continue
                }
                let allowed: Bool?
                do {
                    allowed = try dialect.hasEffectivePermission(
                        connection, principal: subject == session ? nil : subject,
                        permission: grant.permission, on: securable)
                } catch let error as DatabaseError {
                    throw OperationError(
                        "the effective check of \(grant.permission) on \(grant.securable) as "
                            + "\(subject) failed: \(error.serverMessage)")
                }
                guard allowed != true else { continue }
                entries.append(
                    IneffectiveEntry(
                        member: subject, grant: grant, line: declaredGrant.line,
                        reason: allowed == nil
                            ? "the server cannot evaluate \(grant.permission) on a "
                                + "\(securable.objectType.rawValue)" : nil))
            }
        }

        for grantee in unchecked.sorted() {
            notes.append(
                "the grants to \(grantee) were not checked with --effective, because the file "
                    + "declares no member for it and it cannot log in")
        }
        for subject in notImpersonable.sorted() {
            let limit = Self.impersonationLimit(logins[subject])
            notes.append("cannot check effectively as \(subject): \(limit)")
        }
        return entries
    }

    /// Explains why the server cannot evaluate permissions as `info`.
    static func impersonationLimit(_ info: PrincipalInfo?) -> String {
        let kind = info?.kind.map { " (\($0))" } ?? ""
        return "the server cannot impersonate a principal of its kind\(kind), such as a Windows "
            + "group, a certificate or key user, an external group or a role. For a group, run "
            + "the check with a connection that logs in as one of its members"
    }

    // MARK: - Capabilities

    /// States, for each declared member, whether the purge can delete expired rows and
    /// whether it can remove whole partitions.
    private func checkCapabilities(
        _ comparison: ComparisonResult, snapshot: CatalogSnapshot, session: String
    ) throws -> [ServiceCapabilities] {
        var capabilities: [ServiceCapabilities] = []
        var seen = Set<String>()
        let infos = Dictionary(
            snapshot.principals.values.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

        let memberships = comparison.declaredMemberships.map(\.membership)
        for membership in memberships where seen.insert(membership.member).inserted {
            guard let info = infos[membership.member] else {
                capabilities.append(ServiceCapabilities(login: membership.member, exists: false))
                continue
            }
            var result = ServiceCapabilities(
                login: info.name, exists: true, isSuperuser: info.isSuperuser)
            let principal = info.name == session ? nil : info.name
            if principal != nil, !info.canBeImpersonated {
                result.checkError = "cannot check effectively: \(Self.impersonationLimit(info))"
                capabilities.append(result)
                continue
            }
            do {
                try checkPurge(as: principal, into: &result)
                // The suggestion names a declared role of the member that exists, so that
                // every member of the role gains the right. Without one it names no
                // principal, because moving ownership to the login itself would tie the
                // tables to that login.
                let roles = memberships.filter { $0.member == membership.member }.map(\.role)
                let grantee = roles.first { infos[$0] != nil }
                var check = try dialect.checkPartitionSwitching(
                    connection, principal: principal, table: PurgeRequirements.factTable,
                    grantee: grantee)
                if grantee == nil, let first = roles.first, check?.isAllowed == false {
                    check?.cautions.insert(
                        "No statement is suggested, because the declared role \(first) does not "
                            + "exist. Run migrate to create it, then verify again", at: 0)
                }
                result.partitionSwitch = check
            } catch let error as DatabaseError {
                logger.warning(
                    "could not check what \(info.name) can do in the purge: \(error.serverMessage)")
                result.checkError = error.serverMessage
            }
            capabilities.append(result)
        }
        return capabilities
    }

    /// Checks every permission of a purge by deletes as `principal`: connecting to the
    /// database and, on PostgreSQL, USAGE on the schema, before the table permissions,
    /// because `has_table_privilege` does not look at the schema.
    private func checkPurge(as principal: String?, into result: inout ServiceCapabilities) throws {
        var missing: [String] = []
        let requirements = dialect.deletePurgeRequirements + PurgeRequirements.deletePurgeTables
        for requirement in requirements {
            let securable: ResolvedSecurable?
            do {
                securable = try dialect.resolveSecurable(
                    connection, requirement.securable, declaredType: requirement.objectType)
            } catch is SecurableLookupError {
                securable = nil
            }
            guard let securable else {
                missing.append("\(requirement) (\(requirement.objectType.rawValue) not found)")
                continue
            }
            let allowed = try dialect.hasEffectivePermission(
                connection, principal: principal, permission: requirement.permission,
                on: securable)
            if allowed != true {
                missing.append(requirement.description)
            }
        }
        result.purgeMissing = missing
        result.canPurgeByDeletes = missing.isEmpty
    }

    // MARK: - Fixing

    /// Builds the statements that fix `report`; see `FixPlan`.
    ///
    /// - Throws: `ConfigurationError` when `revokeExtra` is set and a declared principal
    ///   does not exist.
    public func plan(_ report: PermissionReport, revokeExtra: Bool) throws -> FixPlan {
        try FixPlan.build(report.comparison, revokeExtra: revokeExtra, dialect: dialect)
    }

    /// Runs the plan's statements in one transaction, calling `onStatement` before each, and
    /// returns them with the server's warnings. When the session is not the owner and holds
    /// no grant option, PostgreSQL runs a GRANT or REVOKE without effect and only warns,
    /// such as "no privileges were granted". That warning is kept in `serverWarning`.
    ///
    /// - Throws: `OperationError` naming the statement the server rejected; the transaction
    ///   is rolled back, so nothing of the plan stays applied.
    public func apply(_ plan: FixPlan, onStatement: (FixStatement) -> Void) throws
        -> [FixStatement]
    {
        guard !plan.statements.isEmpty else { return [] }
        var applied: [FixStatement] = []
        var current: FixStatement?
        do {
            try connection.inTransaction {
                for statement in plan.statements {
                    current = statement
                    onStatement(statement)
                    let result = try connection.execute(statement.sql)
                    var outcome = statement
                    let warnings = result.messages.map { record in
                        ODBCMessage.strippingDriverPrefixes(record.message)
                    }
                    if !warnings.isEmpty {
                        outcome.serverWarning = warnings.joined(separator: "; ")
                        logger.warning(
                            "the server ran `\(statement.sql)` with a warning: "
                                + (outcome.serverWarning ?? ""))
                    }
                    applied.append(outcome)
                }
            }
        } catch let error as DatabaseError {
            throw OperationError(
                "the fix failed at `\(current?.sql ?? "")` and was rolled back, so nothing "
                    + "changed. The server said: \(error.serverMessage)")
        }
        logger.info("applied \(plan.statements.count) permission statements")
        return applied
    }

    /// Marks each entry of `report` that a statement of `applied` was meant to fix but left
    /// in place with a warning, so the report shows why the drift remains.
    public static func annotate(_ report: inout PermissionReport, with applied: [FixStatement]) {
        var warnings: [DriftEntry.Subject: String] = [:]
        for statement in applied {
            guard let subject = statement.subject, let warning = statement.serverWarning
            else { continue }
            warnings[subject] = warning
        }
        guard !warnings.isEmpty else { return }
        for index in report.comparison.missing.indices {
            report.comparison.missing[index].fixResult =
                warnings[report.comparison.missing[index].subject]
        }
        for index in report.comparison.extra.indices {
            report.comparison.extra[index].fixResult =
                warnings[report.comparison.extra[index].subject]
        }
    }
}
