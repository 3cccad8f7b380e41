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
            let streaming = body.stream ?? (request.header("accept")?.contains("text/event-stream") ?? false)
            let audience = SearchAudience(tenantID: context.tenantID, includeInternal: context.principal.allows(.internal))
            let question = QuestionRequest(question: body.question, conversationID: body.conversationID, collections: body.collections)
            let base = context.base
            let pipeline = AnswerPipeline(database: base.database, searcher: base.searcher, generators: base.generators)
            let prepared = try pipeline.prepare(question, audience: audience, environment: base.configuration.environment.values)
            guard streaming else { return try .json(try pipeline.answer(prepared, sink: nil)) }
            // The producer runs on this thread right after the head is sent, while this request's
            // context is still alive (WorkerResponder), so handing it over is safe.
            let handoff = Handoff((pipeline, prepared))
            return .eventStream { writer in
                let (pipeline, prepared) = handoff.value
                let sink = EventStreamSink(writer: writer)
                do {
                    _ = try pipeline.answer(prepared, sink: sink)
                } catch {
                    let (problem, _) = ErrorMapping.problem(for: error)
                    writer.sendEvent(String(decoding: problem.response(requestID: request.requestID).bodyBytes, as: UTF8.self), event: "error")
                }
            }
        }
    }
}

/// Moves values into a stream producer that runs on the same thread (see `QueryRoutes`).
struct Handoff<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Answer events as server-sent events.
final class EventStreamSink: AnswerSink {
    private let writer: any BodyWriter
    init(writer: any BodyWriter) { self.writer = writer }

    func token(_ text: String) -> Bool { send(["text": .string(text)], event: "token") }
    func reset(reason: String) -> Bool { send(["reason": .string(reason)], event: "reset") }
    func citations(_ citations: [Citation]) -> Bool {
        guard let bytes = try? JSON.encode(citations) else { return false }
        return writer.sendEvent(String(decoding: bytes, as: UTF8.self), event: "citations")
    }
    func done(_ envelope: AnswerEnvelope) -> Bool {
        guard let bytes = try? JSON.encode(envelope) else { return false }
        return writer.sendEvent(String(decoding: bytes, as: UTF8.self), event: "done")
    }

    private func send(_ value: JSONValue, event: String) -> Bool {
        writer.sendEvent(String(decoding: value.serialized(), as: UTF8.self), event: event)
    }
}
