import Glibc
import HTTP
import Testing
import TestSupport

@Suite(.enabled(if: TestStack.isRunning, "needs the stack scripts/test starts"))
struct AuthenticationTests {
    @Test func missingKeyIs401ProblemNamingTheScheme() throws {
        let reply = try TestStack.send("GET", "/v1/tenant")
        #expect(reply.status == 401)
        #expect(reply.problemType == "unauthorized")
        #expect(reply.header("www-authenticate")?.hasPrefix("Bearer") == true)
    }

    @Test(arguments: [
        ("Authorization", "Basic dXNlcjpwYXNz"),
        ("Authorization", "Bearer"),
        ("Authorization", "Bearer not-a-key"),
        ("X-API-Key", "pk_live_short"),
        ("X-API-Key", "pk_live_" + String(repeating: "!", count: 43)),
    ])
    func malformedKeysAre401(header: String, value: String) throws {
        let reply = try TestStack.send("GET", "/v1/tenant", headers: [(header, value)])
        #expect(reply.status == 401)
        #expect(reply.problemType == "unauthorized")
    }

    @Test func unknownWellFormedKeyIs401() throws {
        let reply = try TestStack.send("GET", "/v1/tenant", key: "pk_live_" + String(repeating: "A", count: 43))
        #expect(reply.status == 401)
        #expect(reply.json?["detail"] == "The API key is not valid.")
    }

    @Test func bearerAndXAPIKeyBothAuthenticateAndShowPlanLimits() throws {
        let fixture = try TenantFixture.make(plan: "pro")
        defer { fixture.remove() }
        let bearer = try TestStack.send("GET", "/v1/tenant", key: fixture.queryKey)
        #expect(bearer.status == 200)
        #expect(bearer.json?["id"] == .string(fixture.tenantID))
        #expect(bearer.json?["plan"] == "pro")
        #expect(bearer.json?["limits"]?["max_api_keys"] == 25)
        #expect(bearer.json?["key"]?["scopes"] == ["query"])
        let header = try TestStack.send("GET", "/v1/tenant", headers: [("X-API-Key", fixture.adminKey)])
        #expect(header.status == 200)
        #expect(header.json?["key"]?["id"] == .string(fixture.adminKeyRecord.id))
    }

    @Test func revokedKeyIsRefusedOnTheNextRequest() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let created = try TestStack.send("POST", "/v1/keys", key: fixture.adminKey, json: #"{"name":"temp","scopes":["query"]}"#)
        #expect(created.status == 201)
        guard case .string(let secret)? = created.json?["key"], case .string(let id)? = created.json?["id"] else {
            Issue.record("no key in \(created.text)"); return
        }
        #expect(try TestStack.send("GET", "/v1/tenant", key: secret).status == 200)
        let revoked = try TestStack.send("DELETE", "/v1/keys/\(id)", key: fixture.adminKey)
        #expect(revoked.status == 200)
        #expect(revoked.json?["revoked_at"] != .null)
        let after = try TestStack.send("GET", "/v1/tenant", key: secret)
        #expect(after.status == 401)
        #expect(after.json?["detail"] == "The API key has been revoked.")
    }

    @Test func queryScopeCannotManageKeys() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let list = try TestStack.send("GET", "/v1/keys", key: fixture.queryKey)
        #expect(list.status == 403)
        #expect(list.problemType == "insufficient-scope")
        let create = try TestStack.send("POST", "/v1/keys", key: fixture.queryKey, json: #"{"name":"x","scopes":["admin"]}"#)
        #expect(create.status == 403)
    }

    @Test func disabledTenantIsRefused() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let owner = try TestDatabase.ownerConnection()
        try owner.execute("UPDATE tenants SET status = 'disabled' WHERE id = \(fixture.tenantID)")
        let reply = try TestStack.send("GET", "/v1/tenant", key: fixture.adminKey)
        #expect(reply.status == 403)
        #expect(reply.problemType == "tenant-disabled")
    }

    @Test func keysNeverReachTheLog() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        _ = try TestStack.send("GET", "/v1/tenant", key: fixture.adminKey)
        let bogus = "pk_live_" + String(repeating: "Z", count: 43)
        _ = try TestStack.send("GET", "/v1/tenant", key: bogus)
        _ = try TestStack.send("GET", "/v1/tenant", headers: [("Authorization", "Bearer garbage-secret-value")])
        let created = try TestStack.send("POST", "/v1/keys", key: fixture.adminKey, json: #"{"name":"logged?","scopes":["query"]}"#)
        // Workers batch log lines and flush them within a fraction of a second.
        var log = TestStack.logContents()
        for _ in 0..<40 where !log.contains(fixture.tenantID) {
            usleep(50_000)
            log = TestStack.logContents()
        }
        #expect(!log.isEmpty, "PARLEY_TEST_LOG should hold the request log")
        #expect(log.contains(fixture.tenantID), "the log names the tenant")
        for secret in [fixture.adminKey, bogus, "garbage-secret-value"] {
            #expect(!log.contains(secret))
        }
        if case .string(let newKey)? = created.json?["key"] { #expect(!log.contains(newKey)) }
    }
}

@Suite(.enabled(if: TestStack.isRunning, "needs the stack scripts/test starts"))
struct AuthCacheInvalidationTests {
    /// A revocation made outside the pool (the CLI, SQL, another host) reaches the workers' caches
    /// through LISTEN/NOTIFY: a warmed-up key stops working within moments.
    @Test func revocationOutsideThePoolEmptiesEveryWorkersCache() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        for _ in 0..<20 { #expect(try TestStack.send("GET", "/v1/tenant", key: fixture.queryKey).status == 200) }
        let owner = try TestDatabase.ownerConnection()
        try owner.execute("UPDATE api_keys SET revoked_at = now() WHERE tenant_id = \(fixture.tenantID) AND name = 'query'")
        var statuses: [Int] = []
        for _ in 0..<50 {
            let status = try TestStack.send("GET", "/v1/tenant", key: fixture.queryKey).status
            statuses.append(status)
            if statuses.suffix(10).count == 10 && statuses.suffix(10).allSatisfy({ $0 == 401 }) { break }
            usleep(20_000)
        }
        #expect(statuses.suffix(10).allSatisfy { $0 == 401 }, "statuses after revoking in SQL: \(statuses)")
        #expect(statuses.prefix(5).filter { $0 == 200 }.count <= 2, "notification took too long: \(statuses)")
    }

    /// Through the API the guarantee is strict: every worker drops its cache before the DELETE is
    /// answered, so not a single request succeeds afterwards, whichever worker it lands on.
    @Test func revocationThroughTheAPIIsImmediateOnEveryWorker() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let created = try TestStack.send("POST", "/v1/keys", key: fixture.adminKey, json: #"{"name":"hot","scopes":["query"]}"#)
        guard case .string(let secret)? = created.json?["key"], case .string(let id)? = created.json?["id"] else {
            Issue.record("no key: \(created.text)"); return
        }
        for _ in 0..<40 { _ = try TestStack.send("GET", "/v1/tenant", key: secret) }
        #expect(try TestStack.send("DELETE", "/v1/keys/\(id)", key: fixture.adminKey).status == 200)
        for _ in 0..<40 { #expect(try TestStack.send("GET", "/v1/tenant", key: secret).status == 401) }
    }
}
