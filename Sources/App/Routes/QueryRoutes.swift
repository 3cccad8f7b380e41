import Answer
import HTTP
import Search
import Tenancy

/// `POST /v1/query`: a grounded, cited answer; streamed as server-sent events when asked.
enum QueryRoutes {
    struct Body: Decodable {
        let question: String
        let conversationID: String?
        let collections: [String]?
        let stream: Bool?

        enum CodingKeys: String, CodingKey {
            case question, collections, stream
            case conversationID = "conversation_id"
        }
    }

    static let citationSchema: JSONValue = [
        "type": "object",
        "properties": [
            "n": ["type": "integer"], "document_id": ["type": "string"], "chunk_id": ["type": "string"],
            "title": ["type": "string"], "page": ["type": ["integer", "null"]], "snippet": ["type": "string"],
            "url": ["type": ["string", "null"]],
        ],
    ]

    static let answerSchema: JSONValue = [
        "type": "object",
        "properties": [
            "answer": ["type": "string", "description": "[n] markers refer to citations[].n"],
            "citations": ["type": "array", "items": citationSchema],
            "confidence": ["type": "number", "minimum": 0, "maximum": 1],
            "escalate": ["type": "boolean", "description": "confidence is below the tenant's threshold"],
            "conversation_id": ["type": "string"], "message_id": ["type": "string"],
            "usage": ["type": "object", "properties": [
                "prompt_tokens": ["type": "integer"], "completion_tokens": ["type": "integer"], "cost": ["type": "number"],
            ]],
            "timings": ["type": "object", "properties": [
                "retrieve_ms": ["type": "number"], "generate_ms": ["type": "number"], "total_ms": ["type": "number"],
            ]],
            "generator": ["type": "string", "enum": ["extractive", "openai", "anthropic"]], "model": ["type": "string"],
            "fallback": ["type": "boolean"], "fallback_reason": ["type": ["string", "null"]], "cached": ["type": "boolean"],
        ],
    ]

    static func register(into router: inout Router<RequestContext>) {
        router.add(.POST, "/v1/query", scope: .query, maxBodyBytes: 16 * 1024, doc: RouteDoc(
            // Streaming (`stream: true` or `Accept: text/event-stream`): `token` events ({"text"}), `reset`
            // (discard the text so far: the provider failed and the fallback answer follows),
            // `citations`, then `done` with the whole answer object; `error` carries a problem.
            summary: "Answer a question from the tenant's documents, with citations; server-sent events with stream: true",
            operationID: "query", tag: "answers",
            requestSchema: [
                "type": "object", "required": ["question"],
                "properties": [
                    "question": ["type": "string", "minLength": 1, "maxLength": 1000],
                    "conversation_id": ["type": "string"],
                    "collections": ["type": "array", "items": ["type": "string"]],
                    "stream": ["type": "boolean", "default": false],
                ],
            ],
            responses: [
                (200, "The answer (JSON, or an event stream)", answerSchema),
                (404, "Unknown conversation", OpenAPI.problemRef),
                (422, "Invalid question", OpenAPI.problemRef),
            ]
        )) { request, _, context in
            let body = try JSON.decode(Body.self, from: request.body)
            let audience = SearchAudience(tenantID: context.tenantID, includeInternal: context.principal.allows(.internal))
            let question = QuestionRequest(question: body.question, conversationID: body.conversationID, collections: body.collections)
            return try AnswerResponder.respond(to: question, audience: audience, streaming: AnswerResponder.wantsStream(request, stream: body.stream),
                                               requestID: request.requestID, context: context.base)
        }
    }
}
