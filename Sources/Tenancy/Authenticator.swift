import FoundationEssentials
import Store

/// Turns a presented API key into a `Principal`, in one database round trip (`parley_authenticate`,
/// the only function allowed to look a key up before the tenant is known).
public enum Authenticator {
    /// How stale `last_used_at` may get before a request refreshes it (the function's own guard
    /// uses the same minute).
    static let touchInterval: TimeInterval = 60

    public enum Outcome: Sendable {
        case authenticated(Principal)
        case malformed
        case unknown
        case revoked
        case tenantDisabled
    }

    public static func authenticate(_ presented: String, on connection: Connection) throws -> Outcome {
        guard APIKeyFormat.isWellFormed(presented) else { return .malformed }
        return try authenticate(hash: Crypto.sha256(presented), on: connection)
    }

    /// The lookup itself, for a key already checked for shape and hashed.
    static func authenticate(hash: [UInt8], on connection: Connection) throws -> Outcome {
        let result = try connection.queryPrepared("SELECT * FROM parley_authenticate(\(hash))")
        guard let row = result.rows.first else { return .unknown }
        // The lookup was by this hash; comparing again in constant time keeps the decision itself
        // free of timing differences whatever the index does.
        guard Crypto.constantTimeEquals(try row.bytes("secret_hash"), hash) else { return .unknown }
        if try row.bool("revoked") { return .revoked }
        let tenant = try Tenant(authenticationRow: row)
        guard tenant.status == .active else { return .tenantDisabled }
        let scopes = try row.strings("scopes").compactMap(Scope.init(rawValue:))
        let keyID = try row.string("key_id")
        if try row.optionalDate("last_used_at").map({ $0.timeIntervalSinceNow < -touchInterval }) ?? true {
            _ = try connection.queryPrepared("SELECT parley_touch_key(\(keyID))")
        }
        return .authenticated(Principal(keyID: keyID, scopes: scopes, tenant: tenant))
    }
}

extension PlanLimits {
    init(row: Row) throws {
        self.init(
            requestsPerMinute: try row.int("requests_per_minute"),
            queriesPerMonth: try row.int("queries_per_month"),
            maxDocuments: try row.int("max_documents"),
            maxStorageBytes: Int64(try row.int("max_storage_bytes")),
            maxUploadBytes: Int64(try row.int("max_upload_bytes")),
            maxAPIKeys: try row.int("max_api_keys")
        )
    }
}

extension Tenant {
    /// The tenant columns both authentication functions return (`parley_authenticate` for keys,
    /// `parley_session_lookup` for sessions): tenant_id, tenant_name, tenant_status, plan_id and
    /// the plan's limits. An unknown status reads as disabled.
    init(authenticationRow row: Row) throws {
        self.init(id: try row.string("tenant_id"), name: try row.string("tenant_name"),
                  status: Status(rawValue: try row.string("tenant_status")) ?? .disabled,
                  plan: try row.string("plan_id"), limits: try PlanLimits(row: row))
    }
}
