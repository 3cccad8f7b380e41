import Answer
import HTTP
import Search

/// The one path from a question to a response, shared by `POST /v1/query` and the public widget
/// query: prepare (every request error becomes a proper problem before a byte is sent), then
/// answer as JSON, or as server-sent events through `EventStreamSink`.
enum AnswerResponder {
    /// `visitorToken`: a widget visitor's new conversation; the token is added to the answer (the
    /// JSON body, or the `done` event) this once.
    static func respond(to question: QuestionRequest, audience: SearchAudience, streaming: Bool, requestID: String,
                        context: RequestContext, visitorToken: String? = nil) throws -> Response {
        let pipeline = AnswerPipeline(database: context.database, searcher: context.searcher, generators: context.generators)
        let prepared = try pipeline.prepare(question, audience: audience, environment: context.configuration.environment.values)
        guard streaming else {
            var envelope = try pipeline.answer(prepared, sink: nil)
            envelope.visitorToken = visitorToken
            return try .json(envelope)
        }
        // The producer runs on this thread right after the head is sent, while this request's
        // context is still alive (WorkerResponder), so handing it over is safe.
        let handoff = Handoff((pipeline, prepared))
        return .eventStream { writer in
            let (pipeline, prepared) = handoff.value
            let sink = EventStreamSink(writer: writer, visitorToken: visitorToken)
            do {
                _ = try pipeline.answer(prepared, sink: sink)
            } catch {
                let (problem, _) = ErrorMapping.problem(for: error)
                writer.sendEvent(String(decoding: problem.response(requestID: requestID).bodyBytes, as: UTF8.self), event: "error")
            }
        }
    }

    /// Streaming when the body says `stream: true`, or else when the client accepts an event stream.
    static func wantsStream(_ request: Request, stream: Bool?) -> Bool {
        stream ?? (request.header("accept")?.contains("text/event-stream") ?? false)
    }
}

/// Moves values into a stream producer that runs on the same thread (see `AnswerResponder`).
struct Handoff<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Answer events as server-sent events.
final class EventStreamSink: AnswerSink {
    private let writer: any BodyWriter
    private let visitorToken: String?

    init(writer: any BodyWriter, visitorToken: String? = nil) {
        self.writer = writer
        self.visitorToken = visitorToken
    }

    func token(_ text: String) -> Bool { send(["text": .string(text)], event: "token") }
    func reset(reason: String) -> Bool { send(["reason": .string(reason)], event: "reset") }
    func citations(_ citations: [Citation]) -> Bool {
        guard let bytes = try? JSON.encode(citations) else { return false }
        return writer.sendEvent(String(decoding: bytes, as: UTF8.self), event: "citations")
    }
    func done(_ envelope: AnswerEnvelope) -> Bool {
        var envelope = envelope
        envelope.visitorToken = visitorToken
        guard let bytes = try? JSON.encode(envelope) else { return false }
        return writer.sendEvent(String(decoding: bytes, as: UTF8.self), event: "done")
    }

    private func send(_ value: JSONValue, event: String) -> Bool {
        writer.sendEvent(String(decoding: value.serialized(), as: UTF8.self), event: event)
    }
}
