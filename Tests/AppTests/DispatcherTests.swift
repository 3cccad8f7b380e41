import FoundationEssentials
import HTTP
import Store
import Tenancy
import Testing
@testable import App

/// The route table driven without sockets, like Hummingbird's `.router` tests.
@Suite struct DispatcherTests {
    let dispatcher: Dispatcher

    init() throws {
        let configuration = try Configuration(environment: ["PARLEY_MAX_BODY_BYTES": "1000"])
        dispatcher = Dispatcher(table: try Routes.makeTable(), configuration: configuration)
    }

    /// A context whose database cannot be reached: routes that don't need it must not touch it.
    func context() -> RequestContext {
        RequestContext(database: ConnectionSlot(conninfo: "host=/nonexistent-parley port=1 connect_timeout=1"),
                       configuration: dispatcher.configuration,
                       authenticator: CachedAuthenticator(cache: AuthCache(ttl: 0, gate: AuthCacheGate()), epoch: LocalAuthEpoch()))
    }

    func send(_ method: String, _ path: String, headers: [String: String] = [:],
              body: Dispatcher.BodySource = .bytes([])) -> (Response, RequestLog, bodyRead: Bool) {
        var read = false
        let request = Request(method: method, path: path, headers: headers, requestID: "test-request")
        let (response, log) = dispatcher.respond(to: request, context: context()) { _ in read = true; return body }
        return (response, log, read)
    }

    func json(_ response: Response) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(response.bodyBytes))
    }

    @Test func healthzNeedsNoDatabaseAndEchoesTheRequestID() {
        let (response, log, _) = send("GET", "/healthz")
        #expect(response.status == 200)
        #expect(response.header("X-Request-ID") == "test-request")
        #expect(log.route == "/healthz")
        #expect(log.status == 200)
    }

    @Test func readinessIs503ProblemWhenTheDatabaseIsDown() {
        let (response, log, _) = send("GET", "/readyz")
        #expect(response.status == 503)
        #expect(response.header("content-type") == "application/problem+json")
        #expect(response.header("retry-after") != nil)
        #expect(json(response)?["type"] == "/problems/unavailable")
        #expect(log.error != nil, "the cause goes to the log")
    }

    @Test func declaredOversizedBodyIs413WithoutReadingIt() {
        let (response, _, bodyRead) = send("POST", "/v1/keys", headers: ["content-length": "20000"])
        #expect(response.status == 413)
        #expect(!bodyRead)
        #expect(json(response)?["limit_bytes"] == 16384)
    }

    @Test func bodyThatGrowsPastTheLimitWhileReadingIs413() {
        let (response, _, bodyRead) = send("POST", "/v1/keys", body: .tooLarge)
        #expect(bodyRead)
        #expect(response.status == 413)
    }

    @Test func unknownRouteAndWrongMethodAreProblems() {
        let (missing, missingLog, bodyRead) = send("POST", "/v2/whatever", headers: ["content-length": "5"])
        #expect(missing.status == 404)
        #expect(!bodyRead)
        #expect(missingLog.route == "(unmatched)")
        let (wrong, _, _) = send("PATCH", "/v1/keys/key_x")
        #expect(wrong.status == 405)
        #expect(wrong.header("Allow") == "DELETE, GET, HEAD")
    }

    @Test func missingKeyIs401WithoutTouchingTheDatabase() {
        let (response, log, _) = send("GET", "/v1/keys")
        #expect(response.status == 401)
        #expect(json(response)?["type"] == "/problems/unauthorized")
        #expect(log.tenantID == nil)
    }

    @Test func openAPIDocumentCoversEveryRouteInTheTable() throws {
        let (response, _, _) = send("GET", "/v1/openapi.json")
        let document = try #require(json(response))
        let paths = try #require(document["paths"])
        for route in dispatcher.table.routes {
            #expect(paths[route.template]?[route.method.rawValue.lowercased()] != nil, "\(route.method) \(route.template)")
        }
        guard case .object(let listed) = paths else { Issue.record("paths is not an object"); return }
        let operations = listed.reduce(0) { count, entry in
            if case .object(let methods) = entry.1 { return count + methods.count }
            return count
        }
        #expect(operations == dispatcher.table.routes.count, "no operation without a route")
    }
}
