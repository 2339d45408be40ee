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
            if let resolved = try dialect.resolveSecurable(
                connection, grant.securable, declaredType: grant.objectType)
            {
                snapshot.securables[grant.securable] = resolved
            }
        }

        var grants = Set<CatalogGrant>()
        var memberships = Set<CatalogMembership>()
        let existing = snapshot.principals.values.map(\.name)
        for name in Set(existing).sorted() {
            grants.formUnion(try dialect.readGrants(connection, heldBy: .named(name)))
            memberships.formUnion(try dialect.readMemberships(connection, involving: name))
        }
        grants.formUnion(try dialect.readGrants(connection, heldBy: .public))
        snapshot.grants = Array(grants)
        snapshot.memberships = Array(memberships)
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
        return entries
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
            do {
                try checkPurge(as: info.name == session ? nil : info.name, into: &result)
                // The suggestion names a declared role of the member that exists, so that
                // every member of the role gains the right, or else the member itself.
                let grantee = memberships.first { candidate in
                    candidate.member == membership.member && infos[candidate.role] != nil
                }?.role ?? info.name
                result.partitionSwitch = try dialect.checkPartitionSwitching(
                    connection, principal: info.name == session ? nil : info.name,
                    table: PurgeRequirements.factTable, grantee: grantee)
            } catch let error as DatabaseError {
                logger.warning(
                    "could not check what \(info.name) can do in the purge: \(error.serverMessage)")
                result.checkError = error.serverMessage
            }
            capabilities.append(result)
        }
        return capabilities
    }

    private func checkPurge(as principal: String?, into result: inout ServiceCapabilities) throws {
        var missing: [String] = []
        for (permission, table) in PurgeRequirements.deletePurge {
            let declaredTable = Securable.object(schema: table.schema, name: table.name)
            guard let securable = try dialect.resolveSecurable(
                connection, declaredTable, declaredType: .table)
            else {
                missing.append("\(permission) on \(table) (table not found)")
                continue
            }
            let allowed = try dialect.hasEffectivePermission(
                connection, principal: principal, permission: permission, on: securable)
            if allowed != true {
                missing.append("\(permission) on \(table)")
            }
        }
        result.purgeMissing = missing
        result.canPurgeByDeletes = missing.isEmpty
    }

    // MARK: - Fixing

    /// Builds the statements that fix `report`; see `FixPlan`.
    public func plan(_ report: PermissionReport, revokeExtra: Bool) -> FixPlan {
        FixPlan.build(report.comparison, revokeExtra: revokeExtra, dialect: dialect)
    }

    /// Runs the plan's statements in one transaction, calling `onStatement` before each.
    ///
    /// - Throws: `OperationError` naming the statement the server rejected; the transaction
    ///   is rolled back, so nothing of the plan stays applied.
    public func apply(_ plan: FixPlan, onStatement: (FixStatement) -> Void) throws {
        guard !plan.statements.isEmpty else { return }
        var current: FixStatement?
        do {
            try connection.inTransaction {
                for statement in plan.statements {
                    current = statement
                    onStatement(statement)
                    try connection.execute(statement.sql)
                }
            }
        } catch let error as DatabaseError {
            throw OperationError(
                "the fix failed at `\(current?.sql ?? "")` and was rolled back, so nothing "
                    + "changed. The server said: \(error.serverMessage)")
        }
        logger.info("applied \(plan.statements.count) permission statements")
    }
}
