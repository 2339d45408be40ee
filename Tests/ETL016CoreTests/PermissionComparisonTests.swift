import ETL016Core
import Testing

/// Builders for comparison tests: a role `etl016_role` with member `talend_user`, both
/// existing, and the table `dbo.f_trafegoc01`.
enum PermissionFixture {
    static let role = Principal.named("etl016_role")
    static let member = Principal.named("talend_user")
    static let table = Securable.object(schema: "dbo", name: "f_trafegoc01")
    static let auditLog = Securable.object(schema: "dbo", name: "audit_log")

    static func grant(
        _ principal: Principal, _ permission: String, _ securable: Securable = table,
        type: ObjectType = .table, grantOption: Bool = false
    ) -> Grant {
        Grant(
            principal: principal, permission: permission, securable: securable, objectType: type,
            withGrantOption: grantOption)
    }

    /// SELECT and DELETE on the table for the role, and the role's membership.
    static func declared() -> DeclaredPermissions {
        var declared = DeclaredPermissions(fileName: "permissions.sql")
        declared.add(grant(role, "SELECT"), line: 1)
        declared.add(grant(role, "DELETE"), line: 1)
        declared.add(Membership(role: "etl016_role", member: "talend_user"), line: 2)
        return declared
    }

    /// Returns a catalog that contains exactly what `declared()` declares.
    static func matchingSnapshot() -> CatalogSnapshot {
        CatalogSnapshot(
            principals: [
                role: PrincipalInfo(name: "etl016_role", canLogIn: false, isSuperuser: false),
                member: PrincipalInfo(name: "talend_user", canLogIn: true, isSuperuser: false),
            ],
            securables: [
                table: ResolvedSecurable(securable: table, objectType: .table, owner: "postgres")
            ],
            grants: [
                CatalogGrant(grant: grant(role, "SELECT"), state: .grant),
                CatalogGrant(grant: grant(role, "DELETE"), state: .grant),
            ],
            memberships: [
                CatalogMembership(
                    membership: Membership(role: "etl016_role", member: "talend_user"))
            ])
    }

    static func describe(_ entry: DriftEntry) -> String {
        switch entry.subject {
        case .grant(let grant): return compact(grant)
        case .membership(let membership): return "\(membership.member) MEMBER \(membership.role)"
        }
    }
}

@Suite("permission comparison")
struct PermissionComparisonTests {
    typealias F = PermissionFixture

    @Test("matching catalog has no drift")
    func matchingCatalog() {
        let result = PermissionComparison.compare(F.declared(), with: F.matchingSnapshot())
        #expect(result.missing.isEmpty)
        #expect(result.extra.isEmpty)
        #expect(result.denied.isEmpty)
    }

