/// Random, kind-prefixed identifiers (`ten_…`, `key_…`, `usr_…`, `doc_…`, `col_…`, `conv_…`, `msg_…`, `ses_…`,
/// `wid_…`): never sequential, so ids in URLs
/// reveal nothing about volume and cannot be enumerated. 20 base32 characters carry 100 random bits.
public enum Identifier {
    public enum Kind: String, Sendable {
        case tenant = "ten"
        case key = "key"
        case user = "usr"
        case document = "doc"
        case collection = "col"
        case conversation = "conv"
        case message = "msg"
        case session = "ses"
        case widget = "wid"
    }

    public static func make(_ kind: Kind) throws -> String {
        let bits = try Crypto.randomBytes(13)
        return kind.rawValue + "_" + String(Encoding.base32(bits).prefix(20))
    }

    /// Syntactic check only (the database's CHECK shape, `[a-z0-9]{20}`), so malformed ids are
    /// answered 404 without a database round trip.
    public static func isValid(_ text: String, kind: Kind) -> Bool {
        let prefix = kind.rawValue + "_"
        guard text.hasPrefix(prefix), text.utf8.count == prefix.utf8.count + 20 else { return false }
        return text.utf8.dropFirst(prefix.utf8.count).allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) }
    }
}

/// Module errors stay HTTP-free; App maps them to problems.
public enum TenancyError: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    case invalid(String)
    case limitReached(String)
    /// The caller is known but may not touch this (a key without the `internal` scope and an
    /// internal collection).
    case forbidden(String)
    case conflict(String)
    case internalFailure(String)

    public var description: String {
        switch self {
        case .notFound(let text), .invalid(let text), .limitReached(let text), .forbidden(let text), .conflict(let text),
             .internalFailure(let text): text
        }
    }
}
