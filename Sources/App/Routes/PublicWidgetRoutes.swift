import Answer
import FoundationEssentials
import HTTP
import Search
import Store

/// `/v1/public/widgets/{id}/…`: what widget.js and the chat page call, without a key. The widget
/// row names the tenant; answers come from public collections only, on channel `widget`. A
/// visitor's conversation is continued, read, rated and handed off only with its visitor token.
enum PublicWidgetRoutes {
    struct QueryBody: Decodable {
        let question: String
        let conversationID: String?
        let visitorToken: String?
        let stream: Bool?

        enum CodingKeys: String, CodingKey {
            case question, stream
            case conversationID = "conversation_id", visitorToken = "visitor_token"
        }
    }

    struct FeedbackBody: Decodable {
        let rating: String
        let comment: String?
    }

    /// What any visitor may see of a widget: its id and theme, never its tenant or origins.
    struct PublicConfig: Encodable {
        let id: String
        let theme: WidgetTheme
    }

    /// A visitor's transcript: the words and the citations, not the tenant's costs or models.
    struct VisitorTranscript: Encodable {
        let transcript: Transcript

        enum CodingKeys: String, CodingKey { case id, messages, createdAt = "created_at", handoffRequestedAt = "handoff_requested_at" }
        enum MessageKeys: String, CodingKey { case id, role, text, citations, createdAt = "created_at" }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(transcript.conversation.id, forKey: .id)
            try c.encode(transcript.conversation.createdAt, forKey: .createdAt)
            try c.encode(transcript.conversation.handoffRequestedAt, forKey: .handoffRequestedAt)
            var messages = c.nestedUnkeyedContainer(forKey: .messages)
            for message in transcript.messages {
                var m = messages.nestedContainer(keyedBy: MessageKeys.self)
                try m.encode(message.id, forKey: .id)
                try m.encode(message.role, forKey: .role)
                try m.encode(message.text, forKey: .text)
                try m.encode(message.createdAt, forKey: .createdAt)
                if message.role == .assistant { try m.encode(message.citations, forKey: .citations) }
            }
        }
    }

    static let base = "/v1/public/widgets/{id}"
    static let visitorTokenDoc = "The visitor token from the conversation's first answer, as the X-Visitor-Token header"

    static func register(into router: inout Router<RequestContext>) {
        router.addPublic(.GET, base, doc: RouteDoc(
            summary: "A widget's public configuration (theme)", operationID: "getPublicWidget", tag: "public",
            responses: [
                (200, "The widget", ["type": "object", "properties": ["id": ["type": "string"], "theme": WidgetRoutes.themeSchema]]),
                (403, "Origin not allowed", OpenAPI.problemRef), (404, "No such widget, or disabled", OpenAPI.problemRef),
            ]
        )) { _, _, access in
            var response = try Response.json(PublicConfig(id: access.widget.id, theme: access.widget.theme))
            response.setHeader("Cache-Control", "public, max-age=60")
            return response
        }

        router.addPublic(.POST, base + "/query", maxBodyBytes: 16 * 1024, doc: RouteDoc(
            summary: "Ask the widget a question (public collections only); like /v1/query, with a visitor token on the first answer",
            operationID: "publicQuery", tag: "public",
            requestSchema: ["type": "object", "required": ["question"], "properties": [
                "question": ["type": "string", "minLength": 1, "maxLength": 1000],
                "conversation_id": ["type": "string"],
                "visitor_token": ["type": "string", "description": "Required with conversation_id (or the X-Visitor-Token header)"],
                "stream": ["type": "boolean"],
            ]],
            responses: [
                (200, "The answer (JSON, or an event stream); visitor_token on a new conversation", QueryRoutes.answerSchema),
                (403, "Origin not allowed, or a wrong visitor token", OpenAPI.problemRef),
                (404, "No such widget or conversation", OpenAPI.problemRef),
                (422, "Invalid question", OpenAPI.problemRef),
            ]
        )) { request, _, access in
            let body = try JSON.decode(QueryBody.self, from: request.body)
            var question = QuestionRequest(question: body.question, collections: access.widget.collections, channel: "widget")
            var newToken: String?
            if let conversationID = body.conversationID {
                let token = body.visitorToken ?? request.header("x-visitor-token")
                try visitorChecked {
                    try access.withConnection {
                        try ConversationStore.verifyVisitor(tenantID: access.tenantID, conversationID: conversationID, token: token, on: $0)
                    }
                }
                question.conversationID = conversationID
            } else {
                let minted = try VisitorToken.mint()
                question.visitorTokenHash = minted.hash
                newToken = minted.token
            }
            var response = try AnswerResponder.respond(
                to: question, audience: SearchAudience(tenantID: access.tenantID, includeInternal: false),
                streaming: AnswerResponder.wantsStream(request, stream: body.stream), requestID: request.requestID,
                context: access.base, visitorToken: newToken)
            if newToken != nil { response.setHeader("Cache-Control", "no-store") }
            return response
        }

        router.addPublic(.GET, base + "/conversations/{cid}", doc: RouteDoc(
            summary: "A visitor's transcript, so the chat survives a reload (X-Visitor-Token)", operationID: "getVisitorConversation",
            tag: "public",
            responses: [
                (200, "The transcript: messages with citations", ["type": "object"]),
                (403, "Origin not allowed, or a missing or wrong visitor token", OpenAPI.problemRef),
                (404, "No such widget or conversation", OpenAPI.problemRef),
            ]
        )) { request, parameters, access in
            let conversationID = try parameters.require("cid")
            let transcript = try access.withConnection { connection in
                try visitorChecked {
                    try ConversationStore.verifyVisitor(tenantID: access.tenantID, conversationID: conversationID,
                                                        token: request.header("x-visitor-token"), on: connection)
                }
                return try ConversationStore.transcript(tenantID: access.tenantID, id: conversationID, on: connection)
            }
            var response = try Response.json(VisitorTranscript(transcript: transcript))
            response.setHeader("Cache-Control", "no-store")
            return response
        }

        router.addPublic(.POST, base + "/messages/{mid}/feedback", maxBodyBytes: 8 * 1024, doc: RouteDoc(
            summary: "Rate an answer up or down, with an optional comment (X-Visitor-Token); the latest rating wins",
            operationID: "publicFeedback", tag: "public", requestSchema: FeedbackRoutes.feedbackSchema,
            responses: [
                (200, "The rating", FeedbackRoutes.feedbackRecordSchema),
                (403, "Origin not allowed, or a missing or wrong visitor token", OpenAPI.problemRef),
                (404, "No such widget or message", OpenAPI.problemRef), (422, "Invalid rating or comment", OpenAPI.problemRef),
            ]
        )) { request, parameters, access in
            let messageID = try parameters.require("mid")
            let body = try JSON.decode(FeedbackBody.self, from: request.body)
            let token = request.header("x-visitor-token")
            let record = try access.withConnection { connection in
                try connection.withTenant(access.tenantID) { tx in
                    try visitorChecked { try ConversationStore.verifyVisitor(tenantID: access.tenantID, messageID: messageID, token: token, in: tx) }
                    return try FeedbackStore.record(tenantID: access.tenantID, messageID: messageID, rating: body.rating,
                                                    comment: body.comment, in: tx)
                }
            }
            return try .json(record)
        }

        router.addPublic(.POST, base + "/conversations/{cid}/handoff", doc: RouteDoc(
            summary: "Ask for a person: flags the conversation (handoff_requested_at, escalated) (X-Visitor-Token)",
            operationID: "publicHandoff", tag: "public",
            responses: [
                (200, "The conversation", ConversationRoutes.conversation),
                (403, "Origin not allowed, or a missing or wrong visitor token", OpenAPI.problemRef),
                (404, "No such widget or conversation", OpenAPI.problemRef),
            ]
        )) { request, parameters, access in
            let conversationID = try parameters.require("cid")
            let token = request.header("x-visitor-token")
            return try .json(try access.withConnection { connection in
                try connection.withTenant(access.tenantID) { tx in
                    try visitorChecked {
                        try ConversationStore.verifyVisitor(tenantID: access.tenantID, conversationID: conversationID, token: token, in: tx)
                    }
                    return try ConversationStore.requestHandoff(tenantID: access.tenantID, conversationID: conversationID, in: tx)
                }
            })
        }

        for (template, operation) in [(base, "preflightPublicWidget"), (base + "/query", "preflightPublicQuery"),
                                      (base + "/conversations/{cid}", "preflightVisitorConversation"),
                                      (base + "/messages/{mid}/feedback", "preflightPublicFeedback"),
                                      (base + "/conversations/{cid}/handoff", "preflightPublicHandoff")] {
            router.addPreflight(template, operationID: operation)
        }
    }

    /// Runs a visitor check, turning its outcome into problems: an unknown conversation or message
    /// is 404, a missing or wrong token 403.
    static func visitorChecked(_ check: () throws -> Void) throws {
        do {
            try check()
        } catch ConversationStore.VisitorAccessError.notFound {
            throw Problem.notFound("No such conversation for this widget.")
        } catch ConversationStore.VisitorAccessError.wrongToken {
            throw Problem.forbidden("The visitor token is missing or does not match this conversation.", type: "visitor-token")
        }
    }
}
