import Answer
import HTTP
import Tenancy

/// `/v1/conversations`: transcripts for whoever holds a conversation's id (the id is random, and
/// another tenant's is "not found"), and the tenant-wide listing for admins.
enum ConversationRoutes {
    static let nullableString: JSONValue = ["type": ["string", "null"]]
    static let nullableInteger: JSONValue = ["type": ["integer", "null"]]

    static let conversationProperties: [(String, JSONValue)] = [
        ("id", ["type": "string", "example": "conv_abcdefghij2345abcdef"]),
        ("channel", ["type": "string", "example": "api"]),
        ("escalated", ["type": "boolean", "description": "An answer asked for a person"]),
        ("created_at", ["type": "string", "format": "date-time"]),
        ("updated_at", ["type": "string", "format": "date-time"]),
        ("last_message_at", ["type": ["string", "null"], "format": "date-time"]),
        ("handoff_requested_at", ["type": ["string", "null"], "format": "date-time", "description": "Someone asked for a person"]),
    ]

    static let conversation: JSONValue = [
        "type": "object", "required": ["id", "channel", "escalated", "created_at"], "properties": .object(conversationProperties),
    ]

    static let citation: JSONValue = ["type": "object", "properties": [
        "n": ["type": "integer"], "document_id": ["type": "string"], "chunk_id": ["type": "integer"], "title": nullableString,
        "page": nullableInteger, "snippet": ["type": "string"], "url": nullableString,
    ]]

    static let message: JSONValue = [
        "type": "object", "required": ["id", "role", "text", "created_at"],
        "description": "Assistant messages also carry citations, confidence, escalate, generator, model, fallback, cache_hit, usage and timings",
        "properties": [
            "id": ["type": "string", "example": "msg_abcdefghij2345abcdef"],
            "role": ["type": "string", "enum": ["user", "assistant"]],
            "text": ["type": "string"],
            "created_at": ["type": "string", "format": "date-time"],
            "citations": ["type": "array", "items": citation],
            "confidence": ["type": ["number", "null"]],
            "escalate": ["type": "boolean"],
            "generator": ["type": ["string", "null"], "enum": ["extractive", "openai", "anthropic", nil]],
            "model": nullableString,
            "fallback": ["type": "boolean", "description": "The LLM failed and the extractive generator answered"],
            "cache_hit": ["type": "boolean"],
            "usage": ["type": "object", "properties": [
                "prompt_tokens": ["type": "integer"], "completion_tokens": ["type": "integer"], "cached_tokens": ["type": "integer"],
                "cache_write_tokens": ["type": "integer"], "cost": ["type": "number", "description": "USD"],
            ]],
            "timings": ["type": "object", "properties": [
                "retrieve_ms": nullableInteger, "generate_ms": nullableInteger, "total_ms": nullableInteger,
            ]],
        ],
    ]

    static let transcript: JSONValue = [
        "type": "object", "required": ["id", "messages", "usage"],
        "properties": .object(conversationProperties + [
            ("messages", ["type": "array", "items": message]),
            ("usage", ["type": "object", "properties": [
                "prompt_tokens": ["type": "integer"], "completion_tokens": ["type": "integer"], "cost": ["type": "number"],
            ]]),
        ]),
    ]

    static func register(into router: inout Router<RequestContext>) {
        router.add(.GET, "/v1/conversations/{id}", scope: .query, doc: RouteDoc(
            summary: "A conversation's transcript: messages oldest first, with citations, confidence and usage",
            operationID: "getConversation", tag: "conversations",
            responses: [(200, "The transcript", transcript), (404, "No such conversation in this tenant", OpenAPI.problemRef)]
        )) { _, parameters, context in
            let id = try parameters.require("id")
            guard Identifier.isValid(id, kind: .conversation) else { throw Problem.notFound("No conversation \(id).") }
            return try .json(try context.withConnection { try ConversationStore.transcript(tenantID: context.tenantID, id: id, on: $0) })
        }

        router.add(.GET, "/v1/conversations", scope: .admin, doc: RouteDoc(
            summary: "List conversations, newest first", operationID: "listConversations", tag: "conversations",
            queryParameters: [
                ("channel", "Only this channel (api, chat, widget, …)", ["type": "string"]),
                ("escalated", "Only conversations that were (true) or were not (false) escalated", ["type": "boolean"]),
                ("limit", "Page size, 1 to 100 (default 20)", ["type": "integer"]),
                ("cursor", "next_cursor of the previous page", ["type": "string"]),
            ],
            responses: [
                (200, "A page of conversations", ["type": "object", "properties": [
                    "data": ["type": "array", "items": conversation], "next_cursor": nullableString,
                ]]),
                (400, "Invalid filter, limit or cursor", OpenAPI.problemRef),
            ]
        )) { request, _, context in
            var filter = ConversationStore.ListFilter()
            filter.channel = request.query["channel"]
            if let escalated = request.query["escalated"] {
                guard let value = Bool(escalated) else { throw Problem.badRequest("escalated is true or false.") }
                filter.escalated = value
            }
            if let limit = request.query["limit"] {
                guard let value = Int(limit), (1...100).contains(value) else { throw Problem.badRequest("limit is 1 to 100.") }
                filter.limit = value
            }
            if let cursor = request.query["cursor"] {
                guard Identifier.isValid(cursor, kind: .conversation) else { throw Problem.badRequest("cursor is not one this API returned.") }
                filter.after = cursor
            }
            return try .json(try context.withConnection { try ConversationStore.list(tenantID: context.tenantID, filter: filter, on: $0) })
        }
    }
}
