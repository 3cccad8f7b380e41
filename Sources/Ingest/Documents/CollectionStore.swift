import FoundationEssentials
import Store
import Tenancy

/// A named group of a tenant's documents, public (the widget and channels may answer from it) or
/// internal (only staff: keys with the `internal` scope, admin keys and signed-in users).
public struct CollectionRecord: Sendable, Equatable, Encodable {
    public enum Visibility: String, Sendable, Codable { case `public`, `internal` }

    public let id: String
    public let name: String
    public let visibility: Visibility
    public let documentCount: Int
    public let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, visibility
        case documentCount = "document_count", createdAt = "created_at"
    }

    init(row: Row) throws {
        id = try row.string("id")
        name = try row.string("name")
        visibility = Visibility(rawValue: try row.string("visibility")) ?? .internal
        documentCount = try row.int("document_count")
        createdAt = try row.date("created_at")
    }
}

/// Collections of one tenant. Every statement names the tenant and runs inside `withTenant`.
public enum CollectionStore {
    /// Uploads without a collection go here; it is created, public, on first use.
    public static let defaultName = "default"

    static let columns: SQL = """
        c.id, c.name, c.visibility, c.created_at,
        (SELECT count(*) FROM documents d WHERE d.tenant_id = c.tenant_id AND d.collection_id = c.id) AS document_count
        """

    public static func validate(name: String) throws -> String {
        let name = name.lowercased()
        let allowed = name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d || $0 == 0x5f }
        guard (1...64).contains(name.utf8.count), allowed, name.first != "-", name.first != "_" else {
            throw TenancyError.invalid("A collection name is 1 to 64 characters: letters, digits, '-' and '_', starting with a letter or digit.")
        }
        return name
    }

    public static func list(tenantID: String, includeInternal: Bool, on connection: Connection) throws -> [CollectionRecord] {
        try connection.withTenant(tenantID) { tx in
            try tx.query("""
                SELECT \(columns) FROM collections c
                 WHERE c.tenant_id = \(tenantID) AND (\(includeInternal) OR c.visibility = 'public')
                 ORDER BY c.name
                """).rows.map(CollectionRecord.init(row:))
        }
    }

    public static func create(tenantID: String, name: String, visibility: CollectionRecord.Visibility,
                              on connection: Connection) throws -> CollectionRecord {
        let name = try validate(name: name)
        let id = try Identifier.make(.collection)
        return try connection.withTenant(tenantID) { tx in
            let inserted = try tx.query("""
                INSERT INTO collections (id, tenant_id, name, visibility) VALUES (\(id), \(tenantID), \(name), \(visibility.rawValue))
                ON CONFLICT (tenant_id, name) DO NOTHING RETURNING id
                """)
            guard !inserted.rows.isEmpty else { throw TenancyError.conflict("A collection named '\(name)' already exists.") }
            return try find(tenantID: tenantID, name: name, in: tx)
        }
    }

    /// The collection an upload goes to: found by name, or created public on first use. Throws
    /// `forbidden` when it is internal and the caller may not see internal collections.
    static func resolveForUpload(tenantID: String, name: String?, includeInternal: Bool, in tx: Connection) throws -> CollectionRecord {
        let name = try validate(name: name ?? defaultName)
        let id = try Identifier.make(.collection)
        _ = try tx.execute("""
            INSERT INTO collections (id, tenant_id, name) VALUES (\(id), \(tenantID), \(name))
            ON CONFLICT (tenant_id, name) DO NOTHING
            """)
        let collection = try find(tenantID: tenantID, name: name, in: tx)
        guard includeInternal || collection.visibility == .public else {
            throw TenancyError.forbidden("The collection '\(name)' is internal; this key lacks the 'internal' scope.")
        }
        return collection
    }

    static func find(tenantID: String, name: String, in tx: Connection) throws -> CollectionRecord {
        guard let row = try tx.query("SELECT \(columns) FROM collections c WHERE c.tenant_id = \(tenantID) AND c.name = \(name)").rows.first else {
            throw TenancyError.notFound("No collection named '\(name)'.")
        }
        return try CollectionRecord(row: row)
    }
}
