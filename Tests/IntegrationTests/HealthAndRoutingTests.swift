import HTTP
import Testing
import TestSupport

@Suite(.enabled(if: TestStack.isRunning, "needs the stack scripts/test starts"))
struct HealthAndRoutingTests {
    @Test func livenessAnswersWithoutDatabaseOrAuth() throws {
        let reply = try TestStack.send("GET", "/healthz")
        #expect(reply.status == 200)
        #expect(reply.json?["status"] == "ok")
        #expect(reply.header("x-request-id")?.isEmpty == false)
    }

    @Test func readinessChecksTheDatabase() throws {
        let reply = try TestStack.send("GET", "/readyz")
        #expect(reply.status == 200)
        #expect(reply.json?["database"] == "ok")
    }

    @Test func unknownRouteIs404ProblemWithRequestID() throws {
        let reply = try TestStack.send("GET", "/v1/nothing-here")
        #expect(reply.status == 404)
        #expect(reply.problemType == "not-found")
        #expect(reply.json?["request_id"] == .string(reply.header("x-request-id") ?? "missing"))
    }

    @Test func wrongMethodIs405WithAllow() throws {
        let reply = try TestStack.send("PUT", "/v1/keys")
        #expect(reply.status == 405)
        #expect(reply.problemType == "method-not-allowed")
        #expect(reply.header("allow") == "GET, HEAD, POST")
    }

    @Test func openAPIDocumentListsEveryRoute() throws {
        let reply = try TestStack.send("GET", "/v1/openapi.json")
        #expect(reply.status == 200)
        let document = try #require(reply.json)
        #expect(document["openapi"] == "3.1.0")
        let paths = try #require(document["paths"])
        for (path, method) in [("/healthz", "get"), ("/readyz", "get"), ("/v1/tenant", "get"), ("/v1/keys", "get"),
                               ("/v1/keys", "post"), ("/v1/keys/{id}", "get"), ("/v1/keys/{id}", "delete"),
                               ("/v1/openapi.json", "get")] {
            #expect(paths[path]?[method] != nil, "\(method) \(path) missing from the OpenAPI document")
        }
        #expect(paths["/v1/keys"]?["post"]?["x-parley-scope"] == "admin")
    }

    @Test func securityHeadersComeFromNginx() throws {
        let reply = try TestStack.send("GET", "/healthz")
        #expect(reply.header("x-content-type-options") == "nosniff")
    }
}
