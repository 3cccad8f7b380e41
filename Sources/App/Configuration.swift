import Glibc
import Embed

/// A value that must not be printed: `parley doctor` and logs show `***`.
public struct Secret: Sendable, CustomStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "***" }
}

/// The whole process environment, kept for the provider API keys named in the database
/// (`providers.api_key_env`), which are not known when the configuration is parsed. It prints as
/// its size only, so logging or dumping a `Configuration` cannot leak a key.
public struct ProcessVariables: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let values: [String: String]
    public init(_ values: [String: String]) { self.values = values }
    public var description: String { "\(values.count) variables" }
    public var debugDescription: String { description }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
}

/// Everything Parley reads from its environment, parsed once. Tests pass a dictionary; nothing else
/// reads `getenv`. Per-tenant settings live in PostgreSQL, not here.
public struct Configuration: Sendable {
    /// `PARLEY_DATABASE_URL`: libpq conninfo (or postgresql:// URL) of the service role, which RLS applies to.
    public var databaseURL: Secret?
    /// `PARLEY_OWNER_DATABASE_URL`: the table owner, for `migrate` and the admin commands. Defaults to the service URL.
    public var ownerDatabaseURL: Secret?
    /// `PARLEY_SOCKET`: unix socket to create. Unset: inherit a listening socket (fd 0 or systemd).
    public var socketPath: String?
    /// `PARLEY_SOCKET_MODE`: octal permissions of the socket (default 0660: owner and nginx's group).
    public var socketMode: UInt32 = 0o660
    /// `PARLEY_WORKERS`: worker processes (default: number of cores).
    public var workers: Int = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    /// `PARLEY_THREADS`: request threads per worker (default 4). Each holds one database connection.
    /// Idle keep-alive connections don't occupy threads (they wait in epoll), so threads only need
    /// to cover requests in progress; on 2 cores more threads measured slower, not faster.
    public var threads: Int = 4
    /// `PARLEY_MAX_REQUESTS`: a worker is replaced after this many requests (default 1000000; 0 = never).
    public var maxRequests: Int = 1_000_000
    /// `PARLEY_MAX_BODY_BYTES`: largest request body for JSON routes (default 10 MiB); larger is a 413.
    public var maxBodyBytes: Int = 10 * 1024 * 1024
    /// `PARLEY_MAX_UPLOAD_BYTES`: largest document upload for any tenant (default 200 MiB, the
    /// largest plan's limit). nginx's client_max_body_size is rendered from it; each tenant's plan
    /// limit (`plans.max_upload_bytes`) applies below it.
    public var maxUploadBytes: Int = 200 * 1024 * 1024
    /// `PARLEY_AUTH_CACHE_SECONDS`: how long a worker may reuse an authenticated key without asking
    /// the database (default 10; 0 = always ask). Revocations and tenant or plan changes empty the
    /// cache at once (shared epoch + LISTEN/NOTIFY); the TTL only bounds last_used_at staleness.
    public var authCacheSeconds: Double = 10
    /// `PARLEY_CONFIG_FILE`: an env file the master re-reads on SIGHUP before replacing workers.
    public var configFile: String?
    /// `PARLEY_MIGRATIONS_DIR`: where `NNN_name.sql` files live (default `sql`, else /usr/share/parley/sql).
    public var migrationsDirectory: String
    /// `PARLEY_PUBLIC_URL`: the URL nginx serves Parley at, which `parley doctor` checks.
    public var publicURL: String?
    /// `PARLEY_EMBED_MODEL_DIR`: the local embedding model in Hugging Face layout (default
    /// `var/models/all-MiniLM-L6-v2` when it exists, else /var/lib/parley/models/all-MiniLM-L6-v2).
    public var embedModelDirectory: String
    /// `PARLEY_QUERY_PRECISION`: `int8` (default) or `float32`, how questions are embedded (stored
    /// vectors are always float32). int8 needs AVX-512 VNNI and falls back to float32 without it.
    public var queryPrecision: EmbeddingPrecision = .int8
    /// `PARLEY_INDEX_DIR`: where the per-tenant search index files live (default `var/index` in a
    /// checkout, else /var/lib/parley/index). Derived data: `parley index --rebuild` remakes them.
    public var indexDirectory: String
    /// Every variable of the environment, for provider keys (see `ProcessVariables`).
    public var environment = ProcessVariables([:])

    public static let variables = [
        "PARLEY_DATABASE_URL", "PARLEY_OWNER_DATABASE_URL", "PARLEY_SOCKET", "PARLEY_SOCKET_MODE", "PARLEY_WORKERS",
        "PARLEY_THREADS", "PARLEY_MAX_REQUESTS", "PARLEY_MAX_BODY_BYTES", "PARLEY_AUTH_CACHE_SECONDS", "PARLEY_CONFIG_FILE",
        "PARLEY_MIGRATIONS_DIR", "PARLEY_PUBLIC_URL", "PARLEY_EMBED_MODEL_DIR", "PARLEY_QUERY_PRECISION", "PARLEY_MAX_UPLOAD_BYTES", "PARLEY_INDEX_DIR",
    ]