    @Test("revoked grant is missing with its line")
    func revokedGrant() {
        var snapshot = F.matchingSnapshot()
        snapshot.grants.removeAll { $0.grant.permission == "DELETE" }
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.missing.map(F.describe) == ["etl016_role DELETE table dbo.f_trafegoc01"])
        #expect(result.missing.first?.line == 1)
        #expect(result.missing.first?.reason == nil)
    }

    @Test("undeclared grant to the role is extra")
    func extraGrantToRole() {
        var snapshot = F.matchingSnapshot()
        snapshot.grants.append(CatalogGrant(grant: F.grant(F.role, "INSERT"), state: .grant))
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.extra.map(F.describe) == ["etl016_role INSERT table dbo.f_trafegoc01"])
        #expect(result.missing.isEmpty)
    }

    @Test("grant straight to the member is extra")
    func extraGrantToMember() {
        var snapshot = F.matchingSnapshot()
        snapshot.grants.append(
            CatalogGrant(grant: F.grant(F.member, "SELECT", F.auditLog), state: .grant))
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.extra.map(F.describe) == ["talend_user SELECT table dbo.audit_log"])
    }

    @Test("undeclared grant option is extra alone")
    func extraGrantOption() throws {
        var snapshot = F.matchingSnapshot()
        snapshot.grants[0] = CatalogGrant(
            grant: F.grant(F.role, "SELECT"), state: .grantWithGrantOption)
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.missing.isEmpty)
        #expect(result.extra.count == 1)
        #expect(result.extra.first?.grantOptionOnly == true)
    }

    @Test("declared grant option not held is missing")
    func missingGrantOption() {
        var declared = DeclaredPermissions(fileName: "permissions.sql")
        declared.add(F.grant(F.role, "SELECT", grantOption: true), line: 4)
        var snapshot = F.matchingSnapshot()
        snapshot.grants.removeAll { $0.grant.permission == "DELETE" }
        let result = PermissionComparison.compare(declared, with: snapshot)
        #expect(result.missing.first?.reason == .grantOptionNotHeld)
    }

    @Test("missing role is reported, not fatal")
    func missingRole() {
        var snapshot = F.matchingSnapshot()
        snapshot.principals[F.role] = nil
        snapshot.grants = []
        snapshot.memberships = []
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.missing.count == 3)
        #expect(result.missing.allSatisfy { $0.reason == .principalNotFound("etl016_role") })
        #expect(result.extra.isEmpty)
    }

    @Test("missing object is reported with its kind")
    func missingObject() {
        var snapshot = F.matchingSnapshot()
        snapshot.securables = [:]
        snapshot.grants = []
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.missing.count == 2)
        #expect(result.missing.first?.reason == .securableNotFound("table dbo.f_trafegoc01"))
    }

    @Test("removed membership names the member")
    func removedMembership() {
        var snapshot = F.matchingSnapshot()
        snapshot.memberships = []
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.missing.map(F.describe) == ["talend_user MEMBER etl016_role"])
        #expect(result.missing.first?.line == 2)
    }

    @Test("undeclared memberships are extra both ways")
    func extraMemberships() {
        var snapshot = F.matchingSnapshot()
        snapshot.memberships += [
            CatalogMembership(membership: Membership(role: "etl016_role", member: "intruder")),
            CatalogMembership(membership: Membership(role: "db_owner", member: "talend_user")),
        ]
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.extra.map(F.describe) == [
            "talend_user MEMBER db_owner", "intruder MEMBER etl016_role",
        ])
    }

    @Test("inert member is a note, not drift")
    func inertMember() {
        var snapshot = F.matchingSnapshot()
        snapshot.memberships.append(
            CatalogMembership(
                membership: Membership(role: "etl016_role", member: "old_group"),
                memberIsInert: true))
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.extra.isEmpty)
        #expect(result.notes.count == 1)
    }

    @Test("catalog spelling of names matches")
    func catalogSpelling() {
        var declared = DeclaredPermissions(fileName: "permissions.sql")
        declared.add(
            F.grant(.named("ETL016_ROLE"), "SELECT", .object(schema: "DBO", name: "F_TRAFEGOC01"),
                type: .object),
            line: 1)
        var snapshot = F.matchingSnapshot()
        snapshot.principals = [
            .named("ETL016_ROLE"):
                PrincipalInfo(name: "etl016_role", canLogIn: false, isSuperuser: false)
        ]
        snapshot.securables = [
            .object(schema: "DBO", name: "F_TRAFEGOC01"):
                ResolvedSecurable(securable: F.table, objectType: .table, owner: "dbo")
        ]
        snapshot.grants = [CatalogGrant(grant: F.grant(F.role, "SELECT"), state: .grant)]
        snapshot.memberships = []
        let result = PermissionComparison.compare(declared, with: snapshot)
        #expect(result.missing.isEmpty)
        #expect(result.extra.isEmpty)
    }

    @Test("DENY to the grantee replaces the grant")
    func denyToGrantee() {
        var snapshot = F.matchingSnapshot()
        snapshot.grants[1] = CatalogGrant(grant: F.grant(F.role, "DELETE"), state: .deny)
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.missing.map(F.describe) == ["etl016_role DELETE table dbo.f_trafegoc01"])
        #expect(result.denied.map { compact($0.deny) } == [
            "etl016_role DELETE table dbo.f_trafegoc01"
        ])
        #expect(result.extra.isEmpty)
    }

    @Test("DENY on the schema to the member overrides")
    func denyOnSchemaToMember() {
        var snapshot = F.matchingSnapshot()
        snapshot.grants.append(
            CatalogGrant(
                grant: F.grant(F.member, "SELECT", .schema("dbo"), type: .schema), state: .deny))
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.denied.count == 1)
        #expect(
            result.denied.first.map { compact($0.overrides) }
                == "etl016_role SELECT table dbo.f_trafegoc01")
        #expect(result.missing.isEmpty)
    }

    @Test("DENY CONTROL to PUBLIC overrides every declared grant")
    func denyControlToPublic() {
        var snapshot = F.matchingSnapshot()
        snapshot.grants.append(CatalogGrant(grant: F.grant(.public, "CONTROL"), state: .deny))
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.denied.count == 2)
    }

    @Test("DENY of another permission is not reported")
    func unrelatedDeny() {
        var snapshot = F.matchingSnapshot()
        snapshot.grants.append(CatalogGrant(grant: F.grant(F.role, "UPDATE"), state: .deny))
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.denied.isEmpty)
        #expect(result.extra.isEmpty)
    }

    @Test("PUBLIC grants are shown in declared schemas only")
    func publicGrants() {
        var snapshot = F.matchingSnapshot()
        snapshot.grants += [
            CatalogGrant(
                grant: F.grant(.public, "EXECUTE", .object(schema: "dbo", name: "f", arguments: ""),
                    type: .function),
                state: .grant),
            CatalogGrant(
                grant: F.grant(.public, "USAGE", .schema("public"), type: .schema), state: .grant),
            CatalogGrant(
                grant: F.grant(.public, "CONNECT", .database("etl016"), type: .database),
                state: .grant),
        ]
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.publicGrants.map(compact) == ["PUBLIC EXECUTE function dbo.f()"])
        #expect(result.extra.isEmpty)
    }

    @Test("declared PUBLIC grants are compared")
    func declaredPublic() {
        var declared = F.declared()
        declared.add(F.grant(.public, "SELECT"), line: 3)
        var snapshot = F.matchingSnapshot()
        snapshot.grants.append(
            CatalogGrant(grant: F.grant(.public, "INSERT", F.auditLog), state: .grant))
        let result = PermissionComparison.compare(declared, with: snapshot)
        #expect(result.missing.map(F.describe) == ["PUBLIC SELECT table dbo.f_trafegoc01"])
        #expect(result.extra.map(F.describe) == ["PUBLIC INSERT table dbo.audit_log"])
    }
}

