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

/// The tables and permissions the retention purge uses, from the purge's design: it deletes
/// expired rows of the fact table and writes its audit trail, run totals and failures.
public enum PurgeRequirements {
    /// The traffic fact table the purge trims.
    public static let factTable = QualifiedName(schema: "dbo", name: "f_trafegoc01")

    /// The permissions a purge by batched deletes needs: reading and deleting fact rows, and
    /// inserting into the three tables its audit writes to.
    public static let deletePurge: [(permission: String, table: QualifiedName)] = [
        ("SELECT", factTable),
        ("DELETE", factTable),
        ("INSERT", QualifiedName(schema: "dbo", name: "etl016_audit_trail")),
        ("INSERT", QualifiedName(schema: "dbo", name: "data_modification_log")),
        ("INSERT", QualifiedName(schema: "dbo", name: "error_logs")),
    ]
}
