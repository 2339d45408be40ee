#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One column of a table as the catalog describes it.
public struct TableColumn: Sendable, Equatable {
    public var name: String
    /// The type as the dialect spells it in DDL, such as `varchar(50)` or `date`.
    public var dataType: String
    public var isNullable: Bool
    public var isIdentity: Bool
    public var isPrimaryKey: Bool
    /// The expression of a generated (PostgreSQL) or computed (SQL Server) column.
    public var generationExpression: String?
    /// True for a stored generated column or a PERSISTED computed column.
    public var isStored: Bool
    /// The collation of a character column, when the catalog reports one.
    public var collation: String?

    public init(
        name: String, dataType: String, isNullable: Bool = true, isIdentity: Bool = false,
        isPrimaryKey: Bool = false, generationExpression: String? = nil, isStored: Bool = false,
        collation: String? = nil
    ) {
        self.name = name
        self.dataType = dataType
        self.isNullable = isNullable
        self.isIdentity = isIdentity
        self.isPrimaryKey = isPrimaryKey
        self.generationExpression = generationExpression
        self.isStored = isStored
        self.collation = collation
    }

    /// True when the column's type is `date`, a calendar date without a time.
    public var isDate: Bool { dataType.lowercased() == "date" }

    /// True when the column holds whole numbers, as a key walked by batched deletes must.
    public var isInteger: Bool {
        ["bigint", "integer", "int", "smallint"].contains(dataType.lowercased())
    }
}

/// The table a retention command works on, with its columns resolved through the catalog.
public struct RetentionTarget: Sendable {
    /// The table's name as the catalog spells it.
    public var table: QualifiedName
    /// The text column holding the day (`Dia`), or nil when the date column is given directly.
    public var textColumn: String?
    /// The derived `date` column the purge filters on: `dia_date` or `DiaDate`.
    public var dateColumn: String
    /// The whole-number key that batched deletes walk in order, such as `id`.
    public var keyColumn: String
    public var columns: [TableColumn]

    public init(
        table: QualifiedName, textColumn: String?, dateColumn: String, keyColumn: String,
        columns: [TableColumn]
    ) {
        self.table = table
        self.textColumn = textColumn
        self.dateColumn = dateColumn
        self.keyColumn = keyColumn
        self.columns = columns
    }

    /// Picks the date column, its text column and the key from the table's columns.
    ///
    /// `requested` names either the text column (`Dia`), whose derived date column is the
    /// stored generated or computed `date` column whose expression mentions it, or a `date`
    /// column itself. Names match case-insensitively, an exact match first.
    ///
    /// - Throws: `ConfigurationError` naming the column when nothing matches.
    public static func resolve(
        table: QualifiedName, columns: [TableColumn], requested: String
    ) throws -> RetentionTarget {
        guard let column = find(requested, in: columns) else {
            let names = columns.map(\.name).joined(separator: ", ")
            throw ConfigurationError(
                "column \(requested) not found in \(table): pass --date-column with one of "
                    + names)
        }
        let textColumn: String?
        let dateColumn: String
        if column.isDate {
            textColumn = nil
            dateColumn = column.name
        } else {
            guard let derived = derivedDateColumn(of: column.name, in: columns) else {
                throw ConfigurationError(
                    "column \(column.name) of \(table) has no stored date column derived from "
                        + "it, so the purge cannot filter on an index: run `etl016-db migrate` "
                        + "or pass --date-column with a date column")
            }
            textColumn = column.name
            dateColumn = derived.name
        }
        guard let key = keyColumn(in: columns) else {
            throw ConfigurationError(
                "\(table) has no identity column or whole-number primary key for batched "
                    + "deletes to walk")
        }
        return RetentionTarget(
            table: table, textColumn: textColumn, dateColumn: dateColumn, keyColumn: key.name,
            columns: columns)
    }

    static func find(_ name: String, in columns: [TableColumn]) -> TableColumn? {
        columns.first { $0.name == name }
            ?? columns.first { $0.name.lowercased() == name.lowercased() }
    }

    /// The stored `date` column whose expression mentions `textColumn` as a whole word.
    static func derivedDateColumn(of textColumn: String, in columns: [TableColumn])
        -> TableColumn?
    {
        columns.first { column in
            guard column.isDate, column.isStored, let expression = column.generationExpression
            else {
                return false
            }
            return mentions(expression, identifier: textColumn)
        }
    }

    /// True when `identifier` appears in `expression` with no identifier character on
    /// either side, compared case-insensitively.
    static func mentions(_ expression: String, identifier: String) -> Bool {
        let text = expression.lowercased()
        let word = identifier.lowercased()
        var searchStart = text.startIndex
        while let range = text[searchStart...].firstRange(of: word) {
            let before = range.lowerBound > text.startIndex
                ? text[text.index(before: range.lowerBound)] : " "
            let after = range.upperBound < text.endIndex ? text[range.upperBound] : " "
            if !isIdentifierCharacter(before), !isIdentifierCharacter(after) { return true }
            searchStart = range.upperBound
        }
        return false
    }

    private static func isIdentifierCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }

    /// The identity column, else the only column of a whole-number primary key.
    static func keyColumn(in columns: [TableColumn]) -> TableColumn? {
        if let identity = columns.first(where: { $0.isIdentity && $0.isInteger }) {
            return identity
        }
        let primaryKey = columns.filter(\.isPrimaryKey)
        if primaryKey.count == 1, primaryKey[0].isInteger { return primaryKey[0] }
        return nil
    }
}

