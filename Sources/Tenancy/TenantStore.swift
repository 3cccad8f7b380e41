import FoundationEssentials
import Store

/// A tenant as the admin CLI lists it.
public struct TenantRecord: Sendable, Equatable {
    public let id: String
    public let name: String
    public let plan: String
    public let status: Tenant.Status
    public let createdAt: Date
}

/// Tenants. Creating, listing and disabling tenants is sysadmin work done by the CLI as the table
/// owner; the service reads only its own tenant, under `withTenant`.
public enum TenantStore {
    public static func create(name: String, plan: String, on connection: Connection) throws -> TenantRecord {
        let name = name.trimmingWhitespace()
        guard (1...200).contains(name.count) else { throw TenancyError.invalid("A tenant name must be 1 to 200 characters.") }
        let id = try Identifier.make(.tenant)
        do {
            let rows = try connection.query("""
                INSERT INTO tenants (id, name, plan_id) VALUES (\(id), \(name), \(plan))
                RETURNING id, name, plan_id, status, created_at
                """).rows
            guard let row = rows.first else { throw TenancyError.internalFailure("INSERT returned no row") }
            return try TenantRecord(row: row)
        } catch SQLState.foreignKeyViolation {
            let plans = try connection.query("SELECT id FROM plans ORDER BY id").rows.map { try $0.string("id") }
            throw TenancyError.invalid("Unknown plan '\(plan)'; plans are \(plans.joined(separator: ", ")).")
        }
    }

    public static func list(on connection: Connection) throws -> [TenantRecord] {
        try connection.query("SELECT id, name, plan_id, status, created_at FROM tenants ORDER BY created_at, id")
            .rows.map(TenantRecord.init(row:))
    }

    public static func setStatus(_ status: Tenant.Status, tenantID: String, on connection: Connection) throws -> TenantRecord {
        let rows = try connection.query("""
            UPDATE tenants SET status = \(status.rawValue),
                   disabled_at = CASE WHEN \(status.rawValue) = 'disabled' THEN now() END
             WHERE id = \(tenantID)
            RETURNING id, name, plan_id, status, created_at
            """).rows
        guard let row = rows.first else { throw TenancyError.notFound("No tenant \(tenantID).") }
        return try TenantRecord(row: row)
    }
}

extension TenantRecord {
    init(row: Row) throws {
        id = try row.string("id")
        name = try row.string("name")
        plan = try row.string("plan_id")
        status = Tenant.Status(rawValue: try row.string("status")) ?? .disabled
        createdAt = try row.date("created_at")
    }
}
