import Answer
import HTTP
import Tenancy

/// The authenticated twins of the widget's feedback and hand-off (the chat panel of the admin
/// pages, integrations): `POST /v1/messages/{id}/feedback`, `POST /v1/conversations/{id}/handoff`.
enum FeedbackRoutes {
    static let feedbackSchema: JSONValue = ["type": "object", "required": ["rating"], "properties": [
        "rating": ["type": "string", "enum": ["up", "down"]],
        "comment": ["type": ["string", "null"], "maxLength": 2000],
    ]]

    static let feedbackRecordSchema: JSONValue = ["type": "object", "properties": [
        "message_id": ["type": "string"], "rating": ["type": "string", "enum": ["up", "down"]],
        "comment": ["type": ["string", "null"]], "created_at": ["type": "string", "format": "date-time"],
    ]]

    static func register(into router: inout Router<RequestContext>) {
        router.add(.POST, "/v1/messages/{id}/feedback", scope: .query, maxBodyBytes: 8 * 1024, doc: RouteDoc(
            summary: "Rate an answer up or down, with an optional comment; the latest rating wins", operationID: "giveFeedback",
            tag: "conversations", requestSchema: feedbackSchema,
            responses: [
                (200, "The rating", feedbackRecordSchema), (404, "No such message in this tenant", OpenAPI.problemRef),
                (422, "Invalid rating or comment, or a question rather than an answer", OpenAPI.problemRef),
            ]
        )) { request, parameters, context in
            let messageID = try parameters.require("id")
            let body = try JSON.decode(PublicWidgetRoutes.FeedbackBody.self, from: request.body)
            return try .json(try context.withConnection { connection in
                try connection.withTenant(context.tenantID) { tx in
                    try FeedbackStore.record(tenantID: context.tenantID, messageID: messageID, rating: body.rating, comment: body.comment, in: tx)
                }
            })
        }

        router.add(.POST, "/v1/conversations/{id}/handoff", scope: .query, doc: RouteDoc(
            summary: "Flag a conversation for a person (handoff_requested_at, escalated)", operationID: "requestHandoff",
            tag: "conversations",
            responses: [(200, "The conversation", ConversationRoutes.conversation), (404, "No such conversation in this tenant", OpenAPI.problemRef)]
        )) { _, parameters, context in
            let conversationID = try parameters.require("id")
            return try .json(try context.withConnection { connection in
                try connection.withTenant(context.tenantID) { tx in
                    try ConversationStore.requestHandoff(tenantID: context.tenantID, conversationID: conversationID, in: tx)
                }
            })
        }
    }
}
