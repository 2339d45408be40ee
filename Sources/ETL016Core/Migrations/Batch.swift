/// A unit of SQL that the migrator sends to the server in one call: a T-SQL batch between `GO`
/// lines, or one PostgreSQL statement.
///
///     let batches = try TSQLBatchSplitter.split("SELECT 1;\nGO 2\n")
///     // [Batch(sql: "SELECT 1;", line: 1, repeatCount: 2)]
public struct Batch: Equatable, Sendable {
    /// The SQL text as written in the script, with line ends turned into LF and surrounding
    /// whitespace removed. T-SQL batches leave out the `GO` line.
    public var sql: String

    /// The 1-based line of the script where `sql` starts, which is the first non-blank line of
    /// the batch.
    ///
    /// Line N of `sql` is line `line + N - 1` of the script, so a line number in a server error
    /// maps back to the file.
    public var line: Int

    /// The number of times the batch runs, from `GO 3`. It is 1 for a plain `GO`, for the last
    /// batch of a script without `GO`, and for every PostgreSQL statement.
    public var repeatCount: Int

    public init(sql: String, line: Int, repeatCount: Int = 1) {
        self.sql = sql
        self.line = line
        self.repeatCount = repeatCount
    }
}
