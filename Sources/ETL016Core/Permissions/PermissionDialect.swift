/// The catalog queries and statements `verify-permissions` needs from a dialect.
public protocol PermissionDialect: Sendable {}