/// One partition of a range-partitioned table, with its range as half-open dates.
public struct PartitionInfo: Sendable, Equatable {
    /// A stable key within one layout: the partition table's name on PostgreSQL, the
    /// partition number on SQL Server.
    public var id: String
    /// The position in range order, from 1; on SQL Server the partition number.
    public var number: Int
    /// The partition table on PostgreSQL; nil on SQL Server, where partitions have no name.
    public var table: QualifiedName?
    /// The first date the range holds, or nil when it is unbounded below.
    public var lowerBound: LocalDate?
    /// The first date after the range, or nil when it is unbounded above.
    public var upperBound: LocalDate?
    /// True for PostgreSQL's DEFAULT partition; such a partition is never removed.
    public var isDefault: Bool
    /// The tablespace (PostgreSQL) or filegroup (SQL Server).
    public var storage: String?
    public var sizeBytes: Int64?
    /// The boundary value that SQL Server's MERGE RANGE drops after this partition is
    /// emptied, chosen so that no row moves.
    public var mergeBoundary: LocalDate?
    /// True for a PostgreSQL partition left in the detach-pending state by an interrupted
    /// `DETACH ... CONCURRENTLY`. Queries on the parent no longer see its rows, and the next
    /// purge finishes it as a leftover.
    public var isDetachPending = false

    public init(
        id: String, number: Int, table: QualifiedName? = nil, lowerBound: LocalDate?,
        upperBound: LocalDate?, isDefault: Bool = false, storage: String? = nil,
        sizeBytes: Int64? = nil, mergeBoundary: LocalDate? = nil
    ) {
        self.id = id
        self.number = number
        self.table = table
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.isDefault = isDefault
        self.storage = storage
        self.sizeBytes = sizeBytes
        self.mergeBoundary = mergeBoundary
    }

    /// True for a partition that takes rows no monthly range covers: PostgreSQL's DEFAULT
    /// and SQL Server's unbounded first and last ranges.
    public var isCatchAll: Bool {
        !isDetachPending && (isDefault || lowerBound == nil || upperBound == nil)
    }

    /// The range as text, such as `[2025-06-01, 2025-07-01)` or `DEFAULT`.
    public var rangeDescription: String {
        if isDefault { return "DEFAULT" }
        let lower = lowerBound.map { "[\($0)" } ?? "(-inf"
        let upper = upperBound.map { "\($0))" } ?? "+inf)"
        return "\(lower), \(upper)" + (isDetachPending ? " detach pending" : "")
    }

    /// The name shown to users: the partition table, or `partition N`.
    public var displayName: String {
        table.map(\.description) ?? "partition \(number)"
    }
}

/// The partitioning of a table, read from the catalog.
public struct PartitionLayout: Sendable {
    /// The partition function (SQL Server) or nil.
    public var functionName: String?
    /// The partition scheme (SQL Server) or nil.
    public var schemeName: String?
    /// The partitioning column or expression as the catalog shows it.
    public var key: String
    /// True when the key is the target's date column or computes the same date, so date
    /// bounds are comparable with the cutoff.
    public var isKeyedOnDate: Bool
    /// The partitions in range order.
    public var partitions: [PartitionInfo]

    public init(
        functionName: String? = nil, schemeName: String? = nil, key: String,
        isKeyedOnDate: Bool, partitions: [PartitionInfo]
    ) {
        self.functionName = functionName
        self.schemeName = schemeName
        self.key = key
        self.isKeyedOnDate = isKeyedOnDate
        self.partitions = partitions
    }
}

/// Row counts of one partition, or of the whole table when it is not partitioned, for one
/// cutoff.
public struct PartitionRowCounts: Sendable, Equatable {
    public var rows: Int64
    /// Rows with a valid date strictly before the cutoff.
    public var expiredRows: Int64
    /// Rows whose text column is NULL.
    public var nullTextRows: Int64
    /// Rows without a valid date: NULL or malformed text.
    public var noDateRows: Int64
    public var oldestDate: LocalDate?
    public var newestDate: LocalDate?

    public init(
        rows: Int64 = 0, expiredRows: Int64 = 0, nullTextRows: Int64 = 0, noDateRows: Int64 = 0,
        oldestDate: LocalDate? = nil, newestDate: LocalDate? = nil
    ) {
        self.rows = rows
        self.expiredRows = expiredRows
        self.nullTextRows = nullTextRows
        self.noDateRows = noDateRows
        self.oldestDate = oldestDate
        self.newestDate = newestDate
    }

    /// Rows with a valid date at or after the cutoff.
    public var keptDatedRows: Int64 { rows - expiredRows - noDateRows }

    /// Adds another partition's counts.
    public mutating func add(_ other: PartitionRowCounts) {
        rows += other.rows
        expiredRows += other.expiredRows
        nullTextRows += other.nullTextRows
        noDateRows += other.noDateRows
        oldestDate = [oldestDate, other.oldestDate].compactMap { $0 }.min()
        newestDate = [newestDate, other.newestDate].compactMap { $0 }.max()
    }

    /// True when every row has a valid date before the cutoff, so removing the partition
    /// as a unit loses no row that must stay.
    public var holdsOnlyExpiredRows: Bool {
        expiredRows == rows && noDateRows == 0
    }
}
