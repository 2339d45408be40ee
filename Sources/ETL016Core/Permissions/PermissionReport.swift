/// A declared grant that does not work for a member when the server evaluates it, found by
/// `--effective`.
public struct IneffectiveEntry: Hashable, Sendable {
    /// The principal the check ran as: a declared member of the grantee, or the grantee.
    public var member: String
    /// The declared grant.
    public var grant: Grant
    public var line: Int
    /// The reason the check could not decide, when the server returned NULL.
    public var reason: String?

    public init(member: String, grant: Grant, line: Int, reason: String? = nil) {
        self.member = member
        self.grant = grant
        self.line = line
        self.reason = reason
    }
}

/// The outcome of `verify-permissions`: the differences, the service logins' capabilities and,
/// after `--fix`, the statements applied.
public struct PermissionReport: Sendable {
    public var fileName: String
    public var dialect: DialectKind
    /// The principal the session acted as.
    public var sessionPrincipal: String
    public var comparison: ComparisonResult
    /// Declared grants that do not work for a member; nil unless `--effective` ran.
    public var ineffective: [IneffectiveEntry]?
    public var capabilities: [ServiceCapabilities] = []
    /// The statements a fix applied; nil unless `--fix` or `--revoke-extra` ran.
    public var fixed: [FixStatement]?
    /// The entries the fix left alone, each with the reason.
    public var fixSkipped: [String] = []

    public init(
        fileName: String, dialect: DialectKind, sessionPrincipal: String,
        comparison: ComparisonResult
    ) {
        self.fileName = fileName
        self.dialect = dialect
        self.sessionPrincipal = sessionPrincipal
        self.comparison = comparison
    }

    /// True when nothing is missing, extra, denied or ineffective.
    public var isOK: Bool {
        comparison.missing.isEmpty && comparison.extra.isEmpty && comparison.denied.isEmpty
            && (ineffective ?? []).isEmpty
    }
}

// MARK: - JSON

extension PermissionReport: JSONRepresentable {
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("ok", .bool(isOK)),
            ("dialect", .string(dialect.rawValue)),
            ("permissions_file", .string(fileName)),
            ("checked_as", .string(sessionPrincipal)),
            ("declared_grants", .integer(Int64(comparison.declaredGrants.count))),
            ("declared_memberships", .integer(Int64(comparison.declaredMemberships.count))),
            ("missing", .array(comparison.missing.map(Self.json))),
            ("extra", .array(comparison.extra.map(Self.json))),
            ("denied", .array(comparison.denied.map(Self.json))),
        ]
        if let ineffective {
            members.append(("not_effective", .array(ineffective.map(Self.json))))
        }
        members.append(("public", .array(comparison.publicGrants.map { Self.json($0) })))
        members.append(("capabilities", .array(capabilities.map(Self.json))))
        if let fixed {
            members.append(("fixed", .array(fixed.map(Self.json))))
            members.append(("fix_skipped", .array(fixSkipped.map { .string($0) })))
        }
        members.append(("notes", .array(comparison.notes.map { .string($0) })))
        return .object(members)
    }

    /// Returns the fields of one grant: `principal`, `permission`, `object`, `object_type`, and
    /// `column` and `grant_option` when they apply.
    static func json(_ grant: Grant, grantOption: Bool? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("principal", .string(grant.principal.description)),
            ("permission", .string(grant.permission)),
            ("object", .string(grant.securable.withoutColumn.description)),
            ("object_type", .string(grant.objectType.rawValue)),
        ]
        if let column = grant.securable.column {
            members.append(("column", .string(column)))
        }
        if let grantOption = grantOption ?? (grant.withGrantOption ? true : nil) {
            members.append(("grant_option", .bool(grantOption)))
        }
        return .object(members)
    }

    static func json(_ entry: DriftEntry) -> JSONValue {
        var object: [(String, JSONValue)]
        switch entry.subject {
        case .grant(let grant):
            guard case .object(let members) = json(grant) else { return .null }
            object = members
        case .membership(let membership):
            object = [
                ("principal", .string(membership.member)),
                ("permission", .string("MEMBER")),
                ("object", .string(membership.role)),
                ("object_type", .string(ObjectType.role.rawValue)),
            ]
        }
        if entry.grantOptionOnly {
            object.append(("grant_option_only", .bool(true)))
        }
        if let line = entry.line {
            object.append(("line", .integer(Int64(line))))
        }
        if let reason = entry.reason {
            object.append(("reason", .string(reason.description)))
        }
        if !entry.grantedBy.isEmpty {
            object.append(("granted_by", .array(entry.grantedBy.map { .string($0) })))
        }
        if let fixResult = entry.fixResult {
            object.append(("fix_result", .string(fixResult)))
        }
        return .object(object)
    }

    static func json(_ entry: DeniedEntry) -> JSONValue {
        guard case .object(var members) = json(entry.deny, grantOption: nil) else { return .null }
        members.append(("overrides", json(entry.overrides)))
        members.append(("line", .integer(Int64(entry.line))))
        if let member = entry.inheritedBy {
            members.append(("inherited_by", .string(member)))
        }
        return .object(members)
    }

    /// Returns one applied fix statement: `action`, `statement`, and `server_warning` when
    /// the server ran it with a warning.
    static func json(_ statement: FixStatement) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("action", .string(statement.action.rawValue)),
            ("statement", .string(statement.sql)),
        ]
        if let warning = statement.serverWarning {
            members.append(("server_warning", .string(warning)))
        }
        return .object(members)
    }

    static func json(_ entry: IneffectiveEntry) -> JSONValue {
        guard case .object(var members) = json(entry.grant) else { return .null }
        members[0] = ("principal", .string(entry.member))
        members.append(("granted_to", .string(entry.grant.principal.description)))
        members.append(("line", .integer(Int64(entry.line))))
        if let reason = entry.reason {
            members.append(("reason", .string(reason)))
        }
        return .object(members)
    }

    static func json(_ capabilities: ServiceCapabilities) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("login", .string(capabilities.login)),
            ("exists", .bool(capabilities.exists)),
        ]
        guard capabilities.exists else { return .object(members) }
        if let checkError = capabilities.checkError {
            members.append(("error", .string(checkError)))
            return .object(members)
        }
        members += [
            ("superuser", .bool(capabilities.isSuperuser)),
            ("purge_by_deletes", .bool(capabilities.canPurgeByDeletes)),
            ("purge_by_deletes_missing", .array(capabilities.purgeMissing.map { .string($0) })),
        ]
        if let check = capabilities.partitionSwitch {
            members += [
                ("partitioned", .bool(check.isPartitioned)),
                ("switch_partitions", .bool(check.isAllowed)),
                ("switch_partitions_requires", .string(check.requirement)),
                ("suggested_statements", .array(check.suggestedStatements.map { .string($0) })),
                ("suggestion_cautions", .array(check.cautions.map { .string($0) })),
            ]
        } else {
            members.append(("switch_partitions", .null))
        }
        return .object(members)
    }
}
