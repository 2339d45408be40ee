import ETL016Core
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct VerifyPermissionsCommand: Command {
    static let name = "verify-permissions"
    static let summary = "compare the declared grants and role memberships with the database"
    static let usage = """
        verify-permissions [--permissions FILE] [--var NAME=VALUE]... [--effective] [--fix]
            [--revoke-extra]
        """
    static let details = """
        Reads the permissions file that migrate applies (GRANT statements and role
        memberships) and compares it with the catalogs: what is missing, what the declared
        roles and members hold beyond it, which DENY overrides a declared grant (SQL Server),
        and which memberships differ. It also states what each declared member can do in the
        purge: delete expired rows, and remove whole partitions. Changes nothing unless
        --fix or --revoke-extra is given. Exits 0 when everything matches and 3 on drift.
        See docs/permissions.md.
        """
    static let options: [OptionSpec] = [
        .value(
            "permissions", "FILE",
            "permissions file to compare with (default sql/permissions.<dialect>.sql)"),
        MigrationOptions.variable,
        .flag(
            "effective",
            "also check, as each declared member, that every declared permission works"),
        .flag(
            "fix",
            "grant what is missing, add missing members and remove overriding DENYs, "
                + "printing each statement"),
        .flag(
            "revoke-extra",
            "with the fix, also revoke extra grants and drop extra members; changes nothing "
                + "while a declared role or member does not exist"),
    ]

    static func run(_ context: CommandContext) throws -> ExitCode {
        try context.arguments.expectPositionals(0...0, usage)
        for assignment in context.arguments.all("var") where !assignment.contains("=") {
            throw UsageError(
                message: "Invalid variable assignment '\(assignment)'. Write --var NAME=VALUE, "
                    + "such as --var service_login=talend_user.",
                command: name)
        }
        let variables = try context.variables()
        let revokeExtra = context.arguments.has("revoke-extra")
        let fixes = context.arguments.has("fix") || revokeExtra
        let options = VerifyOptions(checkEffective: context.arguments.has("effective"))

        let (connection, dialect) = try context.connect()
        defer { connection.close() }
        let path = context.arguments.value("permissions") ?? "sql/permissions.\(dialect.kind).sql"
        let declared = try readPermissionsFile(path, variables: variables, dialect: dialect)

        let verifier = PermissionVerifier(
            connection: connection, dialect: dialect, logger: context.logger)
        var report = try verifier.verify(declared, options: options)
        if fixes {
            report = try fix(report, declared, verifier, options, revokeExtra, context)
        }

        context.emit(report) { text(report) }
        guard report.isOK else {
            context.logger.error("permission drift: \(summary(report))")
            return .checkFailed
        }
        return .success
    }

    /// Reads and parses the permissions file.
    ///
    /// - Throws: `ConfigurationError` (exit 2) for a missing file or a statement outside the
    ///   GRANT subset, naming the file and line.
    private static func readPermissionsFile(
        _ path: String, variables: [String: String], dialect: any Dialect
    ) throws -> DeclaredPermissions {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(
                "permissions file \(path) not found: pass --permissions FILE, or run from the "
                    + "folder that holds sql/")
        }
        let text = try ScriptFile.decode(data, path: path)
        do {
            return try GrantParser.parse(
                text, fileName: path, variables: variables, dialect: dialect)
        } catch let error as GrantParseError {
            throw ConfigurationError(error.description)
        }
    }

    /// Applies the fix plan, printing each statement as it runs, then verifies again so the
    /// report shows what remains, and why where the server left a statement without effect.
    ///
    /// - Throws: `ConfigurationError` (exit 2) before anything changes when `--revoke-extra`
    ///   is given and a declared principal does not exist.
    private static func fix(
        _ report: PermissionReport, _ declared: DeclaredPermissions, _ verifier: PermissionVerifier,
        _ options: VerifyOptions, _ revokeExtra: Bool, _ context: CommandContext
    ) throws -> PermissionReport {
        let plan = try verifier.plan(report, revokeExtra: revokeExtra)
        if !context.wantsJSON {
            context.print(
                plan.statements.isEmpty
                    ? "Nothing to fix."
                    : "Applying \(counted(plan.statements.count, "statement")):")
        }
        let applied = try verifier.apply(plan) { statement in
            if context.wantsJSON {
                context.logger.info("applying \(statement.sql)")
            } else {
                context.print("  \(statement.sql)")
            }
        }

        var fixed = report
        if !plan.statements.isEmpty {
            fixed = try verifier.verify(declared, options: options)
        }
        fixed.fixed = applied
        fixed.fixSkipped = plan.skipped
        PermissionVerifier.annotate(&fixed, with: applied)
        return fixed
    }

    // MARK: - Text

    private static func text(_ report: PermissionReport) -> String {
        let comparison = report.comparison
        var sections = [
            "Compared \(report.fileName) (\(counted(comparison.declaredGrants.count, "grant")), "
                + "\(counted(comparison.declaredMemberships.count, "membership"))) with the "
                + "database as \(report.sessionPrincipal)."
        ]
        if let table = findingsTable(report) {
            sections.append(table)
        }
        sections.append(
            report.isOK
                ? "No drift: every declared grant and membership is in place, and the declared "
                    + "principals hold nothing more."
                : "Drift: \(summary(report)).")
        sections += report.capabilities.map(capabilitiesText)
        if !comparison.publicGrants.isEmpty {
            let lines = comparison.publicGrants.map { grant in
                "  \(grant.permission) on \(objectText(grant))"
            }
            sections.append(
                "PUBLIC also holds, for every role (shown, not compared):\n"
                    + lines.joined(separator: "\n"))
        }
        if !comparison.notes.isEmpty {
            sections.append(
                "Notes:\n" + comparison.notes.map { "  \($0)." }.joined(separator: "\n"))
        }
        let ignored = (report.fixed ?? []).filter { $0.serverWarning != nil }
        if !ignored.isEmpty {
            let lines = ignored.map { statement in
                "  \(statement.sql)\n    \(statement.serverWarning ?? "")"
            }
            sections.append(
                "The server ran these statements with a warning, so they may have changed "
                    + "nothing. PostgreSQL warns instead of failing when the session may not "
                    + "grant or revoke a privilege: run the fix as the owner of the objects or as "
                    + "a superuser.\n" + lines.joined(separator: "\n"))
        }
        if !report.fixSkipped.isEmpty {
            sections.append(
                "Not fixed:\n" + report.fixSkipped.map { "  \($0)." }.joined(separator: "\n"))
        }
        return sections.joined(separator: "\n\n")
    }

    private static func findingsTable(_ report: PermissionReport) -> String? {
        var table = TextTable(headers: ["STATE", "PRINCIPAL", "PERMISSION", "OBJECT", "DETAIL"])
        let comparison = report.comparison
        for entry in comparison.missing {
            table.append(row("missing", entry))
        }
        for entry in comparison.extra {
            table.append(row("extra", entry))
        }
        for entry in comparison.denied {
            let through = entry.inheritedBy.map { ", which \($0) belongs to," } ?? ""
            table.append([
                "denied", entry.deny.principal.description, entry.deny.permission,
                objectText(entry.deny),
                "DENY\(through) overrides the grant to \(entry.overrides.principal) of "
                    + "\(entry.overrides.permission) on \(objectText(entry.overrides)) "
                    + "(line \(entry.line))",
            ])
        }
        for entry in report.ineffective ?? [] {
            table.append([
                "not effective", entry.member, entry.grant.permission, objectText(entry.grant),
                entry.reason ?? "granted to \(entry.grant.principal) (line \(entry.line))",
            ])
        }
        return table.rows.isEmpty ? nil : table.rendered()
    }

    private static func row(_ state: String, _ entry: DriftEntry) -> [String] {
        var details: [String] = []
        if let reason = entry.reason { details.append(reason.description) }
        if let line = entry.line {
            details = details.isEmpty ? ["line \(line)"] : ["\(details[0]) (line \(line))"]
        }
        if !entry.grantedBy.isEmpty {
            let grantors = entry.grantedBy.joined(separator: ", ")
            details.append(
                "granted by \(grantors): revoke it as "
                    + (entry.grantedBy.count == 1 ? "that role" : "each of them"))
        }
        if let fixResult = entry.fixResult {
            details.append("the fix did not change it: \(fixResult)")
        }
        switch entry.subject {
        case .grant(let grant):
            let permission =
                entry.grantOptionOnly ? "GRANT OPTION FOR \(grant.permission)" : grant.permission
            if grant.withGrantOption, !entry.grantOptionOnly {
                details.insert("with grant option", at: 0)
            }
            return [
                state, grant.principal.description, permission, objectText(grant),
                details.joined(separator: ", "),
            ]
        case .membership(let membership):
            return [
                state, membership.member, "MEMBER", "\(membership.role) (role)",
                details.joined(separator: ", "),
            ]
        }
    }

    /// Returns the object and kind, such as `dbo.f_trafegoc01 (table)` or
    /// `dbo.t column dia (table)`.
    private static func objectText(_ grant: Grant) -> String {
        let securable = grant.securable
        let column = securable.column.map { " column \($0)" } ?? ""
        return "\(securable.withoutColumn)\(column) (\(grant.objectType.rawValue))"
    }

    private static func capabilitiesText(_ capabilities: ServiceCapabilities) -> String {
        let heading = "Service login \(capabilities.login):"
        guard capabilities.exists else {
            return heading + " does not exist, so it can do nothing."
        }
        if let error = capabilities.checkError {
            return heading + " could not be checked: \(error)"
        }

        var lines = [heading]
        if capabilities.isSuperuser {
            lines.append("  superuser or database owner: passes every permission check")
        }
        lines.append(
            capabilities.canPurgeByDeletes
                ? "  purge by deletes: yes"
                : "  purge by deletes: no, it lacks "
                    + capabilities.purgeMissing.joined(separator: ", "))
        guard let check = capabilities.partitionSwitch else {
            lines.append(
                "  switch partitions: no, \(PurgeRequirements.factTable) does not exist")
            return lines.joined(separator: "\n")
        }
        let partitioned = check.isPartitioned ? "" : " (the table is not partitioned yet)"
        if check.isAllowed {
            lines.append("  switch partitions: yes\(partitioned)")
        } else {
            lines.append("  switch partitions: no\(partitioned)")
            lines.append("    \(check.requirement).")
            if !check.suggestedStatements.isEmpty {
                lines.append("    To allow it:")
                lines += check.suggestedStatements.map { "      \($0)" }
            }
            lines += check.cautions.map { "    \($0)." }
        }
        return lines.joined(separator: "\n")
    }

    /// Returns `1 grant` or `13 grants`.
    private static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    private static func summary(_ report: PermissionReport) -> String {
        let comparison = report.comparison
        var parts = [
            "\(comparison.missing.count) missing", "\(comparison.extra.count) extra",
            "\(comparison.denied.count) denied",
        ]
        if let ineffective = report.ineffective {
            parts.append("\(ineffective.count) not effective")
        }
        return parts.joined(separator: ", ")
    }
}
