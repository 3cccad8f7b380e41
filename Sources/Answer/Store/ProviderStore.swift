import FoundationEssentials
import Store
import Tenancy

/// How an LLM endpoint is spoken to. Azure speaks Chat Completions like OpenAI (so the `openai`
/// generator serves it) but with its own URL shape and key header.
public enum ProviderKind: String, Sendable, Codable, CaseIterable {
    case openai, azure, anthropic

    /// The generator that speaks this provider's API.
    public var generator: GeneratorKind {
        switch self {
        case .openai, .azure: .openai
        case .anthropic: .anthropic
        }
    }
}

/// A row of `providers`: an LLM endpoint the operator configured. Holds the *name* of the
/// environment variable with the key, never the key.
public struct ProviderRecord: Sendable, Equatable {
    public var name: String
    public var kind: ProviderKind
    public var baseURL: String
    /// The environment variable holding the API key; nil for endpoints without one (Ollama).
    public var apiKeyEnv: String?
    public var apiVersion: String?
    public var deployment: String?
    public var connectTimeoutMs: Int
    public var requestTimeoutMs: Int

    public init(name: String, kind: ProviderKind, baseURL: String, apiKeyEnv: String? = nil, apiVersion: String? = nil,
                deployment: String? = nil, connectTimeoutMs: Int = 5000, requestTimeoutMs: Int = 60000) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.apiVersion = apiVersion
        self.deployment = deployment
        self.connectTimeoutMs = connectTimeoutMs
        self.requestTimeoutMs = requestTimeoutMs
    }

    static let columns = SQL("name, kind, base_url, api_key_env, api_version, deployment, connect_timeout_ms, request_timeout_ms")

    init(row: Row) throws {
        name = try row.string("name")
        guard let kind = ProviderKind(rawValue: try row.string("kind")) else {
            throw TenancyError.internalFailure("provider \(name) has an unknown kind")
        }
        self.kind = kind
        baseURL = try row.string("base_url")
        apiKeyEnv = try row.optionalString("api_key_env")
        apiVersion = try row.optionalString("api_version")
        deployment = try row.optionalString("deployment")
        connectTimeoutMs = try row.int("connect_timeout_ms")
        requestTimeoutMs = try row.int("request_timeout_ms")
    }
}

/// The operator's providers. Adding and removing is the owner's work (`parley provider`); the
/// service role may only read, which the table's grants enforce.
public enum ProviderStore {
    /// Inserts the provider, or replaces the one with the same name; returns true when it was new.
    @discardableResult
    public static func save(_ provider: ProviderRecord, on connection: Connection) throws -> Bool {
        try validate(provider)
        do {
            let row = try connection.query("""
                INSERT INTO providers (name, kind, base_url, api_key_env, api_version, deployment, connect_timeout_ms, request_timeout_ms)
                VALUES (\(provider.name), \(provider.kind.rawValue), \(provider.baseURL), \(provider.apiKeyEnv), \(provider.apiVersion),
                        \(provider.deployment), \(provider.connectTimeoutMs), \(provider.requestTimeoutMs))
                ON CONFLICT (name) DO UPDATE SET
                    kind = EXCLUDED.kind, base_url = EXCLUDED.base_url, api_key_env = EXCLUDED.api_key_env,
                    api_version = EXCLUDED.api_version, deployment = EXCLUDED.deployment,
                    connect_timeout_ms = EXCLUDED.connect_timeout_ms, request_timeout_ms = EXCLUDED.request_timeout_ms,
                    updated_at = now()
                RETURNING (xmax = 0) AS inserted
                """).rows.first
            return try row?.bool("inserted") ?? false
        } catch SQLState.checkViolation {
            throw TenancyError.invalid("The provider's values are out of range (name, URL, timeouts, or Azure without api version).")
        }
    }

    public static func list(on connection: Connection) throws -> [ProviderRecord] {
        try connection.query("SELECT \(ProviderRecord.columns) FROM providers ORDER BY name").rows.map(ProviderRecord.init(row:))
    }

    public static func find(name: String, on connection: Connection) throws -> ProviderRecord? {
        try connection.query("SELECT \(ProviderRecord.columns) FROM providers WHERE name = \(name)").rows.first
            .map(ProviderRecord.init(row:))
    }

    /// Removes a provider no plan and no tenant uses; otherwise says who does.
    public static func remove(name: String, on connection: Connection) throws {
        do {
            guard try connection.execute("DELETE FROM providers WHERE name = \(name)") == 1 else {
                throw TenancyError.notFound("No provider named \(name).")
            }
        } catch SQLState.foreignKeyViolation {
            throw TenancyError.conflict("Provider \(name) is still used by a plan or a tenant's answer settings; switch them first.")
        }
    }

    static func validate(_ provider: ProviderRecord) throws {
        guard provider.name.utf8.count <= 64, provider.name.utf8.first.map({ $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: "_") }) ?? false,
              provider.name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d || $0 == 0x5f })
        else { throw TenancyError.invalid("A provider name is 1 to 64 of a-z, 0-9, '-' and '_', starting with a letter or digit.") }
        guard provider.baseURL.hasPrefix("https://") || provider.baseURL.hasPrefix("http://") else {
            throw TenancyError.invalid("base URL must start with https:// (or http:// for a local server).")
        }
        if provider.kind == .azure, provider.apiVersion == nil {
            throw TenancyError.invalid("An Azure provider needs its api version (e.g. 2024-10-21).")
        }
    }
}
