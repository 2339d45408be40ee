#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Retention on SQL Server: a partition function and scheme over the date column,
/// ALTER TABLE ... SWITCH to a staging table, MERGE and SPLIT RANGE on empty ranges only.
///
/// NOTE: this code has only been checked for syntax (sqlfluff's T-SQL dialect) and against
/// the documentation, never run on a server, because no SQL Server is available to the
/// test suite unless ETL016_TEST_SQLSERVER is set.
extension SQLServerDialect {
    // MARK: - Catalog

    public func findTable(_ connection: Connection, _ name: QualifiedName) throws
        -> QualifiedName?
    {
        let rows = try connection.query(
            SQLServerRetentionSQL.findTable,
            [.string(name.schema), .string(name.name), .string(name.schema), .string(name.name)])
        guard let row = rows.first, let schema = row.string("schema_name"),
            let table = row.string("table_name")
        else {
            return nil
        }
        return QualifiedName(schema: schema, name: table)
    }

    public func tableColumns(_ connection: Connection, _ table: QualifiedName) throws
        -> [TableColumn]
    {
        try connection.query(SQLServerRetentionSQL.tableColumns, [.string(quote(table))]).map {
            row in
            TableColumn(
                name: row.string("column_name") ?? "",
                dataType: Self.typeDeclaration(
                    type: row.string("type_name") ?? "", maxLength: Int(row.int("max_length") ?? 0),
                    precision: Int(row.int("precision") ?? 0), scale: Int(row.int("scale") ?? 0)),
                isNullable: row.bool("is_nullable") ?? true,
                isIdentity: row.bool("is_identity") ?? false,
                isPrimaryKey: row.bool("is_primary_key") ?? false,
                generationExpression: row.string("generation_expression"),
                isStored: row.bool("is_stored") ?? false,
                collation: row.string("collation_name"))
        }
    }

    /// Reads the scheme, function, boundaries and filegroup of each partition of the heap or
    /// clustered index. RANGE RIGHT partition n contains [boundary n-1, boundary n), and
    /// RANGE LEFT partition n contains (boundary n-1, boundary n], which becomes a half-open
    /// date range here.
    public func partitionLayout(_ connection: Connection, _ target: RetentionTarget) throws
        -> PartitionLayout?
    {
        let rows = try connection.query(
            SQLServerRetentionSQL.partitionLayout, [.string(quote(target.table))])
        guard let first = rows.first else { return nil }
        let isRangeRight = first.bool("range_right") ?? true
        let partitions = rows.map { row -> PartitionInfo in
            let low = row.string("lower_value").flatMap(LocalDate.init(iso:))
            let high = row.string("upper_value").flatMap(LocalDate.init(iso:))
            let number = Int(row.int("partition_number") ?? 0)
            return PartitionInfo(
                id: String(number), number: number,
                lowerBound: isRangeRight ? low : low?.addingDays(1),
                upperBound: isRangeRight ? high : high?.addingDays(1),
                storage: row.string("filegroup_name"), sizeBytes: row.int("size_bytes"),
                mergeBoundary: isRangeRight ? low : high)
        }
        let keyColumn = first.string("key_column") ?? ""
        return PartitionLayout(
            functionName: first.string("function_name"), schemeName: first.string("scheme_name"),
            key: keyColumn,
            isKeyedOnDate: first.string("key_type") == "date" && keyColumn == target.dateColumn,
            partitions: partitions)
    }

    public func countRows(
        _ connection: Connection, _ target: RetentionTarget, layout: PartitionLayout?,
        cutoff: LocalDate
    ) throws -> [String: PartitionRowCounts] {
        let sql = SQLServerRetentionSQL.countRows(
            table: quote(target.table), date: quoteIdentifier(target.dateColumn),
            text: quoteIdentifier(target.textColumn ?? target.dateColumn),
            partitionFunction: layout?.functionName.map(quoteIdentifier),
            key: layout.map { quoteIdentifier($0.key) })
        var counts: [String: PartitionRowCounts] = [:]
        for row in try connection.query(sql, [.date(cutoff)]) {
            let key = layout == nil ? "table" : String(row.int("partition_number") ?? 1)
            counts[key, default: PartitionRowCounts()].add(Self.rowCounts(row))
        }
        return counts
    }

    public func tableSizeBytes(_ connection: Connection, _ table: QualifiedName) throws -> Int64 {
        try connection.scalar(SQLServerRetentionSQL.tableSize, [.string(quote(table))])
            .integerValue ?? 0
    }

