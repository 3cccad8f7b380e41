/// What an API key may do. `admin` implies the others: a tenant's admin key can do anything the
/// tenant can. `internal` adds the tenant's internal collections to what the key's other scopes
/// reach (staff tools); without it a key only sees public collections.
public enum Scope: String, Sendable, CaseIterable, Codable, Comparable {
    case query, ingest, admin, `internal`

    /// The names, for messages and schemas.
    public static let names = allCases.map(\.rawValue)

    public static func < (a: Scope, b: Scope) -> Bool { a.rawValue < b.rawValue }

    public static func parseList(_ text: String) throws -> [Scope] {
        let names = text.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        return try parseList(names)
    }

    public static func parseList(_ names: [String]) throws -> [Scope] {
        guard !names.isEmpty else { throw TenancyError.invalid("At least one scope is required (\(names.joined(separator: ", "))).") }
        var scopes = Set<Scope>()
        for name in names {
            guard let scope = Scope(rawValue: name) else {
                throw TenancyError.invalid("Unknown scope '\(name)'; scopes are \(names.joined(separator: ", ")).")
            }
            scopes.insert(scope)
        }
        return scopes.sorted()
    }
}

/// A freshly minted API key. `secret` is shown exactly once; only `hash` and `prefix` are stored.
public struct MintedKey: Sendable {
    public let secret: String
    public let prefix: String
    public let hash: [UInt8]
}

/// The API key format: `pk_live_` followed by 43 base62 characters encoding 32 random bytes.
public enum APIKeyFormat {
    public static let marker = "pk_live_"
    static let bodyLength = 43
    /// How much of the key listings show: enough to tell keys apart, far too little to guess the rest.
    static let visibleLength = 8

    public static func mint() throws -> MintedKey {
        let secret = marker + Encoding.base62(try Crypto.randomBytes(32), length: bodyLength)
        return MintedKey(secret: secret, prefix: prefix(of: secret), hash: Crypto.sha256(secret))
    }

    public static func prefix(of secret: String) -> String {
        String(secret.prefix(marker.count + visibleLength))
    }

    /// Syntactic check before hashing: a string that cannot be a key is rejected without a lookup.
    public static func isWellFormed(_ candidate: String) -> Bool {
        guard candidate.hasPrefix(marker), candidate.utf8.count == marker.utf8.count + bodyLength else { return false }
        return Encoding.isBase62(candidate.dropFirst(marker.count))
    }

    /// True for a key prefix as listings show it (`pk_live_AbCd1234`).
    public static func isPrefix(_ candidate: String) -> Bool {
        candidate.hasPrefix(marker) && candidate.utf8.count == marker.utf8.count + visibleLength
            && Encoding.isBase62(candidate.dropFirst(marker.count))
    }
}

extension StringProtocol {
    /// Drops ASCII spaces, tabs and line breaks at both ends. Works on UTF-8 bytes: it runs on
    /// every authenticated request, where walking Characters showed up in profiles.
    public func trimmingWhitespace() -> String {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d }
        let text = Substring(self)
        guard let first = text.utf8.firstIndex(where: { !isSpace($0) }), let last = text.utf8.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(text[first...last])
    }
}
