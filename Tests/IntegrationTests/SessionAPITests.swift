import HTTP
import Store
import Tenancy
import Testing
import TestSupport

/// The admin console's sign-in, roles and CSRF through nginx.
@Suite(.enabled(if: TestStack.isRunning, "needs the stack scripts/test starts"))
struct SessionAPITests {
    @Test func signInSetsAStrictCookieAndTheSessionAnswersAgain() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let email = try fixture.user(.owner)
        let session = try #require(try ConsoleSession.signIn(email: email))
        let setCookie = try #require(session.reply.header("set-cookie"))
        #expect(setCookie.hasSuffix("; Path=/; Max-Age=604800; HttpOnly; Secure; SameSite=Strict"), "\(setCookie)")
        #expect(session.reply.header("cache-control") == "no-store")
        #expect(session.reply.json?["user"]?["email"] == .string(email))
        #expect(session.reply.json?["user"]?["role"] == "owner")
        #expect(session.reply.json?["tenant"]?["id"] == .string(fixture.tenantID))
        #expect(session.csrf.count == 64)

        let again = try session.send("GET", "/v1/auth/session", csrf: false)
        #expect(again.status == 200, "\(again.text)")
        #expect(again.json == session.reply.json, "a reload gets the same answer, csrf_token included")
        let tenant = try session.send("GET", "/v1/tenant", csrf: false)
        #expect(tenant.status == 200 && tenant.json?["user"]?["role"] == "owner" && tenant.json?["key"] == nil)

