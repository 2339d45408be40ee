/// A grantee or a role member: a named database principal, or PUBLIC, the group that every
/// principal belongs to implicitly (the `public` role on SQL Server, the `PUBLIC` pseudo-role on
/// PostgreSQL).
public enum Principal: Hashable, Comparable, Sendable, CustomStringConvertible {
    case named(String)
    case `public`

    /// The principal's name, or nil for PUBLIC.
    public var name: String? {
        if case .named(let name) = self { return name }
        return nil
    }

    public var description: String {
        switch self {
        case .named(let name): return name
        case .public: return "PUBLIC"
        }
    }

    public static func < (lhs: Principal, rhs: Principal) -> Bool {
        lhs.description < rhs.description
    }
}

/// The level a permission applies at, in SQL Server's terms (`sys.database_permissions.class`).
public enum SecurableClass: String, Sendable {
    case database
    case schema
    /// A table, view, sequence, function or procedure, or one column of a table or view.
    case object
    /// A securable of another SQL Server class (`sys.database_permissions.class` 4 and up),
    /// such as a user, a role, a type or a certificate. The grant's object type is the kind.
    case other
}

/// The kind of object a grant names, as declared or as the catalog reports it.
public enum ObjectType: String, Sendable {
    /// An object declared without a kind (`OBJECT::dbo.t` or `dbo.t` on SQL Server), until
    /// the catalog reports its kind.
    case object
    case table
    case view
    case materializedView = "materialized view"
    case foreignTable = "foreign table"
    case sequence
    case function
    case procedure
    case schema
    case database
    case role
    // The SQL Server securables of the `other` class that reports can name.
    case user
    case applicationRole = "application role"
    case type
    case xmlSchemaCollection = "xml schema collection"
    case assembly
    case certificate
    case symmetricKey = "symmetric key"
    case asymmetricKey = "asymmetric key"
    /// A SQL Server securable of a class that verify-permissions reads but cannot name in a
    /// statement.
    case otherSecurable = "other securable"

    /// True for functions and procedures, which PostgreSQL identifies by name and argument
    /// types.
    public var isRoutine: Bool { self == .function || self == .procedure }

    /// The T-SQL class keyword of a securable of the `other` class, as in
    /// `REVOKE CONTROL ON ROLE::r FROM u`; nil for the rest.
    public var transactSQLClass: String? {
        switch self {
        case .user: return "USER"
        case .role: return "ROLE"
        case .applicationRole: return "APPLICATION ROLE"
        case .type: return "TYPE"
        case .xmlSchemaCollection: return "XML SCHEMA COLLECTION"
        case .assembly: return "ASSEMBLY"
        case .certificate: return "CERTIFICATE"
        case .symmetricKey: return "SYMMETRIC KEY"
        case .asymmetricKey: return "ASYMMETRIC KEY"
        default: return nil
        }
    }
}

/// The thing a permission is granted on: a database, a schema, an object or a column.
///
/// Names are kept as the catalog spells them once resolved, so two securables compare equal
/// exactly when they name the same catalog entry.
public struct Securable: Hashable, Sendable, CustomStringConvertible {
    public var securableClass: SecurableClass
    /// The schema of an object; nil for a schema or a database.
    public var schema: String?
    /// The object, schema or database name. An empty database name means the database the
    /// connection uses, which is what a SQL Server database-level GRANT without `ON` names.
    public var name: String
    /// A PostgreSQL routine's argument types as `oidvectortypes` writes them, such as
    /// `text, integer`, or an empty string for none. It is nil for anything else, and for a
    /// routine declared without an argument list.
    public var arguments: String?
    /// The column of a column-level permission.
    public var column: String?

    public init(
        securableClass: SecurableClass, schema: String?, name: String, arguments: String? = nil,
        column: String? = nil
    ) {
        self.securableClass = securableClass
        self.schema = schema
        self.name = name
        self.arguments = arguments
        self.column = column
    }

    public static func object(
        schema: String, name: String, arguments: String? = nil, column: String? = nil
    ) -> Securable {
        Securable(
            securableClass: .object, schema: schema, name: name, arguments: arguments,
            column: column)
    }

    public static func schema(_ name: String) -> Securable {
        Securable(securableClass: .schema, schema: nil, name: name)
    }

    /// Returns the database named `name`, or the connection's database when `name` is empty.
    public static func database(_ name: String = "") -> Securable {
        Securable(securableClass: .database, schema: nil, name: name)
    }

    /// The same securable without its column: the table or view a column belongs to.
    public var withoutColumn: Securable {
        var copy = self
        copy.column = nil
        return copy
    }

    /// The object name as reports show it: `dbo.f_trafegoc01`, `dbo.f(text)`, `dbo`, or the
    /// database name. The column is shown separately.
    public var description: String {
        switch securableClass {
        case .database:
            return name.isEmpty ? "current database" : name
        case .schema:
            return name
        case .object, .other:
            let qualified = schema.map { "\($0).\(name)" } ?? name
            return arguments.map { "\(qualified)(\($0))" } ?? qualified
        }
    }
}

/// One permission held by, or declared for, a principal.
public struct Grant: Hashable, Sendable {
    public var principal: Principal
    /// The permission in upper case, such as `SELECT` or `VIEW DEFINITION`.
    public var permission: String
    public var securable: Securable
    public var objectType: ObjectType
    /// True when the grantee may grant the permission on (`WITH GRANT OPTION`).
    public var withGrantOption: Bool

    public init(
        principal: Principal, permission: String, securable: Securable, objectType: ObjectType,
        withGrantOption: Bool = false
    ) {
        self.principal = principal
        self.permission = permission
        self.securable = securable
        self.objectType = objectType
        self.withGrantOption = withGrantOption
    }

    /// The identity of the grant in a comparison: principal, permission and securable.
    public var key: GrantKey {
        GrantKey(principal: principal, permission: permission, securable: securable)
    }
}

/// The identity of a grant, without its object type and grant option.
public struct GrantKey: Hashable, Sendable {
    public var principal: Principal
    public var permission: String
    public var securable: Securable
}

/// Membership of `member` in the database role `role`.
public struct Membership: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var role: String
    public var member: String

    public init(role: String, member: String) {
        self.role = role
        self.member = member
    }

    public var description: String { "\(member) in \(role)" }

    public static func < (lhs: Membership, rhs: Membership) -> Bool {
        (lhs.role, lhs.member) < (rhs.role, rhs.member)
    }
}
