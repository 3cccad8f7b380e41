import Foundation
import HTTP
import Store
import Testing
import TestSupport

/// `/v1/widgets` (admin) and the public widget gate through nginx: validation, isolation, the
/// Origin check and CORS, preflight, and nginx's per-IP rate limit on /v1/public/.
@Suite(.enabled(if: TestStack.isRunning, "needs the stack scripts/test starts"))
struct WidgetAPITests {
    @Test func widgetsAreCreatedReadPatchedListedAndDeleted() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let created = try TestStack.send("POST", "/v1/widgets", key: fixture.adminKey, json: """
            {"name":" Help desk ","allowed_origins":["https://Shop.example:443/","http://localhost:8080"],
             "theme":{"primary_color":"#AA3300","suggested_questions":["  Where is my parcel? "],"avatar_url":"https://cdn.example/a.png"}}
            """)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(Widgets.string(created.json?["id"]))
        #expect(id.hasPrefix("wid_") && id.count == 24)
        #expect(created.header("location") == "/v1/widgets/\(id)")
        #expect(created.json?["name"] == "Help desk" && created.json?["enabled"] == true && created.json?["collections"] == .null)
        #expect(created.json?["allowed_origins"] == ["https://shop.example", "http://localhost:8080"], "\(created.text)")
        #expect(created.json?["theme"]?["primary_color"] == "#aa3300" && created.json?["theme"]?["position"] == "bottom-right")
        #expect(created.json?["theme"]?["suggested_questions"] == ["Where is my parcel?"])
        #expect(created.json?["theme"]?["text_color"] == "#111827", "defaults fill the rest: \(created.text)")

        let patched = try TestStack.send("PATCH", "/v1/widgets/\(id)", key: fixture.adminKey, json: """
            {"theme":{"avatar_url":null,"position":"bottom-left"},"collections":["FAQ"],"enabled":false}
            """)
        #expect(patched.status == 200, "\(patched.text)")
        #expect(patched.json?["theme"]?["avatar_url"] == .null && patched.json?["theme"]?["position"] == "bottom-left")
        #expect(patched.json?["theme"]?["primary_color"] == "#aa3300", "untouched fields stay")
        #expect(patched.json?["collections"] == ["faq"] && patched.json?["enabled"] == false && patched.json?["name"] == "Help desk")

        let read = try TestStack.send("GET", "/v1/widgets/\(id)", key: fixture.adminKey)
        #expect(read.status == 200 && read.json?["theme"] == patched.json?["theme"], "\(read.text)")
        let second = try Widgets.create(fixture.adminKey)
        let list = try TestStack.send("GET", "/v1/widgets", key: fixture.adminKey)
        guard case .array(let items)? = list.json?["data"] else { Issue.record("no data: \(list.text)"); return }
        #expect(items.compactMap { Widgets.string($0["id"]) } == [second, id])