        #expect(try TestStack.send("GET", "/v1/auth/session").status == 401)
        let forged = try TestStack.send("GET", "/v1/auth/session", headers: [("Cookie", "parley_session=" + String(repeating: "A", count: 43))])
        #expect(forged.status == 401 && forged.problemType == "unauthorized")
        let byKey = try TestStack.send("GET", "/v1/auth/session", key: fixture.adminKey)
        #expect(byKey.status == 401, "the session routes are for signed-in users, not keys")
        #expect(!TestStack.logContents().contains(String(session.cookie.dropFirst("parley_session=".count))))
    }

    @Test func stateChangingRequestsNeedTheCSRFToken() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let session = try #require(try ConsoleSession.signIn(email: try fixture.user(.admin)))
        let body = #"{"name":"from the console","scopes":["query"]}"#

        let missing = try session.send("POST", "/v1/keys", json: body, csrf: false)
        #expect(missing.status == 403 && missing.problemType == "csrf", "\(missing.text)")
        let wrong = try TestStack.send("POST", "/v1/keys", headers: [
            ("Cookie", session.cookie), ("X-CSRF-Token", String(repeating: "0", count: 64)), ("Content-Type", "application/json"),
        ], body: Array(body.utf8))
        #expect(wrong.status == 403 && wrong.problemType == "csrf")
        let created = try session.send("POST", "/v1/keys", json: body)
        #expect(created.status == 201, "\(created.text)")
        #expect(try session.send("GET", "/v1/keys", csrf: false).status == 200, "reads need no token")

        // API keys are unaffected, even when a cookie rides along.
        let byKey = try TestStack.send("POST", "/v1/keys", headers: [
            ("Authorization", "Bearer \(fixture.adminKey)"), ("Cookie", session.cookie), ("Content-Type", "application/json"),
        ], body: Array(body.utf8))
        #expect(byKey.status == 201, "\(byKey.text)")
    }

    @Test func aViewerReadsAndAsksButChangesNothing() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let uploaded = try Uploads.post(fixture.adminKey, name: "hours.md", bytes: Array("# Hours\n\nWe open at nine.".utf8))
        let documentID = try #require(uploaded.documentID, "\(uploaded.text)")
        let viewer = try #require(try ConsoleSession.signIn(email: try fixture.user(.viewer)))

        let keys = try viewer.send("POST", "/v1/keys", json: #"{"name":"nope","scopes":["admin"]}"#)
        #expect(keys.status == 403 && keys.problemType == "insufficient-role", "\(keys.text)")
        #expect(try viewer.send("GET", "/v1/keys").status == 200)
        let documents = try viewer.send("GET", "/v1/documents")
        #expect(documents.status == 200, "\(documents.text)")
        #expect(documents.text.contains(documentID))
        #expect(try viewer.send("GET", "/v1/settings/answers").status == 200)
        #expect(try viewer.send("GET", "/v1/conversations").status == 200)
        let asked = try viewer.send("POST", "/v1/query", json: #"{"question":"When do you open?"}"#)
        #expect(asked.status == 200, "\(asked.text)")
        #expect(try viewer.send("DELETE", "/v1/documents/\(documentID)").status == 403)
        #expect(try viewer.send("PATCH", "/v1/settings/answers", json: #"{"confidence_threshold":0.5}"#).status == 403)
        #expect(try viewer.send("POST", "/v1/collections", json: #"{"name":"x"}"#).status == 403)
        #expect(try viewer.send("POST", "/v1/search", json: #"{"query":"hours"}"#).status == 403)
        #expect(try viewer.send("POST", "/v1/auth/logout").status == 204, "signing out is not a change to the tenant")
    }

    @Test func anAgentAsksAndReadsConversationsButCannotManageKeys() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let agent = try #require(try ConsoleSession.signIn(email: try fixture.user(.agent)))
        let keys = try agent.send("POST", "/v1/keys", json: #"{"name":"nope","scopes":["query"]}"#)
        #expect(keys.status == 403 && keys.problemType == "insufficient-role", "\(keys.text)")
        #expect(try agent.send("GET", "/v1/keys").status == 403)
        #expect(try agent.send("GET", "/v1/documents").status == 403)
        #expect(try agent.send("GET", "/v1/conversations").status == 200)
    }

    @Test func fiveFailuresLockTheUserWith429() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let email = try fixture.user(.admin)
        let unknown = try ConsoleSession.login(email: "nobody-" + email, password: "whatever it is here")
        #expect(unknown.status == 401)
        for attempt in 1...5 {
            let reply = try ConsoleSession.login(email: email, password: "wrong password \(attempt)")
            #expect(reply.status == 401, "attempt \(attempt): \(reply.text)")
            #expect(reply.json?["detail"] == unknown.json?["detail"], "a wrong password and an unknown email look the same")
            #expect(reply.header("set-cookie") == nil)
        }
        let locked = try ConsoleSession.login(email: email, password: ConsoleSession.password)
        #expect(locked.status == 429, "\(locked.text)")
        #expect(locked.problemType == "locked")
        let retryAfter = try #require(locked.header("retry-after").flatMap { Int($0) })
        #expect((800...900).contains(retryAfter))
        #expect(locked.header("set-cookie") == nil)
    }

    @Test func signingOutEverywhereEndsTheOtherSessions() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let email = try fixture.user(.admin)
        let laptop = try #require(try ConsoleSession.signIn(email: email))
        let phone = try #require(try ConsoleSession.signIn(email: email))

        #expect(try laptop.send("POST", "/v1/auth/logout", csrf: false).status == 403)
        let out = try laptop.send("POST", "/v1/auth/logout")
        #expect(out.status == 204)
        #expect(out.header("set-cookie") == "parley_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict")
        #expect(try laptop.send("GET", "/v1/auth/session").status == 401)
        #expect(try phone.send("GET", "/v1/auth/session").status == 200)

        let tablet = try #require(try ConsoleSession.signIn(email: email))
        #expect(try phone.send("POST", "/v1/auth/logout-all").status == 204)
        #expect(try phone.send("GET", "/v1/auth/session").status == 401)
        #expect(try tablet.send("GET", "/v1/documents").status == 401)
    }

    @Test func aDisabledOrDeletedUserIsRefusedOnTheNextRequest() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let disabled = try fixture.user(.admin), deleted = try fixture.user(.admin)
        let a = try #require(try ConsoleSession.signIn(email: disabled))
        let b = try #require(try ConsoleSession.signIn(email: deleted))
        let owner = try TestDatabase.ownerConnection()
        try UserStore.disable(tenantID: fixture.tenantID, email: disabled, on: owner)
        try owner.execute("DELETE FROM users WHERE tenant_id = \(fixture.tenantID) AND email = \(deleted)")
        #expect(try a.send("GET", "/v1/keys").status == 401)
        #expect(try b.send("GET", "/v1/keys").status == 401)
        #expect(try ConsoleSession.login(email: disabled, password: ConsoleSession.password).status == 401)
    }

    @Test func anEmailInTwoTenantsNeedsTheTenantID() throws {
        let a = try TenantFixture.make(), b = try TenantFixture.make()
        defer { a.remove(); b.remove() }
        let email = try a.user(.admin)
        _ = try b.user(.viewer, email: email)
        let ambiguous = try ConsoleSession.login(email: email, password: ConsoleSession.password)
        #expect(ambiguous.status == 422 && ambiguous.problemType == "tenant-required", "\(ambiguous.text)")
        #expect(ambiguous.text.contains(a.tenantID) && ambiguous.text.contains(b.tenantID))
        let chosen = try #require(try ConsoleSession.signIn(email: email, tenantID: b.tenantID))
        #expect(chosen.reply.json?["tenant"]?["id"] == .string(b.tenantID))
        #expect(chosen.reply.json?["user"]?["role"] == "viewer")
    }

    @Test func anotherTenantsSessionNeverSeesThisTenantsData() throws {
        let a = try TenantFixture.make(), b = try TenantFixture.make()
        defer { a.remove(); b.remove() }
        let uploaded = try Uploads.post(a.adminKey, name: "secret.md", bytes: Array("# Secret\n\nThe vault code is 4711.".utf8))
        let documentID = try #require(uploaded.documentID, "\(uploaded.text)")
        let intruder = try #require(try ConsoleSession.signIn(email: try b.user(.owner)))

        let list = try intruder.send("GET", "/v1/documents")
        #expect(list.status == 200 && !list.text.contains(documentID))
        #expect(try intruder.send("GET", "/v1/documents/\(documentID)").status == 404)
        #expect(try intruder.send("DELETE", "/v1/documents/\(documentID)").status == 404)
        let keys = try intruder.send("GET", "/v1/keys")
        #expect(keys.status == 200 && !keys.text.contains(a.adminKeyRecord.id))
        #expect(try TestStack.send("GET", "/v1/documents/\(documentID)", key: a.adminKey).status == 200, "still there")
    }
}