@Suite("permission comparison of owners, PUBLIC and DENY")
struct PermissionOwnershipTests {
    typealias F = PermissionFixture

    static let privileges = [
        "INSERT", "SELECT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER",
    ]

    /// Returns the ACL entries PostgreSQL's `acldefault` gives the owner `etl016_role` on
    /// `securable`, leaving out `without`.
    static func ownerRows(on securable: Securable = F.table, without: Set<String> = [])
        -> [CatalogGrant]
    {
        privileges.filter { !without.contains($0) }.map { privilege in
            CatalogGrant(
                grant: F.grant(F.role, privilege, securable), state: .grant,
                grantor: "etl016_role", owner: "etl016_role")
        }
    }

    /// Returns the fixture's catalog after `ALTER TABLE dbo.f_trafegoc01 OWNER TO
    /// etl016_role`.
    static func ownedSnapshot(without: Set<String> = []) -> CatalogSnapshot {
        var snapshot = F.matchingSnapshot()
        snapshot.securables[F.table]?.owner = "etl016_role"
        snapshot.grants = ownerRows(without: without)
        return snapshot
    }

    @Test("owner's ACL entries satisfy declared grants")
    func ownerSatisfiesGrants() {
        let result = PermissionComparison.compare(F.declared(), with: Self.ownedSnapshot())
        #expect(result.missing.isEmpty)
        #expect(result.extra.isEmpty)
        #expect(result.notes.count == 1)
        #expect(result.notes.first?.hasPrefix("etl016_role owns dbo.f_trafegoc01.") == true)
    }

    @Test("owner that revoked a privilege misses it")
    func ownerRevokedPrivilege() {
        let result = PermissionComparison.compare(
            F.declared(), with: Self.ownedSnapshot(without: ["DELETE"]))
        #expect(result.missing.map(F.describe) == ["etl016_role DELETE table dbo.f_trafegoc01"])
        #expect(result.missing.first?.reason == .revokedByOwner)
        #expect(result.missing.first?.reason?.blocksFix == false)
    }

