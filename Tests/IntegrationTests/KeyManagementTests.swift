import HTTP
import Testing
import TestSupport

@Suite(.enabled(if: TestStack.isRunning, "needs the stack scripts/test starts"))
struct KeyManagementTests {
    @Test func createListReadRevoke() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let created = try TestStack.send("POST", "/v1/keys", key: fixture.adminKey, json: #"{"name":"ci bot","scopes":["ingest","query"]}"#)
        #expect(created.status == 201)
        #expect(created.header("cache-control") == "no-store")
        guard case .string(let id)? = created.json?["id"], case .string(let prefix)? = created.json?["prefix"],
              case .string(let secret)? = created.json?["key"] else { Issue.record("bad body \(created.text)"); return }
        #expect(secret.hasPrefix(prefix))
        #expect(created.header("location") == "/v1/keys/\(id)")
        #expect(created.json?["scopes"] == ["ingest", "query"])

        let list = try TestStack.send("GET", "/v1/keys", key: fixture.adminKey)
        #expect(list.status == 200)
        #expect(!list.text.contains(secret), "listings never show secrets")
        guard case .array(let keys)? = list.json?["data"] else { Issue.record("no data"); return }
        #expect(keys.count == 3)

        #expect(try TestStack.send("GET", "/v1/keys/\(id)", key: fixture.adminKey).json?["name"] == "ci bot")
        #expect(try TestStack.send("GET", "/v1/keys/\(prefix)", key: fixture.adminKey).json?["id"] == .string(id))
        #expect(try TestStack.send("DELETE", "/v1/keys/\(prefix)", key: fixture.adminKey).status == 200)
        // Revoking again is a harmless no-op.
        #expect(try TestStack.send("DELETE", "/v1/keys/\(id)", key: fixture.adminKey).status == 200)
        #expect(try TestStack.send("GET", "/v1/tenant", key: secret).status == 401)
    }

    @Test func lastUsedAtIsRecorded() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        _ = try TestStack.send("GET", "/v1/tenant", key: fixture.queryKey)
        let list = try TestStack.send("GET", "/v1/keys", key: fixture.adminKey)
        guard case .array(let keys)? = list.json?["data"] else { Issue.record("no data"); return }
        let query = keys.first { $0["name"] == "query" }
        #expect(query?["last_used_at"] != .null && query?["last_used_at"] != nil)
    }

    @Test func tenantACannotSeeReadOrRevokeTenantBKeys() throws {
        let a = try TenantFixture.make()
        let b = try TenantFixture.make()
        defer { a.remove(); b.remove() }
        let bID = b.adminKeyRecord.id
        let bPrefix = b.adminKeyRecord.prefix

        let list = try TestStack.send("GET", "/v1/keys", key: a.adminKey)
        #expect(!list.text.contains(bID) && !list.text.contains(bPrefix))
        for reference in [bID, bPrefix] {
            let read = try TestStack.send("GET", "/v1/keys/\(reference)", key: a.adminKey)
            #expect(read.status == 404, "read \(reference)")
            let revoke = try TestStack.send("DELETE", "/v1/keys/\(reference)", key: a.adminKey)
            #expect(revoke.status == 404, "revoke \(reference)")
        }
        // B's key still works: nothing A did touched it.
        #expect(try TestStack.send("GET", "/v1/keys", key: b.adminKey).status == 200)
    }

    @Test func invalidBodiesGetClearProblems() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let malformed = try TestStack.send("POST", "/v1/keys", key: fixture.adminKey, json: #"{"name": "x", "scopes": "#)
        #expect(malformed.status == 400)
        #expect(malformed.problemType == "malformed-json")
        let missing = try TestStack.send("POST", "/v1/keys", key: fixture.adminKey, json: #"{"scopes":["query"]}"#)
        #expect(missing.status == 400)
        #expect(missing.json?["detail"] == "Field 'name' is required.")
        let badScope = try TestStack.send("POST", "/v1/keys", key: fixture.adminKey, json: #"{"name":"x","scopes":["root"]}"#)
        #expect(badScope.status == 422)
        let notJSON = try TestStack.send("POST", "/v1/keys", headers: [("Authorization", "Bearer \(fixture.adminKey)"),
                                                                       ("Content-Type", "text/plain")], body: Array("name=x".utf8))
        #expect(notJSON.status == 415)
    }

    @Test func oversizedBodiesAre413Problems() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        // Over the route's 16 KiB limit: refused by Parley from Content-Length, before reading.
        let big = "{\"name\":\"" + String(repeating: "x", count: 20_000) + "\",\"scopes\":[\"query\"]}"
        let reply = try TestStack.send("POST", "/v1/keys", key: fixture.adminKey, json: big)
        #expect(reply.status == 413)
        #expect(reply.problemType == "payload-too-large")
        // Over nginx's client_max_body_size: nginx answers from the declared length (the client
        // waits for 100-continue, so the body is never sent), still as problem+json.
        let huge = [UInt8](repeating: 0x61, count: 64 * 1024 * 1024)
        let nginxReply = try TestStack.send("POST", "/v1/keys", headers: [("Content-Type", "application/json"),
                                                                          ("Expect", "100-continue")], body: huge)
        #expect(nginxReply.status == 413)
        #expect(nginxReply.header("content-type")?.hasPrefix("application/problem+json") == true)
    }

    @Test func planKeyLimitIsEnforced() throws {
        let fixture = try TenantFixture.make(plan: "free")  // free: 3 active keys; the fixture made 2
        defer { fixture.remove() }
        #expect(try TestStack.send("POST", "/v1/keys", key: fixture.adminKey, json: #"{"name":"third","scopes":["query"]}"#).status == 201)
        let fourth = try TestStack.send("POST", "/v1/keys", key: fixture.adminKey, json: #"{"name":"fourth","scopes":["query"]}"#)
        #expect(fourth.status == 403)
        #expect(fourth.problemType == "plan-limit")
    }
}
