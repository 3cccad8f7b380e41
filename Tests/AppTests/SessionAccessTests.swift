import HTTP
import Tenancy
import Testing
@testable import App

@Suite struct SessionAccessTests {
    @Test func ownersAndAdminsMayDoEverything() {
        for role in [Role.owner, .admin] {
            #expect(SessionAccess.permits(role, method: "POST", template: "/v1/keys", scope: .admin))
            #expect(SessionAccess.permits(role, method: "DELETE", template: "/v1/documents/{id}", scope: .ingest))
        }
    }

    @Test func viewersReadEverythingAndOnlyAsk() {
        #expect(SessionAccess.permits(.viewer, method: "GET", template: "/v1/keys", scope: .admin))
        #expect(SessionAccess.permits(.viewer, method: "GET", template: "/v1/documents", scope: .ingest))
        #expect(SessionAccess.permits(.viewer, method: "HEAD", template: "/v1/settings/answers", scope: .admin))
        #expect(SessionAccess.permits(.viewer, method: "POST", template: "/v1/query", scope: .query))
        #expect(!SessionAccess.permits(.viewer, method: "POST", template: "/v1/keys", scope: .admin))
        #expect(!SessionAccess.permits(.viewer, method: "POST", template: "/v1/search", scope: .query))
        #expect(!SessionAccess.permits(.viewer, method: "PATCH", template: "/v1/settings/answers", scope: .admin))
        #expect(!SessionAccess.permits(.viewer, method: "DELETE", template: "/v1/documents/{id}", scope: .ingest))
    }

    @Test func agentsAskAndReadConversations() {
        #expect(SessionAccess.permits(.agent, method: "POST", template: "/v1/query", scope: .query))
        #expect(SessionAccess.permits(.agent, method: "GET", template: "/v1/tenant", scope: nil))
        #expect(SessionAccess.permits(.agent, method: "GET", template: "/v1/conversations", scope: .admin))
        #expect(SessionAccess.permits(.agent, method: "GET", template: "/v1/conversations/{id}", scope: .query))
        #expect(SessionAccess.permits(.agent, method: "GET", template: "/v1/analytics", scope: .admin))
        #expect(!SessionAccess.permits(.agent, method: "GET", template: "/v1/keys", scope: .admin))
        #expect(!SessionAccess.permits(.agent, method: "POST", template: "/v1/keys", scope: .admin))
        #expect(!SessionAccess.permits(.agent, method: "GET", template: "/v1/documents", scope: .ingest))
        #expect(!SessionAccess.permits(.agent, method: "GET", template: "/v1/conversationsx", scope: .admin))
    }

    @Test func cookiesAreParsedAndSetWithTheRequiredAttributes() {
        let request = Request(method: "GET", path: "/", headers: ["cookie": "theme=dark; parley_session=abc123 ;other=\"q\""], requestID: "r")
        #expect(request.cookie("parley_session") == "abc123")
        #expect(request.cookie("other") == "q")
        #expect(request.cookie("missing") == nil)
        #expect(SetCookie.session(name: "parley_session", value: "t", maxAge: 604800)
            == "parley_session=t; Path=/; Max-Age=604800; HttpOnly; Secure; SameSite=Strict")
    }
}
