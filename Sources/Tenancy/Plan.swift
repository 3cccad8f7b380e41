/// A plan's limits as stored in the `plans` table; sysadmins tune them with SQL, no redeploy.
public struct PlanLimits: Sendable, Equatable, Codable {
    public var requestsPerMinute: Int
    public var queriesPerMonth: Int
    public var maxDocuments: Int
    public var maxStorageBytes: Int64
    public var maxUploadBytes: Int64
    public var maxAPIKeys: Int

    public init(requestsPerMinute: Int, queriesPerMonth: Int, maxDocuments: Int, maxStorageBytes: Int64,
                maxUploadBytes: Int64, maxAPIKeys: Int) {
        self.requestsPerMinute = requestsPerMinute
        self.queriesPerMonth = queriesPerMonth
        self.maxDocuments = maxDocuments
        self.maxStorageBytes = maxStorageBytes
        self.maxUploadBytes = maxUploadBytes
        self.maxAPIKeys = maxAPIKeys
    }

    enum CodingKeys: String, CodingKey {
        case requestsPerMinute = "requests_per_minute"
        case queriesPerMonth = "queries_per_month"
        case maxDocuments = "max_documents"
        case maxStorageBytes = "max_storage_bytes"
        case maxUploadBytes = "max_upload_bytes"
        case maxAPIKeys = "max_api_keys"
    }
}

public struct Tenant: Sendable, Equatable {
    public enum Status: String, Sendable, Codable { case active, disabled }

    public let id: String
    public let name: String
    public let status: Status
    public let plan: String
    public let limits: PlanLimits
}

/// Who is asking: an authenticated, non-revoked key of an active tenant, or a signed-in user's
/// valid session. It can only be made by `Authenticator` or `SessionStore`, so holding one means
/// authentication succeeded.
public struct Principal: Sendable {
    /// The API key's id; for a signed-in user, the session's id (`ses_…`).
    public let keyID: String
    public let scopes: [Scope]
    public let tenant: Tenant
    /// Set when a person signed in to the admin console is asking (nil for API keys); their
    /// `scopes` are their role's.
    public let user: SignedInUser?

    init(keyID: String, scopes: [Scope], tenant: Tenant, user: SignedInUser? = nil) {
        self.keyID = keyID
        self.scopes = scopes
        self.tenant = tenant
        self.user = user
    }

    public func allows(_ scope: Scope) -> Bool {
        scopes.contains(scope) || scopes.contains(.admin)
    }
}