    @Test("owned undeclared object is not extra")
    func ownedObjectNotExtra() {
        var snapshot = Self.ownedSnapshot()
        let partition = Securable.object(schema: "dbo", name: "f_trafegoc01_default")
        snapshot.grants += Self.ownerRows(on: partition)
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.extra.isEmpty)
        #expect(
            result.notes.first?.hasPrefix(
                "etl016_role owns dbo.f_trafegoc01, dbo.f_trafegoc01_default.") == true)
    }

    @Test("SQL Server owner holds every permission")
    func sqlServerOwner() {
        var snapshot = F.matchingSnapshot()
        snapshot.ownersHoldEveryPermission = true
        snapshot.securables[F.table]?.owner = "etl016_role"
        snapshot.grants = []
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.missing.isEmpty)
        #expect(result.notes.count == 1)
    }

    @Test("grant by another grantor names it")
    func grantorNamed() {
        var snapshot = F.matchingSnapshot()
        let insert = F.grant(F.role, "INSERT", F.auditLog)
        snapshot.grants += [
            CatalogGrant(grant: insert, state: .grant, grantor: "postgres", owner: "postgres"),
            CatalogGrant(grant: insert, state: .grant, grantor: "qa_other", owner: "postgres"),
        ]
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.extra.map(F.describe) == ["etl016_role INSERT table dbo.audit_log"])
        #expect(result.extra.first?.grantedBy == ["qa_other"])
    }

    @Test("grant by the owner names no grantor")
    func ownerGrantorNotNamed() {
        var snapshot = F.matchingSnapshot()
        snapshot.grants.append(
            CatalogGrant(
                grant: F.grant(F.role, "INSERT", F.auditLog), state: .grant, grantor: "postgres",
                owner: "postgres"))
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.extra.first?.grantedBy == [])
    }

    // MARK: - PUBLIC

    @Test("PUBLIC DELETE on a declared table is extra")
    func publicWriteIsExtra() {
        var snapshot = F.matchingSnapshot()
        snapshot.grants.append(CatalogGrant(grant: F.grant(.public, "TRUNCATE"), state: .grant))
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.extra.map(F.describe) == ["PUBLIC TRUNCATE table dbo.f_trafegoc01"])
        #expect(result.publicGrants.isEmpty)
    }

    @Test("PUBLIC holding a declared permission is extra")
    func publicDeclaredPermissionIsExtra() {
        var snapshot = F.matchingSnapshot()
        snapshot.grants.append(
            CatalogGrant(
                grant: F.grant(.public, "SELECT", .object(
                    schema: "dbo", name: "f_trafegoc01", column: "dia")),
                state: .grant))
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.extra.map(F.describe) == ["PUBLIC SELECT table dbo.f_trafegoc01 column dia"])
    }

    @Test("PUBLIC on an undeclared table is shown")
    func publicOnUndeclaredTable() {
        var snapshot = F.matchingSnapshot()
        snapshot.grants.append(
            CatalogGrant(grant: F.grant(.public, "DELETE", F.auditLog), state: .grant))
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.extra.isEmpty)
        #expect(result.publicGrants.map(compact) == ["PUBLIC DELETE table dbo.audit_log"])
    }

    @Test("PUBLIC REFERENCES on a declared table is shown")
    func publicReadOnlyUndeclaredPermission() {
        var snapshot = F.matchingSnapshot()
        snapshot.grants.append(
            CatalogGrant(grant: F.grant(.public, "REFERENCES"), state: .grant))
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.extra.isEmpty)
        #expect(result.publicGrants.count == 1)
    }

    @Test("default PUBLIC EXECUTE on a declared function is shown")
    func defaultPublicExecute() {
        let function = Securable.object(schema: "dbo", name: "f", arguments: "")
        var declared = F.declared()
        declared.add(F.grant(F.role, "EXECUTE", function, type: .function), line: 3)
        var snapshot = F.matchingSnapshot()
        snapshot.defaultPublicPrivileges = PostgreSQLDialect().defaultPublicPrivileges
        snapshot.securables[function] = ResolvedSecurable(
            securable: function, objectType: .function, owner: "postgres")
        for principal in [F.role, Principal.public] {
            snapshot.grants.append(
                CatalogGrant(
                    grant: F.grant(principal, "EXECUTE", function, type: .function),
                    state: .grant))
        }
        let result = PermissionComparison.compare(declared, with: snapshot)
        #expect(result.extra.isEmpty)
        #expect(result.publicGrants.map(compact) == ["PUBLIC EXECUTE function dbo.f()"])
    }

    @Test("EXECUTE to public on a declared procedure is extra on SQL Server")
    func publicExecuteOnSQLServer() {
        let procedure = Securable.object(schema: "dbo", name: "p")
        var declared = F.declared()
        declared.add(F.grant(F.role, "EXECUTE", procedure, type: .object), line: 3)
        var snapshot = F.matchingSnapshot()
        snapshot.defaultPublicPrivileges = SQLServerDialect().defaultPublicPrivileges
        snapshot.securables[procedure] = ResolvedSecurable(
            securable: procedure, objectType: .procedure, owner: "dbo")
        for principal in [F.role, Principal.public] {
            snapshot.grants.append(
                CatalogGrant(
                    grant: F.grant(principal, "EXECUTE", procedure, type: .procedure),
                    state: .grant))
        }
        let result = PermissionComparison.compare(declared, with: snapshot)
        #expect(result.extra.map(F.describe) == ["PUBLIC EXECUTE procedure dbo.p"])
    }

    // MARK: - DENY

    static let dia = Securable.object(schema: "dbo", name: "f_trafegoc01", column: "dia")

    static func columnDeclared() -> DeclaredPermissions {
        var declared = DeclaredPermissions(fileName: "permissions.sql")
        declared.add(F.grant(F.role, "SELECT", dia), line: 1)
        return declared
    }

    static func tableDenySnapshot(commonCriteria: Bool) -> CatalogSnapshot {
        var snapshot = F.matchingSnapshot()
        snapshot.tableDenyOverridesColumnGrants = commonCriteria
        snapshot.securables[dia] = ResolvedSecurable(
            securable: dia, objectType: .table, owner: "dbo")
        snapshot.grants = [
            CatalogGrant(grant: F.grant(F.role, "SELECT", dia), state: .grant),
            CatalogGrant(grant: F.grant(F.member, "SELECT"), state: .deny),
        ]
        return snapshot
    }

    @Test("table DENY does not override a column grant")
    func tableDenyKeepsColumnGrant() {
        let result = PermissionComparison.compare(
            Self.columnDeclared(), with: Self.tableDenySnapshot(commonCriteria: false))
        #expect(result.denied.isEmpty)
        #expect(result.missing.isEmpty)
    }

    @Test("table DENY overrides a column grant with common criteria")
    func tableDenyWithCommonCriteria() {
        let result = PermissionComparison.compare(
            Self.columnDeclared(), with: Self.tableDenySnapshot(commonCriteria: true))
        #expect(result.denied.map { compact($0.deny) } == [
            "talend_user SELECT table dbo.f_trafegoc01"
        ])
    }

    @Test("DENY CONNECT to the member overrides every grant")
    func denyConnect() {
        var snapshot = F.matchingSnapshot()
        snapshot.grants.append(
            CatalogGrant(
                grant: F.grant(F.member, "CONNECT", .database("etl016"), type: .database),
                state: .deny))
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.denied.count == 2)
        #expect(result.denied.allSatisfy { $0.fixByGrant })
    }

    @Test("DENY held by a nested role overrides")
    func nestedRoleDeny() {
        var snapshot = F.matchingSnapshot()
        snapshot.inheritedDenials = [
            InheritedDenial(deny: F.grant(.named("no_deletes"), "DELETE"), member: "talend_user"),
            InheritedDenial(deny: F.grant(.named("no_updates"), "UPDATE"), member: "talend_user"),
        ]
        let result = PermissionComparison.compare(F.declared(), with: snapshot)
        #expect(result.denied.map { compact($0.deny) } == [
            "no_deletes DELETE table dbo.f_trafegoc01"
        ])
        #expect(result.denied.first?.inheritedBy == "talend_user")
    }

    // MARK: - Unresolved objects

    @Test("overloaded routine is ambiguous, not missing")
    func ambiguousRoutine() {
        let function = Securable.object(schema: "dbo", name: "f")
        var declared = DeclaredPermissions(fileName: "permissions.sql")
        declared.add(F.grant(F.role, "EXECUTE", function, type: .function), line: 1)
        var snapshot = F.matchingSnapshot()
        snapshot.unresolved[function] = .ambiguous("dbo.f has 2 overloads: (integer), (text)")
        let result = PermissionComparison.compare(declared, with: snapshot)
        #expect(result.missing.first?.reason == .ambiguousRoutine(
            "dbo.f has 2 overloads: (integer), (text)"))
        #expect(result.missing.first?.reason?.description.hasPrefix(
            "ambiguous: give the argument types") == true)
    }
}
