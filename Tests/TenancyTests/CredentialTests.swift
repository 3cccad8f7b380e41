import Testing
@testable import Tenancy

@Suite struct CredentialTests {
    @Test func mintedKeysHaveTheDocumentedShapeAndAreUnique() throws {
        var seen = Set<String>()
        for _ in 0..<200 {
            let key = try APIKeyFormat.mint()
            #expect(APIKeyFormat.isWellFormed(key.secret))
            #expect(key.secret.count == 8 + 43)
            #expect(key.secret.hasPrefix(key.prefix))
            #expect(APIKeyFormat.isPrefix(key.prefix))
            #expect(key.hash == Crypto.sha256(key.secret))
            #expect(seen.insert(key.secret).inserted)
        }
    }

    @Test func malformedKeysAreRecognisedWithoutALookup() {
        for candidate in ["", "pk_live_", "pk_test_" + String(repeating: "a", count: 43), "pk_live_" + String(repeating: "a", count: 42),
                          "pk_live_" + String(repeating: "a", count: 42) + "-", "pk_live_" + String(repeating: "é", count: 43)] {
            #expect(!APIKeyFormat.isWellFormed(candidate), "\(candidate)")
        }
    }

    @Test func base62EncodesKnownValues() {
        #expect(Encoding.base62([0], length: 3) == "000")
        #expect(Encoding.base62([61], length: 2) == "0z")
        #expect(Encoding.base62([62], length: 2) == "10")
        #expect(Encoding.base62([0x01, 0x00], length: 3) == "048")  // 256 = 4*62 + 8
        #expect(Encoding.base62([UInt8](repeating: 0xff, count: 32), length: 43).count == 43)
    }

    @Test func sha256MatchesTheStandardVector() {
        #expect(Encoding.hex(Crypto.sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func constantTimeEqualsComparesWholeValues() {
        #expect(Crypto.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2]))
    }

    @Test func identifiersMatchTheDatabaseShape() throws {
        for kind in [Identifier.Kind.tenant, .key, .user] {
            let id = try Identifier.make(kind)
            #expect(Identifier.isValid(id, kind: kind))
            #expect(id.count == kind.rawValue.count + 1 + 20)
        }
        #expect(!Identifier.isValid("key_ABCDEFGHIJKLMNOPQRST", kind: .key))
        #expect(!Identifier.isValid("ten_abcdefghijklmnopqrst", kind: .key))
    }

    @Test func passwordsVerifyAndResistTampering() throws {
        let stored = try Passwords.hash("correct horse battery", iterations: 1000)
        #expect(stored.hasPrefix("pbkdf2_sha256$1000$"))
        #expect(Passwords.verify("correct horse battery", against: stored))
        #expect(!Passwords.verify("correct horse battery!", against: stored))
        #expect(!Passwords.verify("correct horse battery", against: stored.replacingLast()))
        #expect(!Passwords.verify("x", against: "garbage"))
        #expect(try Passwords.hash("correct horse battery", iterations: 1000) != stored, "salted")
        #expect(throws: TenancyError.self) { try Passwords.hash("short") }
    }

    @Test func pbkdf2MatchesRFC7914Vector() throws {
        // RFC 7914 §11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64.
        let derived = try Crypto.pbkdf2SHA256(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1, length: 64)
        #expect(Encoding.hex(derived).hasPrefix("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"))
    }

    @Test func scopesParseAndRejectUnknownNames() throws {
        #expect(try Scope.parseList("query, admin,query") == [.admin, .query])
        #expect(throws: TenancyError.self) { try Scope.parseList("query,root") }
        #expect(throws: TenancyError.self) { try Scope.parseList("") }
    }
}

private extension String {
    func replacingLast() -> String { String(dropLast()) + (last == "A" ? "B" : "A") }
}
