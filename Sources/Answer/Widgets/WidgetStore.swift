import FoundationEssentials
import HTTP
import Store
import Tenancy

/// A widget as the admin API shows it.
public struct WidgetRecord: Sendable, Encodable {
    public let id: String
    public let configuration: WidgetConfiguration
    public let createdAt: Date
    public let updatedAt: Date

    static let columns = SQL("id, name, allowed_origins, collections, theme::text AS theme, enabled, created_at, updated_at")

    init(row: Row) throws {
        id = try row.string("id")
        configuration = WidgetConfiguration(
            name: try row.string("name"), allowedOrigins: try row.strings("allowed_origins"),
            collections: try row.optionalStrings("collections"), theme: try WidgetStore.decodeTheme(try row.string("theme")),
            enabled: try row.bool("enabled"))
        createdAt = try row.date("created_at")
        updatedAt = try row.date("updated_at")
    }

    enum CodingKeys: String, CodingKey {
        case id, name, collections, theme, enabled
        case allowedOrigins = "allowed_origins", createdAt = "created_at", updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(configuration.name, forKey: .name)
        try c.encode(configuration.allowedOrigins, forKey: .allowedOrigins)
        try c.encode(configuration.collections, forKey: .collections)
        try c.encode(configuration.theme, forKey: .theme)
        try c.encode(configuration.enabled, forKey: .enabled)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// What the public endpoints learn from a widget id, before they know the tenant.
public struct PublicWidget: Sendable {
    public let id: String
    public let tenantID: String
    public let allowedOrigins: [String]
    public let collections: [String]?
    public let theme: WidgetTheme
}

/// A tenant's widgets. Every statement names the tenant in its WHERE clause and runs inside
/// `withTenant`; the one exception is `publicWidget`, which goes through the SECURITY DEFINER
/// function `parley_public_widget` because RLS hides widgets until the tenant is known.
public enum WidgetStore {
    /// A sanity bound, not a plan feature: a tenant needs a few widgets, not thousands.
    public static let maxWidgetsPerTenant = 100

    public static func create(tenantID: String, patch: WidgetPatch, on connection: Connection) throws -> WidgetRecord {
        let configuration = try patch.applied(to: WidgetConfiguration(name: ""))
        let id = try Identifier.make(.widget)
        return try connection.withTenant(tenantID) { tx in
            // The tenant row lock serialises concurrent creations, so the bound holds.
            _ = try tx.query("SELECT id FROM tenants WHERE id = \(tenantID) FOR UPDATE")
            let count = try tx.query("SELECT count(*) AS n FROM widgets WHERE tenant_id = \(tenantID)").rows.first?.int("n") ?? 0
            guard count < maxWidgetsPerTenant else {
                throw TenancyError.limitReached("A tenant has at most \(maxWidgetsPerTenant) widgets; delete one first.")
            }
            let rows = try tx.query("""
                INSERT INTO widgets (id, tenant_id, name, allowed_origins, collections, theme, enabled)
                VALUES (\(id), \(tenantID), \(configuration.name), \(configuration.allowedOrigins), \(configuration.collections),
                        \(try encodeTheme(configuration.theme))::jsonb, \(configuration.enabled))
                RETURNING \(WidgetRecord.columns)
                """).rows
            guard let row = rows.first else { throw TenancyError.internalFailure("INSERT returned no row") }
            return try WidgetRecord(row: row)
        }
    }

    public static func list(tenantID: String, on connection: Connection) throws -> [WidgetRecord] {
        try connection.withTenant(tenantID) { tx in
            try tx.query("""
                SELECT \(WidgetRecord.columns) FROM widgets WHERE tenant_id = \(tenantID) ORDER BY created_at DESC, id DESC
                """).rows.map(WidgetRecord.init(row:))
        }
    }

    public static func find(tenantID: String, id: String, on connection: Connection) throws -> WidgetRecord {
        try connection.withTenant(tenantID) { tx in try find(tenantID: tenantID, id: id, lock: false, in: tx) }
    }

    /// Applies `patch` to the stored widget under its row lock, so two concurrent edits of
    /// different fields both survive.
    public static func update(tenantID: String, id: String, patch: WidgetPatch, on connection: Connection) throws -> WidgetRecord {
        try connection.withTenant(tenantID) { tx in
            let current = try find(tenantID: tenantID, id: id, lock: true, in: tx)
            let configuration = try patch.applied(to: current.configuration)
            let rows = try tx.query("""
                UPDATE widgets SET name = \(configuration.name), allowed_origins = \(configuration.allowedOrigins),
                       collections = \(configuration.collections), theme = \(try encodeTheme(configuration.theme))::jsonb,
                       enabled = \(configuration.enabled), updated_at = now()
                 WHERE tenant_id = \(tenantID) AND id = \(id)
                RETURNING \(WidgetRecord.columns)
                """).rows
            guard let row = rows.first else { throw TenancyError.notFound("No widget \(id).") }
            return try WidgetRecord(row: row)
        }
    }

    /// Deletes the widget. Its visitors' conversations stay (they are the tenant's records).
    public static func delete(tenantID: String, id: String, on connection: Connection) throws {
        guard Identifier.isValid(id, kind: .widget) else { throw TenancyError.notFound("No widget \(id).") }
        let deleted = try connection.withTenant(tenantID) { tx in
            try tx.execute("DELETE FROM widgets WHERE tenant_id = \(tenantID) AND id = \(id)")
        }
        guard deleted > 0 else { throw TenancyError.notFound("No widget \(id).") }
    }

    /// The widget behind a public id, or nil when it does not exist, is disabled, or its tenant is
    /// disabled: the public side answers all three with the same 404.
    public static func publicWidget(id: String, on connection: Connection) throws -> PublicWidget? {
        guard Identifier.isValid(id, kind: .widget),
              let row = try connection.queryPrepared("""
                  SELECT id, tenant_id, allowed_origins, collections, theme, serving FROM parley_public_widget(\(id))
                  """).rows.first,
              try row.bool("serving")
        else { return nil }
        return PublicWidget(id: try row.string("id"), tenantID: try row.string("tenant_id"),
                            allowedOrigins: try row.strings("allowed_origins"), collections: try row.optionalStrings("collections"),
                            theme: try decodeTheme(try row.string("theme")))
    }

    private static func find(tenantID: String, id: String, lock: Bool, in tx: Connection) throws -> WidgetRecord {
        guard Identifier.isValid(id, kind: .widget) else { throw TenancyError.notFound("No widget \(id).") }
        var sql: SQL = "SELECT \(WidgetRecord.columns) FROM widgets WHERE tenant_id = \(tenantID) AND id = \(id)"
        if lock { sql += " FOR UPDATE" }
        guard let row = try tx.query(sql).rows.first else { throw TenancyError.notFound("No widget \(id).") }
        return try WidgetRecord(row: row)
    }

    static func encodeTheme(_ theme: WidgetTheme) throws -> String {
        String(decoding: try JSON.encode(theme), as: UTF8.self)
    }

    static func decodeTheme(_ text: String) throws -> WidgetTheme {
        try JSONDecoder().decode(WidgetTheme.self, from: Data(text.utf8))
    }
}
