import Answer
import HTTP
import Tenancy

/// `/v1/widgets`: the tenant's embeddable widgets (admin). POST and PATCH share one body: absent
/// fields keep their value (the defaults on POST), `null` clears `collections` and
/// `theme.avatar_url`; the result is validated as a whole (422 naming the field).
enum WidgetRoutes {
    /// Reads the body by hand so `null` (clear) and absent (unchanged) differ.
    struct Body: Decodable {
        let patch: WidgetPatch

        enum Keys: String, CodingKey { case name, collections, theme, enabled, allowedOrigins = "allowed_origins" }
        enum ThemeKeys: String, CodingKey {
            case title, greeting, position
            case primaryColor = "primary_color", backgroundColor = "background_color", textColor = "text_color"
            case avatarURL = "avatar_url", suggestedQuestions = "suggested_questions"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            var patch = WidgetPatch()
            patch.name = try c.decodeIfPresent(String.self, forKey: .name)
            patch.allowedOrigins = try c.decodeIfPresent([String].self, forKey: .allowedOrigins)
            patch.enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled)
            if c.contains(.collections) {
                patch.collections = try c.decodeNil(forKey: .collections) ? .clear : .set(try c.decode([String].self, forKey: .collections))
            }
            if c.contains(.theme), !(try c.decodeNil(forKey: .theme)) {
                let t = try c.nestedContainer(keyedBy: ThemeKeys.self, forKey: .theme)
                patch.primaryColor = try t.decodeIfPresent(String.self, forKey: .primaryColor)
                patch.backgroundColor = try t.decodeIfPresent(String.self, forKey: .backgroundColor)
                patch.textColor = try t.decodeIfPresent(String.self, forKey: .textColor)
                patch.title = try t.decodeIfPresent(String.self, forKey: .title)
                patch.greeting = try t.decodeIfPresent(String.self, forKey: .greeting)
                patch.suggestedQuestions = try t.decodeIfPresent([String].self, forKey: .suggestedQuestions)
                patch.position = try t.decodeIfPresent(String.self, forKey: .position)
                if t.contains(.avatarURL) {
                    patch.avatarURL = try t.decodeNil(forKey: .avatarURL) ? .clear : .set(try t.decode(String.self, forKey: .avatarURL))
                }
            }
            self.patch = patch
        }
    }

    struct ListBody: Encodable { let data: [WidgetRecord] }

    static let color: JSONValue = ["type": "string", "pattern": "^#[0-9a-fA-F]{6}$"]

    static let themeSchema: JSONValue = ["type": "object", "properties": [
        "primary_color": color, "background_color": color, "text_color": color,
        "title": ["type": "string", "minLength": 1, "maxLength": 80],
        "avatar_url": ["type": ["string", "null"], "format": "uri", "maxLength": 2000],
        "greeting": ["type": "string", "maxLength": 500],
        "suggested_questions": ["type": "array", "maxItems": 6, "items": ["type": "string", "minLength": 1, "maxLength": 200]],
        "position": ["type": "string", "enum": ["bottom-right", "bottom-left"]],
    ]]

    static let bodySchema: JSONValue = ["type": "object", "properties": [
        "name": ["type": "string", "minLength": 1, "maxLength": 100],
        "allowed_origins": ["type": "array", "maxItems": 20, "items": ["type": "string", "example": "https://shop.example"],
                            "description": "scheme://host[:port]; Parley's own pages are always allowed"],
        "collections": ["type": ["array", "null"], "items": ["type": "string"], "description": "null: every public collection"],
        "theme": themeSchema,
        "enabled": ["type": "boolean", "default": true],
    ]]

    static let widgetSchema: JSONValue = ["allOf": [bodySchema, ["type": "object", "properties": [
        "id": ["type": "string", "example": "wid_abcdefghij2345abcdef"],
        "created_at": ["type": "string", "format": "date-time"], "updated_at": ["type": "string", "format": "date-time"],
    ]]]]

    static func register(into router: inout Router<RequestContext>) {
        router.add(.GET, "/v1/widgets", scope: .admin, doc: RouteDoc(
            summary: "List the tenant's widgets, newest first", operationID: "listWidgets", tag: "widgets",
            responses: [(200, "The widgets", ["type": "object", "properties": ["data": ["type": "array", "items": widgetSchema]]])]
        )) { _, _, context in
            try .json(ListBody(data: try context.withConnection { try WidgetStore.list(tenantID: context.tenantID, on: $0) }))
        }

        router.add(.POST, "/v1/widgets", scope: .admin, maxBodyBytes: 32 * 1024, doc: RouteDoc(
            summary: "Create a widget (name required; other fields default)", operationID: "createWidget", tag: "widgets",
            requestSchema: bodySchema,
            responses: [(201, "The widget", widgetSchema), (422, "An invalid field, named in detail", OpenAPI.problemRef)]
        )) { request, _, context in
            let body = try JSON.decode(Body.self, from: request.body)
            let record = try context.withConnection { try WidgetStore.create(tenantID: context.tenantID, patch: body.patch, on: $0) }
            var response = try Response.json(record, status: 201)
            response.setHeader("Location", "/v1/widgets/\(record.id)")
            return response
        }

        router.add(.GET, "/v1/widgets/{id}", scope: .admin, doc: RouteDoc(
            summary: "One widget", operationID: "getWidget", tag: "widgets",
            responses: [(200, "The widget", widgetSchema), (404, "No such widget in this tenant", OpenAPI.problemRef)]
        )) { _, parameters, context in
            let id = try parameters.require("id")
            return try .json(try context.withConnection { try WidgetStore.find(tenantID: context.tenantID, id: id, on: $0) })
        }

        router.add(.PATCH, "/v1/widgets/{id}", scope: .admin, maxBodyBytes: 32 * 1024, doc: RouteDoc(
            summary: "Change a widget (absent fields stay; null clears collections and theme.avatar_url)",
            operationID: "updateWidget", tag: "widgets", requestSchema: bodySchema,
            responses: [
                (200, "The widget after the change", widgetSchema), (404, "No such widget in this tenant", OpenAPI.problemRef),
                (422, "An invalid field, named in detail", OpenAPI.problemRef),
            ]
        )) { request, parameters, context in
            let id = try parameters.require("id")
            let body = try JSON.decode(Body.self, from: request.body)
            return try .json(try context.withConnection {
                try WidgetStore.update(tenantID: context.tenantID, id: id, patch: body.patch, on: $0)
            })
        }

        router.add(.DELETE, "/v1/widgets/{id}", scope: .admin, doc: RouteDoc(
            summary: "Delete a widget; its visitors' conversations stay", operationID: "deleteWidget", tag: "widgets",
            responses: [(204, "Deleted", nil), (404, "No such widget in this tenant", OpenAPI.problemRef)]
        )) { _, parameters, context in
            let id = try parameters.require("id")
            try context.withConnection { try WidgetStore.delete(tenantID: context.tenantID, id: id, on: $0) }
            return .noContent()
        }
    }
}
