import Testing
@testable import Tenancy

@Suite struct SessionTokenTests {
    @Test func tokensAreRandomWellFormedAndStoredOnlyAsTheirHash() throws {
        var seen = Set<String>()
        for _ in 0..<100 {
            let (token, hash) = try SessionToken.mint()
            #expect(SessionToken.isWellFormed(token))
            #expect(token.count == 43)
            #expect(hash == Crypto.sha256(token))
            #expect(seen.insert(token).inserted)
        }
        for candidate in ["", String(repeating: "a", count: 42), String(repeating: "a", count: 42) + "-", String(repeating: "é", count: 43)] {
            #expect(!SessionToken.isWellFormed(candidate), "\(candidate)")
        }
    }

    @Test func hmacMatchesRFC4231() {
        // RFC 4231, test case 2.
        let mac = Crypto.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Encoding.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func csrfTokenIsDerivedFromTheSessionTokenAndCheckedWhole() throws {
        let (token, _) = try SessionToken.mint()
        let (other, _) = try SessionToken.mint()
        let csrf = SessionToken.csrfToken(for: token)
        #expect(csrf.count == 64)
        #expect(csrf == Encoding.hex(Crypto.hmacSHA256(key: Array(token.utf8), message: Array("parley csrf v1".utf8))))
        #expect(csrf == SessionToken.csrfToken(for: token), "deterministic: nothing is stored")
        #expect(csrf != SessionToken.csrfToken(for: other))
        #expect(!csrf.contains(token))
        #expect(SessionToken.csrfMatches(csrf, token: token))
        #expect(!SessionToken.csrfMatches(SessionToken.csrfToken(for: other), token: token))
        #expect(!SessionToken.csrfMatches(String(csrf.dropLast()), token: token))
        #expect(!SessionToken.csrfMatches("", token: token))
    }

    @Test func rolesMapToScopes() throws {
        #expect(Role.owner.scopes == [.admin] && Role.admin.scopes == [.admin])
        #expect(Role.agent.scopes == [.internal, .query])
        #expect(Role.viewer.scopes == [.internal, .query])
        #expect(try Role.parse(" Viewer ") == .viewer)
        #expect(throws: TenancyError.self) { try Role.parse("root") }
    }
}
