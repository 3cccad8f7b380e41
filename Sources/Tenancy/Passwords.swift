/// Password hashing for admin users: PBKDF2-HMAC-SHA256 with a per-user salt, stored as
/// `pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>` so the cost can rise later without breaking old hashes.
public enum Passwords {
    /// OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.
    public static let defaultIterations = 600_000
    public static let minimumLength = 12

    public static func hash(_ password: String, iterations: Int = defaultIterations) throws -> String {
        guard password.count >= minimumLength else {
            throw TenancyError.invalid("A password must be at least \(minimumLength) characters.")
        }
        let salt = try Crypto.randomBytes(16)
        let derived = try Crypto.pbkdf2SHA256(password: Array(password.utf8), salt: salt, iterations: iterations, length: 32)
        return "pbkdf2_sha256$\(iterations)$\(Encoding.base64(salt))$\(Encoding.base64(derived))"
    }

    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 4, parts[0] == "pbkdf2_sha256", let iterations = Int(parts[1]), iterations > 0,
              let salt = Encoding.fromBase64(String(parts[2])), let expected = Encoding.fromBase64(String(parts[3])),
              let derived = try? Crypto.pbkdf2SHA256(password: Array(password.utf8), salt: salt,
                                                     iterations: iterations, length: expected.count)
        else { return false }
        return Crypto.constantTimeEquals(derived, expected)
    }
}
