import FoundationEssentials
import Store

/// A key as listings show it: never the secret, only its visible prefix.
public struct KeyRecord: Sendable, Equatable, Encodable {
    public let id: String
    public let name: String
    public let prefix: String
    public let scopes: [Scope]
    public let createdAt: Date
    public let lastUsedAt: Date?
    public let revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, prefix, scopes
        case createdAt = "created_at", lastUsedAt = "last_used_at", revokedAt = "revoked_at"
    }

    /// Unset timestamps are written as explicit nulls, so every key object has the same fields.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(prefix, forKey: .prefix)
        try container.encode(scopes, forKey: .scopes)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(lastUsedAt, forKey: .lastUsedAt)
        try container.encode(revokedAt, forKey: .revokedAt)
    }

    init(row: Row) throws {
        id = try row.string("id")
        name = try row.string("name")
        prefix = try row.string("prefix")
        scopes = try row.strings("scopes").compactMap(Scope.init(rawValue:))
        createdAt = try row.date("created_at")
        lastUsedAt = try row.optionalDate("last_used_at")
        revokedAt = try row.optionalDate("revoked_at")
    }
}

/// API keys of one tenant. Every statement names the tenant in its WHERE clause and runs inside
/// `withTenant`, so Row Level Security would stop a statement that forgot to.
public enum KeyStore {
    private static let columns = SQL("id, name, prefix, scopes, created_at, last_used_at, revoked_at")

    public static func create(tenantID: String, name: String, scopes: [Scope], on connection: Connection) throws -> (KeyRecord, secret: String) {
        let name = name.trimmingWhitespace()
        guard (1...100).contains(name.count) else { throw TenancyError.invalid("A key name must be 1 to 100 characters.") }
        guard !scopes.isEmpty else { throw TenancyError.invalid("At least one scope is required (\(Scope.names.joined(separator: ", "))).") }
        let scopes = Set(scopes).sorted()
        let minted = try APIKeyFormat.mint()
        let id = try Identifier.make(.key)
        return try connection.withTenant(tenantID) { tx in
            // Locking the tenant row serialises concurrent creations, so the plan's key limit holds.
            let limit = try tx.query("""
                SELECT p.max_api_keys FROM tenants t JOIN plans p ON p.id = t.plan_id
                 WHERE t.id = \(tenantID) FOR UPDATE OF t
                """)
            guard let maxKeys = try limit.rows.first?.int("max_api_keys") else { throw TenancyError.notFound("No such tenant.") }
            let active = try tx.query("SELECT count(*) AS n FROM api_keys WHERE tenant_id = \(tenantID) AND revoked_at IS NULL")
            guard try (active.rows.first?.int("n") ?? 0) < maxKeys else {
                throw TenancyError.limitReached("The plan allows \(maxKeys) active API keys; revoke one first.")
            }
            let inserted = try tx.query("""
                INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, scopes)
                VALUES (\(id), \(tenantID), \(name), \(minted.prefix), \(minted.hash), \(scopes.map(\.rawValue)))
                RETURNING \(columns)
                """)
            guard let row = inserted.rows.first else { throw TenancyError.internalFailure("INSERT returned no row") }
            return (try KeyRecord(row: row), minted.secret)
        }
    }

    public static func list(tenantID: String, includeRevoked: Bool = true, on connection: Connection) throws -> [KeyRecord] {
        try connection.withTenant(tenantID) { tx in
            try tx.query("""
                SELECT \(columns) FROM api_keys
                 WHERE tenant_id = \(tenantID) AND (\(includeRevoked) OR revoked_at IS NULL)
                 ORDER BY created_at DESC, id
                """).rows.map(KeyRecord.init(row:))
        }
    }

    /// Finds a key by its id (`key_…`) or its visible prefix (`pk_live_…`). Another tenant's key is
    /// simply not found: the caller cannot tell it exists.
    public static func find(tenantID: String, reference: String, on connection: Connection) throws -> KeyRecord {
        try connection.withTenant(tenantID) { tx in try find(tenantID: tenantID, reference: reference, in: tx) }
    }

    /// Revokes a key; revoking an already revoked key is a no-op that returns it. Effective on the
    /// next request, since authentication reads the key on every request.
    public static func revoke(tenantID: String, reference: String, on connection: Connection) throws -> KeyRecord {
        try connection.withTenant(tenantID) { tx in
            let key = try find(tenantID: tenantID, reference: reference, in: tx)
            guard key.revokedAt == nil else { return key }
            let updated = try tx.query("""
                UPDATE api_keys SET revoked_at = now()
                 WHERE tenant_id = \(tenantID) AND id = \(key.id)
                RETURNING \(columns)
                """)
            guard let row = updated.rows.first else { throw TenancyError.notFound("No such API key.") }
            return try KeyRecord(row: row)
        }
    }

    private static func find(tenantID: String, reference: String, in tx: Connection) throws -> KeyRecord {
        let condition: SQL
        if Identifier.isValid(reference, kind: .key) {
            condition = "id = \(reference)"
        } else if APIKeyFormat.isPrefix(reference) {
            condition = "prefix = \(reference)"
        } else {
            throw TenancyError.notFound("No such API key.")
        }
        let rows = try tx.query("SELECT \(columns) FROM api_keys WHERE tenant_id = \(tenantID) AND \(condition)").rows
        guard rows.count <= 1 else { throw TenancyError.conflict("Several keys share that prefix; use the key id.") }
        guard let row = rows.first else { throw TenancyError.notFound("No such API key.") }
        return try KeyRecord(row: row)
    }
}
