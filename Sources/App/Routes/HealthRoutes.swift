import Glibc
import HTTP

/// Liveness and readiness, for load balancers and systemd/nginx health checks.
enum HealthRoutes {
    /// Serialised once: liveness is probed constantly and its answer never changes.
    private static let alive = (["status": "ok"] as JSONValue).serialized()

    static func register(into router: inout Router<RequestContext>) {
        // Liveness touches nothing but the process: a database outage must not get workers restarted.
        router.add(.GET, "/healthz", doc: RouteDoc(
            summary: "Liveness: the process answers", operationID: "getHealth", tag: "health",
            responses: [(200, "The worker is alive", ["type": "object", "properties": ["status": ["type": "string"]]])]
        )) { _, _, _ in
            Response(status: 200, headers: [("Content-Type", "application/json")], body: .bytes(alive))
        }

        router.add(.GET, "/readyz", doc: RouteDoc(
            summary: "Readiness: the process and its database answer", operationID: "getReadiness", tag: "health",
            responses: [
                (200, "Ready to serve", ["type": "object", "properties": ["status": ["type": "string"], "database": ["type": "string"]]]),
                (503, "The database does not answer", OpenAPI.problemRef),
            ]
        )) { _, _, context in
            try context.database.with { try $0.ping() }
            return .json(["status": "ok", "database": "ok"] as JSONValue)
        }

        // Proves the streaming path end to end: if anything between here and the client buffers,
        // the events arrive together at the end instead of one per interval. Bounded (at most 10
        // events, 1 s apart) because it holds a worker thread while it runs.
        router.add(.GET, "/healthz/stream", doc: RouteDoc(
            summary: "A short server-sent event stream, to check that nothing buffers streaming responses",
            operationID: "getHealthStream", tag: "health",
            responses: [(200, "`count` events named `tick`, `interval_ms` apart", ["type": "string", "contentMediaType": "text/event-stream"])]
        )) { request, _, _ in
            let count = min(max(Int(request.query["count"] ?? "") ?? 3, 1), 10)
            let interval = min(max(Int(request.query["interval_ms"] ?? "") ?? 200, 0), 1000)
            return .eventStream { writer in
                for index in 1...count {
                    guard writer.sendEvent(#"{"tick":\#(index),"of":\#(count)}"#, event: "tick", id: String(index)) else { return }
                    if index < count { usleep(useconds_t(interval * 1000)) }
                }
            }
        }
    }
}
