/// The parts of the retention purge a service login can run with the permissions it has.
public struct ServiceCapabilities: Sendable {
    /// The member the check ran for.
    public var login: String
    /// False when the login does not exist, in which case nothing else was checked.
    public var exists: Bool
    public var isSuperuser: Bool
    /// True when the login may run the purge by batched deletes.
    public var canPurgeByDeletes: Bool
    /// The permissions the delete purge needs that the login lacks, such as
    /// `DELETE on dbo.f_trafegoc01`.
    public var purgeMissing: [String]
    /// The result of the partition check; nil when the fact table does not exist.
    public var partitionSwitch: PartitionSwitchCheck?
    /// The server's message when the checks could not run, for example because the session
    /// may not impersonate the login.
    public var checkError: String?

    public init(
        login: String, exists: Bool, isSuperuser: Bool = false, canPurgeByDeletes: Bool = false,
        purgeMissing: [String] = [], partitionSwitch: PartitionSwitchCheck? = nil
    ) {
        self.login = login
        self.exists = exists
        self.isSuperuser = isSuperuser
        self.canPurgeByDeletes = canPurgeByDeletes
        self.purgeMissing = purgeMissing
        self.partitionSwitch = partitionSwitch
    }
}

/// One permission the retention purge needs.
public struct PurgeRequirement: Sendable, CustomStringConvertible {
    public var permission: String
    public var securable: Securable
    public var objectType: ObjectType

    public init(_ permission: String, on securable: Securable, objectType: ObjectType) {
        self.permission = permission
        self.securable = securable
        self.objectType = objectType
    }

    /// `DELETE on dbo.f_trafegoc01`, `USAGE on schema dbo` or `CONNECT on the database`.
    public var description: String {
        switch securable.securableClass {
        case .database: return "\(permission) on the database"
        case .schema: return "\(permission) on schema \(securable.name)"
        case .object, .other: return "\(permission) on \(securable)"
        }
    }
}

/// The tables and permissions the retention purge uses, from the purge's design: it deletes
/// expired rows of the fact table and writes its audit trail, run totals and failures.
public enum PurgeRequirements {
    /// The traffic fact table the purge trims.
    public static let factTable = QualifiedName(schema: "dbo", name: "f_trafegoc01")

    /// The table permissions a purge by batched deletes needs: reading and deleting fact
    /// rows, and inserting into the three tables its audit writes to. Each dialect adds
    /// what a session needs to reach the tables (`deletePurgeRequirements`).
    public static let deletePurgeTables: [PurgeRequirement] = [
        table("SELECT", factTable),
        table("DELETE", factTable),
        table("INSERT", QualifiedName(schema: "dbo", name: "etl016_audit_trail")),
        table("INSERT", QualifiedName(schema: "dbo", name: "data_modification_log")),
        table("INSERT", QualifiedName(schema: "dbo", name: "error_logs")),
    ]

    private static func table(_ permission: String, _ name: QualifiedName) -> PurgeRequirement {
        PurgeRequirement(
            permission, on: .object(schema: name.schema, name: name.name), objectType: .table)
    }
}