        #expect(try TestStack.send("DELETE", "/v1/widgets/\(id)", key: fixture.adminKey).status == 204)
        let gone = try TestStack.send("GET", "/v1/widgets/\(id)", key: fixture.adminKey)
        #expect(gone.status == 404 && gone.problemType == "not-found")
        #expect(try TestStack.send("DELETE", "/v1/widgets/\(id)", key: fixture.adminKey).status == 404)
    }

    @Test func invalidWidgetsAreRefusedWith422NamingTheField() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let cases: [(String, String)] = [
            (##"{"name":""}"##, "name"),
            ("{\"name\":\"" + String(repeating: "x", count: 101) + "\"}", "name"),
            (##"{"name":"w","allowed_origins":["https://shop.example/path"]}"##, "allowed_origins"),
            (##"{"name":"w","allowed_origins":["shop.example"]}"##, "allowed_origins"),
            (##"{"name":"w","allowed_origins":["ftp://shop.example"]}"##, "allowed_origins"),
            (##"{"name":"w","allowed_origins":["https://shop.example:99999"]}"##, "allowed_origins"),
            (##"{"name":"w","allowed_origins":["https://user@shop.example"]}"##, "allowed_origins"),
            (##"{"name":"w","theme":{"primary_color":"red"}}"##, "primary_color"),
            (##"{"name":"w","theme":{"text_color":"#12345"}}"##, "text_color"),
            (##"{"name":"w","theme":{"suggested_questions":["1","2","3","4","5","6","7"]}}"##, "suggested_questions"),
            (##"{"name":"w","theme":{"position":"top"}}"##, "position"),
            (##"{"name":"w","theme":{"avatar_url":"javascript:alert(1)"}}"##, "avatar_url"),
            (##"{"name":"w","theme":{"title":""}}"##, "title"),
            (##"{"name":"w","collections":["Not a name!"]}"##, "collections"),
        ]
        for (body, field) in cases {
            let reply = try TestStack.send("POST", "/v1/widgets", key: fixture.adminKey, json: body)
            #expect(reply.status == 422 && reply.problemType == "validation-failed", "\(body): \(reply.text)")
            #expect(Widgets.string(reply.json?["detail"])?.contains(field) == true, "\(body): \(reply.text)")
        }
        let typed = try TestStack.send("POST", "/v1/widgets", key: fixture.adminKey, json: #"{"name":5}"#)
        #expect(typed.status == 400 && typed.problemType == "malformed-json", "\(typed.text)")
        let id = try Widgets.create(fixture.adminKey)
        let badPatch = try TestStack.send("PATCH", "/v1/widgets/\(id)", key: fixture.adminKey, json: ##"{"theme":{"background_color":"#zzzzzz"}}"##)
        #expect(badPatch.status == 422, "\(badPatch.text)")
        #expect(try TestStack.send("GET", "/v1/widgets/\(id)", key: fixture.adminKey).json?["theme"]?["background_color"] == "#ffffff")
    }

    @Test func widgetsStayWithinTheirTenantAndNeedTheAdminScope() throws {
        let a = try TenantFixture.make()
        let b = try TenantFixture.make()
        defer { a.remove(); b.remove() }
        let id = try Widgets.create(a.adminKey)
        #expect(try TestStack.send("GET", "/v1/widgets/\(id)", key: b.adminKey).status == 404)
        #expect(try TestStack.send("PATCH", "/v1/widgets/\(id)", key: b.adminKey, json: #"{"name":"mine"}"#).status == 404)
        #expect(try TestStack.send("DELETE", "/v1/widgets/\(id)", key: b.adminKey).status == 404)
        #expect(try TestStack.send("GET", "/v1/widgets", key: b.adminKey).json?["data"] == [])
        let scoped = try TestStack.send("GET", "/v1/widgets", key: a.queryKey)
        #expect(scoped.status == 403 && scoped.problemType == "insufficient-scope", "\(scoped.text)")
        // RLS is the second wall: even without a WHERE clause, B's session sees none of A's widgets.
        let app = try TestDatabase.appConnection()
        let seen = try app.withTenant(b.tenantID) { try $0.query("SELECT count(*) AS n FROM widgets").rows.first?.int("n") }
        #expect(seen == 0)
    }

    @Test func publicConfigAnswersAllowedOriginsWithCORSAndRefusesOthers() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let id = try Widgets.create(fixture.adminKey, json: #"{"name":"Shop","allowed_origins":["https://shop.example"],"theme":{"title":"Scooter help"}}"#)
        let path = "/v1/public/widgets/\(id)"

        let allowed = try Visitor(address: "127.0.0.21", origin: Visitor.shop).send("GET", path)
        #expect(allowed.status == 200, "\(allowed.text)")
        #expect(allowed.header("access-control-allow-origin") == Visitor.shop && allowed.header("vary")?.contains("Origin") == true)
        #expect(allowed.json?["id"] == .string(id) && allowed.json?["theme"]?["title"] == "Scooter help")
        #expect(!allowed.text.contains(fixture.tenantID) && !allowed.text.contains("allowed_origins"), "\(allowed.text)")

        let other = try Visitor(address: "127.0.0.21", origin: "https://evil.example").send("GET", path)
        #expect(other.status == 403 && other.problemType == "origin-not-allowed", "\(other.text)")
        #expect(other.header("access-control-allow-origin") == nil)
        // Parley's own pages are same-origin: the Origin nginx serves at is always allowed...
        let own = try Visitor(address: "127.0.0.21", origin: TestStack.baseURL).send("GET", path)
        #expect(own.status == 200, "\(own.text)")
        // ...and a client cannot claim to be Parley: nginx overrides that header.
        let spoofed = try Visitor(address: "127.0.0.21", origin: "https://evil.example")
            .send("GET", path, headers: [("X-Parley-Origin", "https://evil.example")])
        #expect(spoofed.status == 403, "\(spoofed.text)")
        // No Origin at all: a same-origin GET or a non-browser client.
        #expect(try Visitor(address: "127.0.0.21", origin: nil).send("GET", path).status == 200)

        let unknown = try Visitor(address: "127.0.0.21", origin: Visitor.shop).send("GET", "/v1/public/widgets/wid_aaaaaaaaaaaaaaaaaaaa")
        #expect(unknown.status == 404 && unknown.problemType == "not-found")
        _ = try TestStack.send("PATCH", "/v1/widgets/\(id)", key: fixture.adminKey, json: #"{"enabled":false}"#)
        let disabled = try Visitor(address: "127.0.0.21", origin: Visitor.shop).send("GET", path)
        #expect(disabled.status == 404, "\(disabled.text)")
    }

    @Test func preflightNamesTheAllowedMethodsAndHeadersForAllowedOriginsOnly() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let id = try Widgets.create(fixture.adminKey)
        let preflight = [("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "content-type, x-visitor-token")]
        let ok = try Visitor(address: "127.0.0.22", origin: Visitor.shop).send("OPTIONS", "/v1/public/widgets/\(id)/query", headers: preflight)
        #expect(ok.status == 204, "\(ok.text)")
        #expect(ok.header("access-control-allow-origin") == Visitor.shop)
        #expect(ok.header("access-control-allow-methods")?.contains("POST") == true)
        let allowedHeaders = ok.header("access-control-allow-headers")?.lowercased() ?? ""
        #expect(["content-type", "accept", "x-visitor-token"].allSatisfy(allowedHeaders.contains), "\(allowedHeaders)")
        let conversation = "/v1/public/widgets/\(id)/conversations/conv_aaaaaaaaaaaaaaaaaaaa"
        #expect(try Visitor(address: "127.0.0.22", origin: Visitor.shop).send("OPTIONS", conversation, headers: preflight).status == 204)
        let refused = try Visitor(address: "127.0.0.22", origin: "https://evil.example").send("OPTIONS", "/v1/public/widgets/\(id)/query", headers: preflight)
        #expect(refused.status == 403 && refused.header("access-control-allow-origin") == nil, "\(refused.text)")
    }

    @Test func thePublicEndpointsAreRateLimitedPerClientAddress() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let id = try Widgets.create(fixture.adminKey)
        let flooder = Visitor(address: "127.0.0.99", origin: Visitor.shop)
        var statuses: [Int] = []
        var limited: HTTPClient.Reply?
        for _ in 0..<30 {
            let reply = try flooder.send("GET", "/v1/public/widgets/\(id)")
            statuses.append(reply.status)
            if reply.status == 429 { limited = reply; break }
        }
        #expect(statuses.first == 200)
        let reply = try #require(limited, "no 429 after \(statuses.count) requests: \(statuses)")
        #expect(statuses.count >= 20, "the burst of 20 is allowed: \(statuses)")
        #expect(reply.problemType == "rate-limited", "\(reply.text)")
        #expect(reply.header("retry-after") != nil && reply.header("access-control-allow-origin") == Visitor.shop)
        #expect(reply.json?["status"] == 429 && Widgets.string(reply.json?["request_id"])?.isEmpty == false)
        // Another address has its own budget, and keyed routes are not counted at all.
        #expect(try Visitor(address: "127.0.0.98", origin: Visitor.shop).send("GET", "/v1/public/widgets/\(id)").status == 200)
        #expect(try TestStack.send("GET", "/v1/widgets", headers: [("Authorization", "Bearer \(fixture.adminKey)")], from: "127.0.0.99").status == 200)
    }
}