    /// SWITCH needs ALTER on the table and CREATE TABLE plus ALTER on the schema for the
    /// staging table; MERGE RANGE needs ALTER ANY DATASPACE. Every index must be aligned
    /// with the partition scheme, or SWITCH fails.
    public func partitionRemovalRestriction(
        _ connection: Connection, _ target: RetentionTarget, layout: PartitionLayout,
        archive: Bool
    ) throws -> String? {
        let schema = archive ? "archive" : target.table.schema
        let rows = try connection.query(
            SQLServerRetentionSQL.permissions,
            [.string(quote(target.table)), .string(schema)])
        guard let row = rows.first else { return "the permission check returned no row" }
        let login = row.string("login_name") ?? ""
        let missing = [
            ("may_alter_table", "ALTER on \(target.table)"),
            ("may_create_table", "CREATE TABLE in the database"),
            ("may_alter_schema", "ALTER on the schema \(schema)"),
            ("may_alter_dataspace", "ALTER ANY DATASPACE (for MERGE RANGE)"),
        ].filter { row.bool($0.0) != true }.map(\.1)
        if !missing.isEmpty {
            return "the login \(login) lacks " + missing.joined(separator: ", ")
                + ", which SWITCH and MERGE RANGE need"
        }
        let unaligned = try connection.query(
            SQLServerRetentionSQL.unalignedIndexes, [.string(quote(target.table))])
        if let index = unaligned.first?.string("index_name") {
            return "the index \(index) is not aligned with the partition scheme, so SWITCH "
                + "would fail"
        }
        return nil
    }

