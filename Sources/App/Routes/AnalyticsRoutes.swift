import Answer
import HTTP
import Tenancy

/// `GET /v1/analytics?days=N`: the tenant's activity per UTC day, totals and knowledge gaps,
/// computed in SQL on each request (the admin page asks once per view).
enum AnalyticsRoutes {
    static let countProperties: [(String, JSONValue)] = [
        ("questions", ["type": "integer"]),
        ("answered_without_person", ["type": "integer", "description": "Answers above the confidence threshold in conversations without a hand-off"]),
        ("escalations", ["type": "integer", "description": "Low-confidence answers plus hand-offs requested"]),
        ("cache_hits", ["type": "integer"]), ("prompt_tokens", ["type": "integer"]), ("completion_tokens", ["type": "integer"]),
        ("cost", ["type": "number", "description": "USD"]),
        ("latency_p50_ms", ["type": ["number", "null"]]), ("latency_p95_ms", ["type": ["number", "null"]]),
        ("feedback_up", ["type": "integer"]), ("feedback_down", ["type": "integer"]),
    ]

    static let reportSchema: JSONValue = ["type": "object", "properties": [
        "days": ["type": "array", "items": ["type": "object", "properties": .object([("date", ["type": "string", "format": "date"])] + countProperties)]],
        "totals": ["type": "object", "properties": .object(countProperties + [
            ("escalation_rate", ["type": "number"]), ("self_service_rate", ["type": "number"]), ("cache_hit_rate", ["type": "number"]),
        ])],
        "knowledge_gaps": ["type": "array", "items": ["type": "object", "properties": [
            "question": ["type": "string"], "count": ["type": "integer"], "avg_confidence": ["type": "number"],
            "last_asked": ["type": "string", "format": "date-time"],
        ]]],
    ]]

    static func register(into router: inout Router<RequestContext>) {
        router.add(.GET, "/v1/analytics", scope: .admin, doc: RouteDoc(
            summary: "Questions, escalations, cache hits, tokens, cost, latency and feedback per day, with totals and knowledge gaps",
            operationID: "getAnalytics", tag: "analytics",
            queryParameters: [("days", "Days up to today (UTC), 1 to \(AnalyticsStore.maxDays) (default 30)", ["type": "integer"])],
            responses: [(200, "The report", reportSchema), (400, "Invalid days", OpenAPI.problemRef)]
        )) { request, _, context in
            var days = 30
            if let text = request.query["days"] {
                guard let value = Int(text), (1...AnalyticsStore.maxDays).contains(value) else {
                    throw Problem.badRequest("days is 1 to \(AnalyticsStore.maxDays).")
                }
                days = value
            }
            return try .json(try context.withConnection { try AnalyticsStore.report(tenantID: context.tenantID, days: days, on: $0) })
        }
    }
}
