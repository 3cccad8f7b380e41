/// The admin console's session token: 32 random bytes as 43 base62 characters, carried in the
/// `parley_session` cookie. Only its SHA-256 is stored, so the database alone signs nobody in.
public enum SessionToken {
    static let length = 43
    /// Fixed label the CSRF token is derived under; changing it invalidates every page's token.
    static let csrfLabel = Array("parley csrf v1".utf8)

    /// A new token and the hash to store.
    public static func mint() throws -> (token: String, hash: [UInt8]) {
        let token = Encoding.base62(try Crypto.randomBytes(32), length: length)
        return (token, Crypto.sha256(token))
    }

    /// Syntactic check before hashing: a cookie that cannot be a token is refused without a lookup.
    public static func isWellFormed(_ candidate: String) -> Bool {
        candidate.utf8.count == length && Encoding.isBase62(Substring(candidate))
    }

    /// The CSRF token of a session: HMAC-SHA256 of a fixed label keyed by the session token, in
    /// hex. Nothing extra is stored, and only someone who holds the session token (the cookie is
    /// HttpOnly, so that is the server) or who could read the sign-in answer knows it; a
    /// cross-site page can make the browser send the cookie but cannot learn this value.
    public static func csrfToken(for token: String) -> String {
        Encoding.hex(Crypto.hmacSHA256(key: Array(token.utf8), message: csrfLabel))
    }

    /// Constant-time check of a presented CSRF token against the session's.
    public static func csrfMatches(_ presented: String, token: String) -> Bool {
        Crypto.constantTimeEquals(Array(presented.utf8), Array(csrfToken(for: token).utf8))
    }
}