    /// Finds staging tables that a killed run of this table left after its SWITCH
    /// committed and before its DROP. A table counts only when its name has the exact form
    /// `stagingName` writes, with this table's object_id, and its execution id has a START
    /// row for this table in `dbo.etl016_audit_trail`.
    public func findLeftovers(
        _ connection: Connection, _ target: RetentionTarget, layout: PartitionLayout?,
        cutoff: LocalDate
    ) throws -> [PurgeLeftover] {
        let objectId = try tableObjectId(connection, target.table)
        let prefix = "\(target.table.name)_purge_\(objectId)_"
        let pattern = Self.escapeLike(prefix) + "%"
        let rows = try connection.query(
            SQLServerRetentionSQL.leftoverTables, [.string(target.table.schema), .string(pattern)])
        var leftovers: [PurgeLeftover] = []
        for row in rows {
            let name = QualifiedName(
                schema: row.string("schema_name") ?? "", name: row.string("table_name") ?? "")
            guard name.name.hasPrefix(prefix) else { continue }
            let parts = name.name.dropFirst(prefix.count).split(
                separator: "_", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 32,
                parts[0].allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
                parts[1].hasPrefix("p"), parts[1].count > 1,
                parts[1].dropFirst().allSatisfy({ $0 >= "0" && $0 <= "9" })
            else {
                continue
            }
            let executionHex = String(parts[0])
            let started = try connection.scalar(
                SQLServerRetentionSQL.startRowExists,
                [.string(executionHex), .string(target.table.description)])
            guard started.boolValue == true else { continue }
            leftovers.append(
                PurgeLeftover(
                    table: name, state: "staging table",
                    counts: try countStandalone(connection, name, target, cutoff),
                    executionId: executionHex))
        }
        return leftovers
    }

    func tableObjectId(_ connection: Connection, _ table: QualifiedName) throws -> Int64 {
        guard let id = try connection.scalar(
            "SELECT CAST(OBJECT_ID(?) AS bigint) AS object_id;", [.string(quote(table))]
        ).integerValue else {
            throw PartitionCheckError("\(table) has no object_id")
        }
        return id
    }

    public func maxKey(_ connection: Connection, _ target: RetentionTarget) throws -> Int64? {
        try connection.scalar(
            "SELECT CAST(MAX(\(quoteIdentifier(target.keyColumn))) AS bigint) AS max_key "
                + "FROM \(quote(target.table));"
        ).integerValue
    }

    // MARK: - Session

    /// SET LOCK_TIMEOUT takes a constant, written here from an integer.
    public func setLockTimeout(_ connection: Connection, seconds: Int) throws {
        try connection.execute("SET LOCK_TIMEOUT \(seconds * 1000);")
    }

    // MARK: - Changes

    public func deleteBatch(
        _ connection: Connection, _ target: RetentionTarget, afterKey: Int64, maxKey: Int64,
        cutoff: LocalDate, limit: Int
    ) throws -> DeleteBatchResult {
        let sql = SQLServerRetentionSQL.deleteBatch(
            table: quote(target.table), key: quoteIdentifier(target.keyColumn),
            date: quoteIdentifier(target.dateColumn))
        let rows = try connection.query(
            sql, [.integer(afterKey), .integer(maxKey), .date(cutoff), .integer(Int64(limit))])
        return DeleteBatchResult(
            lastKey: rows.first?.int("last_key"), deletedRows: rows.first?.int("deleted_rows") ?? 0)
    }

    public func deleteKeyRange(
        _ connection: Connection, _ target: RetentionTarget, afterKey: Int64,
        throughKey: Int64, cutoff: LocalDate
    ) throws -> Int64 {
        let sql = SQLServerRetentionSQL.deleteKeyRange(
            table: quote(target.table), key: quoteIdentifier(target.keyColumn),
            date: quoteIdentifier(target.dateColumn))
        let rows = try connection.query(
            sql, [.integer(afterKey), .integer(throughKey), .date(cutoff)])
        return rows.first?.int("deleted_rows") ?? 0
    }

    /// Switches a partition out to an empty staging table with the same columns, computed
    /// columns and indexes on the partition's filegroup, which SWITCH requires. The SWITCH
    /// waits at low priority, and its transaction also counts the rows and writes the audit
    /// row. Then the staging table is dropped and the emptied range merged. A crash after
    /// the SWITCH leaves the staging table for `findLeftovers`.
    public func removePartition(
        _ connection: Connection, _ target: RetentionTarget, layout: PartitionLayout,
        removal: PartitionRemoval, context: PartitionRemovalContext,
        record: (PartitionRowCounts) throws -> Void
    ) throws {
        let partition = removal.partition
        let staging = stagingName(
            target.table, partition, context,
            objectId: try tableObjectId(connection, target.table))
        let filegroup = partition.storage ?? "PRIMARY"
        let indexes = try tableIndexes(connection, target.table)
        if context.archive {
            try connection.execute(SQLServerRetentionSQL.createArchiveSchema)
        }
        if try findTable(connection, staging) != nil {
            let counts = try countStandalone(connection, staging, target, context.cutoff)
            guard counts.rows == 0 else {
                throw PartitionCheckError(
                    "\(staging) exists and holds \(counts.rows) rows: rename or drop it, then "
                        + "run the purge again")
            }
            try connection.execute("DROP TABLE \(quote(staging));")
        }
        for statement in Self.stagingTableDDL(
            staging: staging, columns: target.columns, indexes: indexes, filegroup: filegroup,
            quote: quoteIdentifier)
        {
            try connection.execute(statement)
        }
        // Count the partition before the SWITCH, which takes Sch-M on the table, so the full
        // scan does not block it. Inside the transaction only the staging table's row count
        // is read from metadata; when it differs, the rows are counted again there.
        let counted = try countPartition(
            connection, target, layout: layout, number: partition.number,
            cutoff: context.cutoff)
        try counted.requireOnlyExpired(partition.displayName, cutoff: context.cutoff)
        try connection.inTransaction {
            try connection.execute(
                Self.switchStatement(
                    table: quote(target.table), partition: partition.number,
                    staging: quote(staging), lockTimeoutSeconds: context.lockTimeout))
            let stagedRows = try connection.scalar(
                SQLServerRetentionSQL.stagedRowCount, [.string(quote(staging))]
            ).integerValue
            var counts = counted
            if stagedRows != counted.rows {
                counts = try countStandalone(connection, staging, target, context.cutoff)
                try counts.requireOnlyExpired(partition.displayName, cutoff: context.cutoff)
            }
            try record(counts)
        }
        if !context.archive {
            try connection.execute("DROP TABLE \(quote(staging));")
        }
        if let boundary = partition.mergeBoundary, let function = layout.functionName {
            try requireEmptyOnFunction(
                connection, function: function, partitionNumber: partition.number,
                action: "MERGE RANGE (\(boundary))")
            do {
                try connection.execute(
                    SQLServerRetentionSQL.mergeRange(function: quoteIdentifier(function)),
                    [.date(boundary)])
            } catch let error as DatabaseError where error.isLockTimeout {
                throw OperationError(
                    "MERGE RANGE (\(boundary)) of \(function) timed out after "
                        + "\(context.lockTimeout) s waiting for a lock (the session's "
                        + "LOCK_TIMEOUT): \(partition.displayName) was already switched out "
                        + "and its rows removed, and its empty range stays until a later run "
                        + "merges it; run the purge again when the workload is lighter "
                        + "(\(error.serverMessage))")
            }
        }
    }

    /// Counts one partition of the table with `$PARTITION`, outside any transaction.
    func countPartition(
        _ connection: Connection, _ target: RetentionTarget, layout: PartitionLayout,
        number: Int, cutoff: LocalDate
    ) throws -> PartitionRowCounts {
        guard let function = layout.functionName else {
            throw PartitionCheckError("\(target.table) has no partition function")
        }
        let rows = try connection.query(
            SQLServerRetentionSQL.countPartition(
                table: quote(target.table), date: quoteIdentifier(target.dateColumn),
                text: quoteIdentifier(target.textColumn ?? target.dateColumn),
                function: quoteIdentifier(function), key: quoteIdentifier(layout.key)),
            [.date(cutoff), .integer(Int64(number))])
        return rows.first.map(Self.rowCounts) ?? PartitionRowCounts()
    }

    /// NOTE: `sys.partitions.rows` is documented by Microsoft as approximate, and this code
    /// has run only through the sqlfluff parse tests, never against a SQL Server here.
    ///
    /// Throws unless every table and index stored on a partition scheme of `function` is
    /// empty in partition `partitionNumber`, because MERGE and SPLIT act on all of them and
    /// would move any rows there.
    func requireEmptyOnFunction(
        _ connection: Connection, function: String, partitionNumber: Int, action: String
    ) throws {
        let rows = try connection.query(
            SQLServerRetentionSQL.rowsOnFunctionPartition,
            [.string(function), .integer(Int64(partitionNumber))])
        guard rows.isEmpty else {
            let holders = rows.map {
                "\($0.string("table_name") ?? "?") (\($0.int("row_count") ?? 0) rows)"
            }.joined(separator: ", ")
            throw PartitionCheckError(
                "\(action) was not run because partition \(partitionNumber) of \(function) is "
                    + "not empty in other tables or indexes on it: \(holders); empty that range "
                    + "in them first, or leave the boundary")
        }
    }

    public func finishLeftover(
        _ connection: Connection, _ target: RetentionTarget, layout: PartitionLayout?,
        leftover: PurgeLeftover, context: PartitionRemovalContext,
        record: (PartitionRowCounts) throws -> Void
    ) throws {
        try connection.inTransaction {
            let counts = try countStandalone(connection, leftover.table, target, context.cutoff)
            try counts.requireOnlyExpired(leftover.table.description, cutoff: context.cutoff)
            try connection.execute("DROP TABLE \(quote(leftover.table));")
            try record(counts)
        }
    }

    /// Adds the boundaries `month` and the month after it with NEXT USED and SPLIT RANGE,
    /// each only when the range it splits is empty, so no data moves. Supports RANGE
    /// RIGHT functions on `date`, the layout the migrations create.
    public func ensureMonthlyPartition(
        _ connection: Connection, _ target: RetentionTarget, layout: PartitionLayout,
        month: LocalDate, lockTimeout: Int
    ) throws -> PartitionEnsureOutcome {
        guard let function = layout.functionName, let scheme = layout.schemeName else {
            return .skipped(reason: "\(target.table) has no partition function")
        }
        let isRangeRight = try connection.scalar(
            SQLServerRetentionSQL.functionIsRangeRight, [.string(function)]
        ).boolValue
        guard isRangeRight == true else {
            throw ConfigurationError(
                "the partition function \(function) of \(target.table) is RANGE LEFT, and "
                    + "partitions ensure supports only RANGE RIGHT functions on date, where each "
                    + "boundary is the first day of its month: recreate the function as RANGE "
                    + "RIGHT or add the boundaries by hand")
        }
        var current = layout
        for boundary in [month.firstOfMonth, month.firstOfMonth.addingMonths(1)] {
            let existing = current.partitions.compactMap(\.lowerBound)
            if existing.contains(boundary) { continue }
            guard let holder = current.partitions.first(where: { partition in
                (partition.lowerBound.map { $0 <= boundary } ?? true)
                    && (partition.upperBound.map { boundary < $0 } ?? true)
            }) else {
                return .skipped(reason: "no partition holds the boundary \(boundary)")
            }
            let rows = try connection.scalar(
                SQLServerRetentionSQL.partitionRowCount(
                    table: quote(target.table), function: quoteIdentifier(function),
                    key: quoteIdentifier(layout.key)),
                [.integer(Int64(holder.number))]
            ).integerValue ?? 0
            if rows > 0 {
                return .skipped(
                    reason: "partition \(holder.number) \(holder.rangeDescription) holds \(rows) "
                        + "rows, and splitting it at \(boundary) could move data")
            }
            do {
                try requireEmptyOnFunction(
                    connection, function: function, partitionNumber: holder.number,
                    action: "SPLIT RANGE (\(boundary))")
            } catch let error as PartitionCheckError {
                return .skipped(reason: error.message)
            }
            try connection.execute(
                SQLServerRetentionSQL.splitRange(
                    scheme: quoteIdentifier(scheme), function: quoteIdentifier(function),
                    filegroup: quoteIdentifier(holder.storage ?? "PRIMARY")),
                [.date(boundary)])
            current = try partitionLayout(connection, target) ?? current
        }
        return .created(movedRows: 0)
    }

    public var retentionAudit: RetentionAuditSQL { .standard }

    // MARK: - Helpers

    /// NOTE: the suffix takes up to 55 characters, so a table name longer than about 73
    /// characters makes the staging name exceed SQL Server's 128, and CREATE TABLE fails.
    ///
    /// Returns the staging table for one partition:
    /// `<table>_purge_<object_id>_<execution id in 32 hex digits>_p<number>` next to the
    /// table, or `archive.<table>_pYYYYMM` with `--archive`.
    func stagingName(
        _ table: QualifiedName, _ partition: PartitionInfo, _ context: PartitionRemovalContext,
        objectId: Int64
    ) -> QualifiedName {
        if context.archive, let lower = partition.lowerBound {
            return QualifiedName(
                schema: "archive",
                name: table.name + "_p" + lower.year.zeroPadded(4) + lower.month.zeroPadded(2))
        }
        return QualifiedName(
            schema: table.schema,
            name: "\(table.name)_purge_\(objectId)_\(context.executionHex)_p\(partition.number)")
    }

    func countStandalone(
        _ connection: Connection, _ table: QualifiedName, _ target: RetentionTarget,
        _ cutoff: LocalDate
    ) throws -> PartitionRowCounts {
        let sql = SQLServerRetentionSQL.countRows(
            table: quote(table), date: quoteIdentifier(target.dateColumn),
            text: quoteIdentifier(target.textColumn ?? target.dateColumn),
            partitionFunction: nil, key: nil)
        return try connection.query(sql, [.date(cutoff)]).first.map(Self.rowCounts)
            ?? PartitionRowCounts()
    }

    static func rowCounts(_ row: Row) -> PartitionRowCounts {
        PartitionRowCounts(
            rows: row.int("row_count") ?? 0, expiredRows: row.int("expired_rows") ?? 0,
            nullTextRows: row.int("null_text_rows") ?? 0, noDateRows: row.int("no_date_rows") ?? 0,
            oldestDate: row.date("oldest_date"), newestDate: row.date("newest_date"))
    }

    func tableIndexes(_ connection: Connection, _ table: QualifiedName) throws -> [IndexDefinition]
    {
        var indexes: [IndexDefinition] = []
        for row in try connection.query(SQLServerRetentionSQL.indexColumns, [.string(quote(table))]) {
            let id = Int(row.int("index_id") ?? 0)
            if indexes.last?.id != id {
                indexes.append(
                    IndexDefinition(
                        id: id, name: row.string("index_name") ?? "",
                        isClustered: row.string("type_desc") == "CLUSTERED",
                        isUnique: row.bool("is_unique") ?? false,
                        isPrimaryKey: row.bool("is_primary_key") ?? false,
                        filter: row.string("filter_definition")))
            }
            let column = row.string("column_name") ?? ""
            if row.bool("is_included") == true {
                indexes[indexes.count - 1].includedColumns.append(column)
            } else if (row.int("key_ordinal") ?? 0) > 0 {
                indexes[indexes.count - 1].keyColumns.append(
                    (column, row.bool("is_descending") ?? false))
            }
        }
        return indexes
    }

    /// Returns `varchar(50)`, `nvarchar(max)`, `decimal(18,2)` or `datetime2(7)` from
    /// `sys.columns`; `max_length` is in bytes, so n-types halve it and -1 means max.
    static func typeDeclaration(type: String, maxLength: Int, precision: Int, scale: Int)
        -> String
    {
        switch type.lowercased() {
        case "varchar", "char", "varbinary", "binary":
            return "\(type)(\(maxLength == -1 ? "max" : String(maxLength)))"
        case "nvarchar", "nchar":
            return "\(type)(\(maxLength == -1 ? "max" : String(maxLength / 2)))"
        case "decimal", "numeric":
            return "\(type)(\(precision), \(scale))"
        case "datetime2", "time", "datetimeoffset":
            return "\(type)(\(scale))"
        default:
            return type
        }
    }

    /// Escapes `[`, `%` and `_` so that a name matches itself in a LIKE pattern.
    static func escapeLike(_ text: String) -> String {
        var result = ""
        for character in text {
            if character == "[" || character == "%" || character == "_" {
                result += "[\(character)]"
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// One index of a table, read from `sys.indexes` and `sys.index_columns` to rebuild it on a
/// staging table.
struct IndexDefinition: Sendable {
    var id: Int
    var name: String
    var isClustered: Bool
    var isUnique: Bool
    var isPrimaryKey: Bool
    var filter: String?
    var keyColumns: [(name: String, isDescending: Bool)] = []
    var includedColumns: [String] = []
}

// MARK: - DDL built from the catalog

extension SQLServerDialect {
    /// Returns the statements that create an empty staging table matching `columns` and
    /// `indexes` on `filegroup`. Columns keep their order, types, collations and
    /// nullability, and computed columns their definition and PERSISTED. Every index keeps
    /// its keys, order, included columns and filter. IDENTITY is left out
    /// because SWITCH ignores it. Constraint names are schema-wide, so the primary key gets
    /// a name derived from the staging table.
    ///
    /// NOTE: data compression, LOB filegroups (TEXTIMAGE_ON) and indexed views are not
    /// reproduced; a table that uses them makes SWITCH fail, and nothing is changed.
    static func stagingTableDDL(
        staging: QualifiedName, columns: [TableColumn], indexes: [IndexDefinition],
        filegroup: String, quote: (String) -> String
    ) -> [String] {
        let table = "\(quote(staging.schema)).\(quote(staging.name))"
        var lines = columns.map { column -> String in
            if let expression = column.generationExpression {
                let persisted = column.isStored ? " PERSISTED" : ""
                let notNull = column.isStored && !column.isNullable ? " NOT NULL" : ""
                return "    \(quote(column.name)) AS \(expression)\(persisted)\(notNull)"
            }
            let collation = column.collation.map { " COLLATE \($0)" } ?? ""
            let nullability = column.isNullable ? "NULL" : "NOT NULL"
            return "    \(quote(column.name)) \(column.dataType)\(collation) \(nullability)"
        }
        func keyList(_ index: IndexDefinition) -> String {
            index.keyColumns.map { quote($0.name) + ($0.isDescending ? " DESC" : " ASC") }
                .joined(separator: ", ")
        }
        for index in indexes where index.isPrimaryKey {
            let kind = index.isClustered ? "CLUSTERED" : "NONCLUSTERED"
            lines.append(
                "    CONSTRAINT \(quote("PK_" + staging.name)) PRIMARY KEY \(kind) "
                    + "(\(keyList(index)))")
        }
        var statements = [
            "CREATE TABLE \(table) (\n" + lines.joined(separator: ",\n") + "\n) ON \(quote(filegroup));"
        ]
        for index in indexes where !index.isPrimaryKey {
            let unique = index.isUnique ? "UNIQUE " : ""
            let kind = index.isClustered ? "CLUSTERED" : "NONCLUSTERED"
            var statement = "CREATE \(unique)\(kind) INDEX \(quote(index.name)) ON \(table) "
                + "(\(keyList(index)))"
            if !index.includedColumns.isEmpty {
                statement += " INCLUDE (" + index.includedColumns.map(quote).joined(separator: ", ")
                    + ")"
            }
            if let filter = index.filter {
                statement += " WHERE \(filter)"
            }
            statements.append(statement + " ON \(quote(filegroup));")
        }
        return statements
    }

    /// ALTER TABLE ... SWITCH at low priority: it waits `lockTimeoutSeconds`, rounded up to
    /// whole minutes (the unit MAX_DURATION takes), behind the workload's locks instead of
    /// ahead of them, then gives up itself (ABORT_AFTER_WAIT = SELF) with error 1222.
    static func switchStatement(
        table: String, partition: Int, staging: String, lockTimeoutSeconds: Int
    ) -> String {
        let minutes = max(1, (lockTimeoutSeconds + 59) / 60)
        return """
            ALTER TABLE \(table) SWITCH PARTITION \(partition) TO \(staging)
                WITH (WAIT_AT_LOW_PRIORITY (MAX_DURATION = \(minutes) MINUTES, ABORT_AFTER_WAIT = SELF));
            """
    }
}

/// The T-SQL text of retention, in one place. `?` markers are bound parameters.
enum SQLServerRetentionSQL {
    static let findTable = """
        SELECT TOP (1) s.name AS schema_name, t.name AS table_name
        FROM sys.tables AS t
        INNER JOIN sys.schemas AS s ON s.schema_id = t.schema_id
        WHERE LOWER(s.name) = LOWER(?) AND LOWER(t.name) = LOWER(?)
        ORDER BY CASE WHEN s.name = ? THEN 0 ELSE 1 END, CASE WHEN t.name = ? THEN 0 ELSE 1 END;
        """

    static let tableColumns = """
        SELECT c.name AS column_name, TYPE_NAME(c.user_type_id) AS type_name,
            c.max_length, c.[precision], c.scale, c.collation_name,
            CAST(c.is_nullable AS int) AS is_nullable,
            CAST(c.is_identity AS int) AS is_identity,
            cc.[definition] AS generation_expression,
            CAST(ISNULL(cc.is_persisted, 0) AS int) AS is_stored,
            CASE WHEN EXISTS (
                SELECT 1 FROM sys.indexes AS i
                INNER JOIN sys.index_columns AS ic
                    ON ic.object_id = i.object_id AND ic.index_id = i.index_id
                WHERE i.object_id = c.object_id AND i.is_primary_key = 1
                    AND ic.column_id = c.column_id AND ic.key_ordinal > 0
            ) THEN 1 ELSE 0 END AS is_primary_key
        FROM sys.columns AS c
        LEFT JOIN sys.computed_columns AS cc
            ON cc.object_id = c.object_id AND cc.column_id = c.column_id
        WHERE c.object_id = OBJECT_ID(?)
        ORDER BY c.column_id;
        """

    static let partitionLayout = """
        SELECT p.partition_number, ps.name AS scheme_name, pf.name AS function_name,
            CAST(pf.boundary_value_on_right AS int) AS range_right,
            TYPE_NAME(pp.system_type_id) AS key_type,
            COL_NAME(ic.object_id, ic.column_id) AS key_column,
            CASE WHEN TYPE_NAME(pp.system_type_id) = 'date'
                THEN CONVERT(char(10), CAST(lo.value AS date), 23) END AS lower_value,
            CASE WHEN TYPE_NAME(pp.system_type_id) = 'date'
                THEN CONVERT(char(10), CAST(hi.value AS date), 23) END AS upper_value,
            fg.name AS filegroup_name,
            (
                SELECT SUM(au.total_pages) * CAST(8192 AS bigint)
                FROM sys.partitions AS ap
                INNER JOIN sys.allocation_units AS au ON au.container_id = ap.partition_id
                WHERE ap.object_id = i.object_id AND ap.partition_number = p.partition_number
            ) AS size_bytes
        FROM sys.indexes AS i
        INNER JOIN sys.partition_schemes AS ps ON ps.data_space_id = i.data_space_id
        INNER JOIN sys.partition_functions AS pf ON pf.function_id = ps.function_id
        INNER JOIN sys.partition_parameters AS pp
            ON pp.function_id = pf.function_id AND pp.parameter_id = 1
        INNER JOIN sys.index_columns AS ic
            ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.partition_ordinal = 1
        INNER JOIN sys.partitions AS p ON p.object_id = i.object_id AND p.index_id = i.index_id
        INNER JOIN sys.destination_data_spaces AS dds
            ON dds.partition_scheme_id = ps.data_space_id
            AND dds.destination_id = p.partition_number
        INNER JOIN sys.filegroups AS fg ON fg.data_space_id = dds.data_space_id
        LEFT JOIN sys.partition_range_values AS lo
            ON lo.function_id = pf.function_id AND lo.boundary_id = p.partition_number - 1
        LEFT JOIN sys.partition_range_values AS hi
            ON hi.function_id = pf.function_id AND hi.boundary_id = p.partition_number
        WHERE i.object_id = OBJECT_ID(?) AND i.index_id IN (0, 1)
        ORDER BY p.partition_number;
        """

    /// Counts per partition with `$PARTITION`, or for the whole table when
    /// `partitionFunction` is nil. `$PARTITION` of a NULL date returns 1, the partition
    /// where SQL Server keeps NULLs.
    static func countRows(
        table: String, date: String, text: String, partitionFunction: String?, key: String?
    ) -> String {
        let partition = partitionFunction.map { "$PARTITION.\($0)(\(key ?? date))" }
        let select = partition.map { "\($0) AS partition_number, " } ?? ""
        let group = partition.map { "\nGROUP BY \($0)" } ?? ""
        return """
            DECLARE @cutoff date = ?;
            SELECT \(select)COUNT_BIG(*) AS row_count,
                SUM(CASE WHEN \(date) < @cutoff THEN CAST(1 AS bigint) ELSE 0 END) AS expired_rows,
                SUM(CASE WHEN \(text) IS NULL THEN CAST(1 AS bigint) ELSE 0 END) AS null_text_rows,
                SUM(CASE WHEN \(date) IS NULL THEN CAST(1 AS bigint) ELSE 0 END) AS no_date_rows,
                CONVERT(char(10), MIN(\(date)), 23) AS oldest_date,
                CONVERT(char(10), MAX(\(date)), 23) AS newest_date
            FROM \(table)\(group);
            """
    }

    static let tableSize = """
        SELECT SUM(au.total_pages) * CAST(8192 AS bigint) AS size_bytes
        FROM sys.partitions AS p
        INNER JOIN sys.allocation_units AS au ON au.container_id = p.partition_id
        WHERE p.object_id = OBJECT_ID(?);
        """

    static let permissions = """
        DECLARE @table nvarchar(300) = ?, @schema sysname = ?;
        SELECT SUSER_SNAME() AS login_name,
            HAS_PERMS_BY_NAME(@table, 'OBJECT', 'ALTER') AS may_alter_table,
            HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'CREATE TABLE') AS may_create_table,
            CASE WHEN SCHEMA_ID(@schema) IS NULL
                THEN HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'CREATE SCHEMA')
                ELSE HAS_PERMS_BY_NAME(@schema, 'SCHEMA', 'ALTER') END AS may_alter_schema,
            HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'ALTER ANY DATASPACE') AS may_alter_dataspace;
        """

    static let unalignedIndexes = """
        SELECT i.name AS index_name
        FROM sys.indexes AS i
        INNER JOIN sys.indexes AS base ON base.object_id = i.object_id AND base.index_id IN (0, 1)
        WHERE i.object_id = OBJECT_ID(?) AND i.index_id > 1
            AND i.data_space_id <> base.data_space_id;
        """

    /// Counts one partition, chosen by number. Parameters: cutoff, partition number.
    static func countPartition(
        table: String, date: String, text: String, function: String, key: String
    ) -> String {
        """
        DECLARE @cutoff date = ?, @partition_number int = ?;
        SELECT COUNT_BIG(*) AS row_count,
            SUM(CASE WHEN \(date) < @cutoff THEN CAST(1 AS bigint) ELSE 0 END) AS expired_rows,
            SUM(CASE WHEN \(text) IS NULL THEN CAST(1 AS bigint) ELSE 0 END) AS null_text_rows,
            SUM(CASE WHEN \(date) IS NULL THEN CAST(1 AS bigint) ELSE 0 END) AS no_date_rows,
            CONVERT(char(10), MIN(\(date)), 23) AS oldest_date,
            CONVERT(char(10), MAX(\(date)), 23) AS newest_date
        FROM \(table)
        WHERE $PARTITION.\(function)(\(key)) = @partition_number;
        """
    }

    /// The row count of a table from metadata, without scanning it. Parameter: the table.
    static let stagedRowCount = """
        SELECT CAST(SUM(p.rows) AS bigint) AS row_count
        FROM sys.partitions AS p
        WHERE p.object_id = OBJECT_ID(?) AND p.index_id IN (0, 1);
        """

    /// Every table and index on a scheme of the function with rows in one partition.
    /// Parameters: function name, partition number.
    static let rowsOnFunctionPartition = """
        SELECT OBJECT_SCHEMA_NAME(p.object_id) + N'.' + OBJECT_NAME(p.object_id)
                + N' index ' + CAST(p.index_id AS nvarchar(10)) AS table_name,
            CAST(SUM(p.rows) AS bigint) AS row_count
        FROM sys.partitions AS p
        INNER JOIN sys.indexes AS i ON i.object_id = p.object_id AND i.index_id = p.index_id
        INNER JOIN sys.partition_schemes AS ps ON ps.data_space_id = i.data_space_id
        INNER JOIN sys.partition_functions AS pf ON pf.function_id = ps.function_id
        WHERE pf.name = ? AND p.partition_number = ?
        GROUP BY p.object_id, p.index_id
        HAVING SUM(p.rows) > 0;
        """

    /// 1 for a RANGE RIGHT partition function. Parameter: function name.
    static let functionIsRangeRight = """
        SELECT CAST(pf.boundary_value_on_right AS int) AS is_range_right
        FROM sys.partition_functions AS pf
        WHERE pf.name = ?;
        """

    /// Parameters: the execution id without dashes, the table as `schema.name`.
    static let startRowExists = """
        SELECT CASE WHEN EXISTS (
            SELECT 1 FROM dbo.etl016_audit_trail
            WHERE REPLACE(execution_id, N'-', N'') = ? AND operation_type = N'START'
                AND table_name = ?
        ) THEN 1 ELSE 0 END AS started;
        """

    static let leftoverTables = """
        SELECT s.name AS schema_name, t.name AS table_name
        FROM sys.tables AS t
        INNER JOIN sys.schemas AS s ON s.schema_id = t.schema_id
        WHERE s.name = ? AND t.name LIKE ?
        ORDER BY t.name;
        """

    static let indexColumns = """
        SELECT i.index_id, i.name AS index_name, i.type_desc,
            CAST(i.is_unique AS int) AS is_unique,
            CAST(i.is_primary_key AS int) AS is_primary_key,
            i.filter_definition,
            COL_NAME(ic.object_id, ic.column_id) AS column_name,
            ic.key_ordinal,
            CAST(ic.is_descending_key AS int) AS is_descending,
            CAST(ic.is_included_column AS int) AS is_included
        FROM sys.indexes AS i
        INNER JOIN sys.index_columns AS ic
            ON ic.object_id = i.object_id AND ic.index_id = i.index_id
        WHERE i.object_id = OBJECT_ID(?) AND i.index_id > 0 AND i.is_hypothetical = 0
        ORDER BY i.index_id, ic.is_included_column, ic.key_ordinal, ic.index_column_id;
        """

    static let createArchiveSchema = """
        IF SCHEMA_ID(N'archive') IS NULL
            EXEC (N'CREATE SCHEMA archive');
        """

    /// Deletes the next batch: the SELECT walks the key from @after_key to find the batch's
    /// last expired key (no OFFSET), the DELETE removes the expired rows up to it.
    static func deleteBatch(table: String, key: String, date: String) -> String {
        """
        SET NOCOUNT ON;
        DECLARE @after_key bigint = ?, @max_key bigint = ?, @cutoff date = ?,
            @batch_size int = ?;
        DECLARE @last_key bigint, @deleted_rows int;
        SELECT @last_key = MAX(batch.batch_key)
        FROM (
            SELECT TOP (@batch_size) \(key) AS batch_key
            FROM \(table)
            WHERE \(key) > @after_key AND \(key) <= @max_key AND \(date) < @cutoff
            ORDER BY \(key)
        ) AS batch;
        DELETE FROM \(table)
        WHERE \(key) > @after_key AND \(key) <= @last_key AND \(date) < @cutoff;
        SET @deleted_rows = @@ROWCOUNT;
        SELECT @last_key AS last_key, @deleted_rows AS deleted_rows;
        """
    }

    static func deleteKeyRange(table: String, key: String, date: String) -> String {
        """
        SET NOCOUNT ON;
        DECLARE @after_key bigint = ?, @through_key bigint = ?, @cutoff date = ?;
        DELETE FROM \(table)
        WHERE \(key) > @after_key AND \(key) <= @through_key AND \(date) < @cutoff;
        SELECT @@ROWCOUNT AS deleted_rows;
        """
    }

    /// MERGE RANGE takes the boundary as a variable, so the value stays a parameter.
    static func mergeRange(function: String) -> String {
        """
        DECLARE @boundary date = ?;
        ALTER PARTITION FUNCTION \(function)() MERGE RANGE (@boundary);
        """
    }

    /// NEXT USED names the filegroup the new partition goes to; SPLIT RANGE then adds the
    /// boundary.
    static func splitRange(scheme: String, function: String, filegroup: String) -> String {
        """
        DECLARE @boundary date = ?;
        ALTER PARTITION SCHEME \(scheme) NEXT USED \(filegroup);
        ALTER PARTITION FUNCTION \(function)() SPLIT RANGE (@boundary);
        """
    }

    static func partitionRowCount(table: String, function: String, key: String) -> String {
        """
        SELECT COUNT_BIG(*) AS row_count FROM \(table)
        WHERE $PARTITION.\(function)(\(key)) = ?;
        """
    }
}
