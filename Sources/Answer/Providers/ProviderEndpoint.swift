import HTTP

/// Where and how to reach one LLM provider: built from plain values (a row of the `providers`
/// table: name, kind, base_url, the key read from the variable named by api_key_env, api_version,
/// deployment), so nothing here reads the environment.
///
/// `description` and `customMirror` hide `apiKey`, so an endpoint can be logged or dumped.
public struct ProviderEndpoint: Sendable, CustomStringConvertible, CustomReflectable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// OpenAI's Chat Completions and every server that copies it (vLLM, Ollama, llama.cpp, LiteLLM).
        case openai
        /// Azure OpenAI: same wire format, deployment-scoped URL, `api-key` header.
        case azure
        /// Anthropic's Messages API.
        case anthropic
    }

    /// Named in errors and logs ("openai", "azure-eu", ...).
    public var name: String
    public var kind: Kind
    /// Up to and including the version segment: `https://api.openai.com/v1`,
    /// `https://api.anthropic.com/v1`, `http://127.0.0.1:11434/v1`; for Azure the resource,
    /// `https://NAME.openai.azure.com`.
    public var baseURL: String
    /// nil or empty for servers without authentication (Ollama, vLLM, llama.cpp).
    public var apiKey: String?
    /// Azure's `api-version` query parameter, e.g. `2024-10-21`.
    public var apiVersion: String?
    /// Azure's deployment name (it stands for the model in the URL).
    public var deployment: String?
    /// TCP and TLS set-up, per attempt.
    public var connectTimeoutSeconds: Double
    /// Longest silence before the first byte and between chunks of the stream, per attempt.
    public var idleTimeoutSeconds: Double
    /// One attempt, from connect to the last token.
    public var totalTimeoutSeconds: Double
    /// Retries after the first attempt, before any text was delivered.
    public var maxRetries: Int
    public var initialBackoffSeconds: Double
    public var maxBackoffSeconds: Double
    /// A person is waiting: a provider asking for a longer pause fails over to the fallback instead.
    public var maxRetryAfterSeconds: Double

    public init(name: String? = nil, kind: Kind, baseURL: String, apiKey: String? = nil, apiVersion: String? = nil,
                deployment: String? = nil, connectTimeoutSeconds: Double = 5, idleTimeoutSeconds: Double = 30,
                totalTimeoutSeconds: Double = 180, maxRetries: Int = 2, initialBackoffSeconds: Double = 0.5,
                maxBackoffSeconds: Double = 4, maxRetryAfterSeconds: Double = 10) {
        self.name = name ?? kind.rawValue
        self.kind = kind
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.deployment = deployment
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.totalTimeoutSeconds = totalTimeoutSeconds
        self.maxRetries = maxRetries
        self.initialBackoffSeconds = initialBackoffSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
        self.maxRetryAfterSeconds = maxRetryAfterSeconds
    }

    /// The pinned Messages API version; the request and event shapes below are this version's.
    public static let anthropicVersion = "2023-06-01"

    /// The URL generation requests go to.
    public var url: String {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        switch kind {
        case .openai: return base + "/chat/completions"
        case .azure:
            return base + "/openai/deployments/" + percentEncoded(deployment ?? "") + "/chat/completions?api-version="
                + percentEncoded(apiVersion ?? "")
        case .anthropic: return base + "/messages"
        }
    }

    /// Authentication and versioning headers (the JSON content headers are the caller's).
    var authenticationHeaders: [(String, String)] {
        let key = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        switch kind {
        case .openai: return key.map { [("Authorization", "Bearer " + $0)] } ?? []
        case .azure: return key.map { [("api-key", $0)] } ?? []
        case .anthropic: return (key.map { [("x-api-key", $0)] } ?? []) + [("anthropic-version", Self.anthropicVersion)]
        }
    }

    /// The retry settings as the shared policy.
    var retryPolicy: RetryPolicy {
        RetryPolicy(maxRetries: maxRetries, initialBackoffSeconds: initialBackoffSeconds,
                            maxBackoffSeconds: maxBackoffSeconds, maxRetryAfterSeconds: maxRetryAfterSeconds)
    }

    public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Checks what would otherwise fail on every request, or inject headers.
    public func validate() throws(ConfigurationError) {
        guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") else {
            throw ConfigurationError(description: "\(name): baseURL must start with http:// or https://")
        }
        if kind == .azure {
            guard let deployment, !deployment.isEmpty else { throw ConfigurationError(description: "\(name): Azure needs a deployment") }
            guard let apiVersion, !apiVersion.isEmpty else { throw ConfigurationError(description: "\(name): Azure needs an api-version") }
        }
        // A key with CR/LF would inject headers into the request.
        guard apiKey?.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) != true else {
            throw ConfigurationError(description: "\(name): apiKey contains a line break")
        }
        guard maxRetries >= 0, connectTimeoutSeconds > 0, idleTimeoutSeconds > 0, totalTimeoutSeconds > 0 else {
            throw ConfigurationError(description: "\(name): timeouts must be positive and maxRetries not negative")
        }
    }

    /// Removes the key wherever it appears: providers echo it (whole or masked) in 401 messages.
    func redacted(_ text: String) -> String {
        guard let key = apiKey, key.count >= 4 else { return text }
        return text.replacing(key, with: "***")
    }

    public var description: String {
        "ProviderEndpoint(name: \(name), kind: \(kind.rawValue), url: \(url), apiKey: \(apiKey?.isEmpty == false ? "***" : "none"))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "name": name, "kind": kind, "baseURL": baseURL, "apiKey": apiKey?.isEmpty == false ? "***" : "none",
            "apiVersion": apiVersion as Any, "deployment": deployment as Any, "maxRetries": maxRetries,
        ])
    }

    /// Path-segment and query-value encoding for the Azure parts, which come from configuration.
    private func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                result += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            }
        }
        return result
    }
}
