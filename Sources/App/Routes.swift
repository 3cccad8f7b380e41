import HTTP

/// The route table, built once per process and shared read-only by every thread. Registering a
/// route twice fails at start-up, not at request time.
public enum Routes {
    public static func makeTable() throws -> RouteTable<RequestContext> {
        var router = Router<RequestContext>()
        HealthRoutes.register(into: &router)
        TenantRoutes.register(into: &router)
        AuthRoutes.register(into: &router)
        KeyRoutes.register(into: &router)
        CollectionRoutes.register(into: &router)
        DocumentRoutes.register(into: &router)
        SearchRoutes.register(into: &router)
        QueryRoutes.register(into: &router)
        ConversationRoutes.register(into: &router)
        AnswerSettingsRoutes.register(into: &router)
        WidgetRoutes.register(into: &router)
        PublicWidgetRoutes.register(into: &router)
        FeedbackRoutes.register(into: &router)
        AnalyticsRoutes.register(into: &router)
        // The document describes every route above, itself included; it is computed once, lazily.
        let document = OpenAPIDocument()
        router.add(.GET, "/v1/openapi.json", doc: RouteDoc(
            summary: "This API's OpenAPI 3.1 description", operationID: "getOpenAPI", tag: "meta",
            responses: [(200, "The OpenAPI document", ["type": "object"])]
        )) { _, _, _ in
            Response(status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "public, max-age=300")],
                     body: .bytes(document.bytes))
        }
        let table = try router.freeze()
        document.fill(OpenAPI.document(for: table, version: ParleyVersion.current).serialized())
        return table
    }
}

/// Holds the serialized OpenAPI document; filled once right after the table is frozen, before any
/// thread serves a request, and only read afterwards.
final class OpenAPIDocument: @unchecked Sendable {
    private(set) var bytes: [UInt8] = []
    func fill(_ bytes: [UInt8]) { self.bytes = bytes }
}

public enum ParleyVersion {
    public static let current = "0.1.0"
}
