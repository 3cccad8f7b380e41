import Testing
@testable import HTTP

@Suite struct RouterTests {
    struct Context {}

    static func doc(_ id: String) -> RouteDoc { RouteDoc(summary: id, operationID: id, tag: "t", responses: []) }

    static func table(_ routes: [(HTTPMethod, String)]) throws -> RouteTable<Context> {
        var router = Router<Context>()
        for (method, template) in routes {
            router.add(method, template, doc: doc(template)) { _, parameters, _ in
                .text("\(method.rawValue) \(template) \(parameters["id"] ?? "-")")
            }
        }
        return try router.freeze()
    }

    func body(_ match: RouteTable<Context>.Match) throws -> String {
        guard case .found(let route, let parameters) = match else { Issue.record("expected a match, got \(match)"); return "" }
        return String(decoding: try route.handler(Request(method: "GET", path: "/", requestID: "r"), parameters, Context()).bodyBytes, as: UTF8.self)
    }

    @Test func pathParametersAreBound() throws {
        let table = try Self.table([(.GET, "/v1/keys/{id}")])
        #expect(try body(table.match(method: "GET", path: "/v1/keys/key_123")) == "GET /v1/keys/{id} key_123")
    }

    @Test func literalSegmentsWinOverParametersWhateverTheOrder() throws {
        let table = try Self.table([(.GET, "/v1/keys/{id}"), (.GET, "/v1/keys/usage")])
        #expect(try body(table.match(method: "GET", path: "/v1/keys/usage")) == "GET /v1/keys/usage -")
        #expect(try body(table.match(method: "GET", path: "/v1/keys/other")) == "GET /v1/keys/{id} other")
    }

    @Test func wrongMethodIs405WithAllowListingEveryMethod() throws {
        let table = try Self.table([(.GET, "/v1/keys"), (.POST, "/v1/keys")])
        guard case .methodNotAllowed(let allowed) = table.match(method: "PUT", path: "/v1/keys") else {
            Issue.record("expected 405"); return
        }
        #expect(allowed == ["GET", "HEAD", "POST"])
    }

    @Test func unknownPathsAndEmptyParametersAreNotFound() throws {
        let table = try Self.table([(.GET, "/v1/keys/{id}")])
        for path in ["/v1/keys/", "/v1/keys", "/v1/keys/a/b", "/nope", "/"] {
            guard case .notFound = table.match(method: "GET", path: path) else { Issue.record("\(path) matched"); continue }
        }
    }

    @Test func headIsServedByTheGetRoute() throws {
        let table = try Self.table([(.GET, "/healthz")])
        #expect(try body(table.match(method: "HEAD", path: "/healthz")) == "GET /healthz -")
    }

    @Test func duplicateRoutesFailAtStartupEvenWithOtherParameterNames() {
        #expect(throws: RouterError.self) { try Self.table([(.GET, "/v1/keys/{id}"), (.GET, "/v1/keys/{key}")]) }
        #expect(throws: RouterError.self) { try Self.table([(.GET, "/a"), (.GET, "/a")]) }
        #expect(throws: Never.self) { try Self.table([(.GET, "/a"), (.POST, "/a")]) }
    }

    @Test func parametersRequireThrowsABadRequestProblem() {
        #expect(throws: Problem.self) { try Parameters([:]).require("id") }
    }
}
