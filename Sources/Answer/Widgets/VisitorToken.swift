import Tenancy

/// The secret that lets a widget visitor continue and read their own conversation. Minted with the
/// conversation's first answer and shown only in that response; the conversation keeps its
/// SHA-256, like an API key, so a database leak does not hand out transcripts.
public enum VisitorToken {
    static let marker = "vt_"

    /// 32 random bytes, base32: safe in a header, a JSON string and localStorage.
    public static func mint() throws -> (token: String, hash: [UInt8]) {
        let token = marker + Encoding.base32(try Crypto.randomBytes(32))
        return (token, Crypto.sha256(token))
    }

    /// True when `presented` is the token whose hash is `stored`. The hashes are compared in
    /// constant time; a conversation without a token (an API one) matches nothing.
    public static func matches(_ presented: String?, hash stored: [UInt8]?) -> Bool {
        guard let presented, let stored, presented.hasPrefix(marker), presented.utf8.count <= 128 else { return false }
        return Crypto.constantTimeEquals(Crypto.sha256(presented), stored)
    }
}
