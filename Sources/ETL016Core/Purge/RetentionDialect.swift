/// The catalog queries and statements `purge`, `partitions` and `stats` need from a dialect.
public protocol RetentionDialect: Sendable {}