    public init(environment: [String: String]) throws {
        self.environment = ProcessVariables(environment)
        func value(_ name: String) -> String? {
            guard let raw = environment[name], !raw.isEmpty else { return nil }
            return raw
        }
        func integer(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let raw = value(name) else { return nil }
            guard let number = Int(raw), range.contains(number) else {
                throw ConfigurationError(description: "\(name)=\(raw) is not a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return number
        }
        databaseURL = value("PARLEY_DATABASE_URL").map(Secret.init)
        ownerDatabaseURL = value("PARLEY_OWNER_DATABASE_URL").map(Secret.init) ?? databaseURL
        socketPath = value("PARLEY_SOCKET")
        if let raw = value("PARLEY_SOCKET_MODE") {
            guard let mode = UInt32(raw, radix: 8), mode <= 0o777 else {
                throw ConfigurationError(description: "PARLEY_SOCKET_MODE=\(raw) is not an octal mode like 0660")
            }
            socketMode = mode
        }
        workers = try integer("PARLEY_WORKERS", 1...256) ?? max(1, workers)
        threads = try integer("PARLEY_THREADS", 1...1024) ?? threads
        maxRequests = try integer("PARLEY_MAX_REQUESTS", 0...Int(Int32.max)) ?? maxRequests
        maxBodyBytes = try integer("PARLEY_MAX_BODY_BYTES", 1...(1 << 34)) ?? maxBodyBytes
        maxUploadBytes = try integer("PARLEY_MAX_UPLOAD_BYTES", 1...(1 << 34)) ?? maxUploadBytes
        authCacheSeconds = Double(try integer("PARLEY_AUTH_CACHE_SECONDS", 0...3600) ?? Int(authCacheSeconds))
        configFile = value("PARLEY_CONFIG_FILE")
        migrationsDirectory = value("PARLEY_MIGRATIONS_DIR")
            ?? (access("sql/001_foundation.sql", R_OK) == 0 ? "sql" : "/usr/share/parley/sql")
        publicURL = value("PARLEY_PUBLIC_URL")
        embedModelDirectory = value("PARLEY_EMBED_MODEL_DIR")
            ?? (access("var/models/all-MiniLM-L6-v2/config.json", R_OK) == 0
                ? "var/models/all-MiniLM-L6-v2" : "/var/lib/parley/models/all-MiniLM-L6-v2")
        indexDirectory = value("PARLEY_INDEX_DIR") ?? (access("var", W_OK) == 0 ? "var/index" : "/var/lib/parley/index")
        if let precision = value("PARLEY_QUERY_PRECISION") {
            guard let parsed = EmbeddingPrecision(rawValue: precision) else {
                throw ConfigurationError(description: "PARLEY_QUERY_PRECISION must be int8 or float32, not \(precision)")
            }
            queryPrecision = parsed
        }
    }

    public func requireDatabaseURL() throws -> String {
        guard let databaseURL else { throw ConfigurationError(description: "PARLEY_DATABASE_URL is not set") }
        return databaseURL.value
    }

    public func requireOwnerDatabaseURL() throws -> String {
        guard let ownerDatabaseURL else {
            throw ConfigurationError(description: "PARLEY_OWNER_DATABASE_URL (or PARLEY_DATABASE_URL) is not set")
        }
        return ownerDatabaseURL.value
    }

    /// The effective configuration as `parley doctor` prints it: passwords in conninfo are masked.
    public var summary: [(String, String)] {
        [
            ("PARLEY_DATABASE_URL", databaseURL.map { Self.maskConninfo($0.value) } ?? "(unset)"),
            ("PARLEY_OWNER_DATABASE_URL", ownerDatabaseURL.map { Self.maskConninfo($0.value) } ?? "(unset)"),
            ("PARLEY_SOCKET", socketPath ?? "(inherited: fd 0 or systemd socket)"),
            ("PARLEY_SOCKET_MODE", "0" + String(socketMode, radix: 8)),
            ("PARLEY_WORKERS", String(workers)),
            ("PARLEY_THREADS", String(threads)),
            ("PARLEY_MAX_REQUESTS", String(maxRequests)),
            ("PARLEY_MAX_BODY_BYTES", String(maxBodyBytes)),
            ("PARLEY_MAX_UPLOAD_BYTES", String(maxUploadBytes)),
            ("PARLEY_AUTH_CACHE_SECONDS", String(Int(authCacheSeconds))),
            ("PARLEY_CONFIG_FILE", configFile ?? "(unset)"),
            ("PARLEY_MIGRATIONS_DIR", migrationsDirectory),
            ("PARLEY_PUBLIC_URL", publicURL ?? "(unset)"),
            ("PARLEY_EMBED_MODEL_DIR", embedModelDirectory),
            ("PARLEY_QUERY_PRECISION", queryPrecision.rawValue),
            ("PARLEY_INDEX_DIR", indexDirectory),
        ]
    }

    /// Hides `password=…` in key/value conninfo and the password part of a `postgresql://user:pw@host` URL.
    public static func maskConninfo(_ conninfo: String) -> String {
        if let scheme = conninfo.firstRange(of: "://"), let at = conninfo[scheme.upperBound...].firstIndex(of: "@") {
            let credentials = conninfo[scheme.upperBound..<at]
            if let colon = credentials.firstIndex(of: ":") {
                return String(conninfo[..<conninfo.index(after: colon)]) + "***" + String(conninfo[at...])
            }
            return conninfo
        }
        return conninfo.split(separator: " ").map { part in
            part.lowercased().hasPrefix("password=") ? "password=***" : String(part)
        }.joined(separator: " ")
    }
}
