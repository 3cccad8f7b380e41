import FoundationEssentials
import Glibc
import Synchronization
import Testing
import TestSupport
@testable import Embed
import HTTP

/// Drives `RemoteEmbedder` against `FakeHTTPServer` speaking OpenAI's documented wire format.
/// Sleeps are recorded, not slept, so backoff decisions are asserted without waiting for them.
@Suite struct RemoteEmbedderTests {
    static let key = "sk-test-0123456789abcdefSECRET"

    /// Inputs look like "text-<n>"; the fake embeds one as [n, 1, 0, 0], so after normalisation the
    /// ratio of the first two components recovers n and proves where each vector landed.
    static func vector(for input: String) -> [Float] {
        [Float(input.split(separator: "-").last.flatMap { Int($0) } ?? 0), 1, 0, 0]
    }

    struct SentBody: Decodable {
        let model: String
        let input: [String]
        let encoding_format: String?
        let dimensions: Int?
    }

    static func sentBody(_ request: FakeHTTPServer.Request) throws -> SentBody {
        try JSONDecoder().decode(SentBody.self, from: Data(request.body))
    }

    /// A successful OpenAI reply; `reversed` returns `data` in reverse index order, as the API
    /// permits, and `vectorOverride` replaces the computed vectors.
    static func success(_ request: FakeHTTPServer.Request, reversed: Bool = false,
                        vector: (String) -> [Float] = vector(for:)) -> FakeHTTPServer.Response {
        guard let body = try? sentBody(request) else { return .json(#"{"error":{"message":"bad body"}}"#, status: 400) }
        var items = body.input.enumerated().map { index, text in
            let numbers = vector(text).map { "\($0)" }.joined(separator: ",")
            return #"{"object":"embedding","index":\#(index),"embedding":[\#(numbers)]}"#
        }
        if reversed { items.reverse() }
        return .json(#"""
            {"object":"list","data":[\#(items.joined(separator: ","))],"model":"\#(body.model)",\#
            "usage":{"prompt_tokens":\#(body.input.count),"total_tokens":\#(body.input.count)}}
            """#)
    }

    static func openAIError(_ message: String, type: String, status: Int, headers: [(String, String)] = []) -> FakeHTTPServer.Response {
        .json(#"{"error":{"message":"\#(message)","type":"\#(type)","param":null,"code":null}}"#, status: status, headers: headers)
    }

    final class SleepLog: Sendable {
        let delays = Mutex<[Double]>([])
        var recorded: [Double] { delays.withLock { $0 } }
        var sleeper: RemoteEmbedder.Sleeper { { [self] seconds in delays.withLock { $0.append(seconds) } } }
    }

    static func embedder(_ server: FakeHTTPServer, sleeps: SleepLog = SleepLog(), configure: (inout RemoteEmbedder.Configuration) -> Void = { _ in }) throws -> RemoteEmbedder {
        var configuration = RemoteEmbedder.Configuration(
            baseURL: server.baseURL + "/v1", apiKey: key, model: "text-embedding-3-small", dimensions: 4, timeoutSeconds: 5)
        configure(&configuration)
        return try RemoteEmbedder(configuration: configuration, sleep: sleeps.sleeper, now: { 1_000_000 }, jitter: { 1 })
    }

    static func inputs(_ count: Int) -> [String] { (0..<count).map { "text-\($0)" } }

    // MARK: - Success

    @Test func batchesAreSentInSlicesAndResultsReturnInInputOrder() throws {
        let server = FakeHTTPServer { Self.success($0, reversed: true) }
        try server.start()
        defer { server.stop() }
        let vectors = try Self.embedder(server).embed(texts: Self.inputs(250), kind: .passage)

        let requests = server.requests
        #expect(requests.count == 3)
        let sent = try requests.map { try Self.sentBody($0).input }
        #expect(sent.map(\.count) == [96, 96, 58])
        #expect(sent.flatMap { $0 } == Self.inputs(250))
        #expect(vectors.count == 250)
        for (index, vector) in vectors.enumerated() {
            #expect(Int((vector[0] / vector[1]).rounded()) == index)
        }
    }

    @Test func requestCarriesAuthModelAndFloatEncoding() throws {
        let server = FakeHTTPServer { Self.success($0) }
        try server.start()
        defer { server.stop() }
        _ = try Self.embedder(server).embed(texts: ["text-1"], kind: .query)

        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/v1/embeddings")
        #expect(request.header("Authorization") == "Bearer \(Self.key)")
        #expect(request.header("content-type") == "application/json")
        let body = try Self.sentBody(request)
        #expect(body.model == "text-embedding-3-small")
        #expect(body.encoding_format == "float")
        #expect(body.dimensions == nil)
    }

    @Test func prefixesAndRequestedDimensionsAreSent() throws {
        let server = FakeHTTPServer { Self.success($0) }
        try server.start()
        defer { server.stop() }
        let embedder = try Self.embedder(server) {
            $0.queryPrefix = "query: "
            $0.passagePrefix = "passage: "
            $0.requestsDimensions = true
            $0.apiKey = nil
        }
        _ = try embedder.embed(texts: ["a-1"], kind: .query)
        _ = try embedder.embed(texts: ["b-2"], kind: .passage)
        let bodies = try server.requests.map(Self.sentBody)
        #expect(bodies.map(\.input) == [["query: a-1"], ["passage: b-2"]])
        #expect(bodies.allSatisfy { $0.dimensions == 4 })
        #expect(server.requests.allSatisfy { $0.header("authorization") == nil })
    }

    @Test func vectorsAreL2Normalised() throws {
        let server = FakeHTTPServer { Self.success($0, vector: { _ in [3, 4, 0, 0] }) }
        try server.start()
        defer { server.stop() }
        let vectors = try Self.embedder(server).embed(texts: ["x", "y"], kind: .passage)
        #expect(vectors == [[0.6, 0.8, 0, 0], [0.6, 0.8, 0, 0]])
    }

    @Test func emptyInputSendsNothing() throws {
        let server = FakeHTTPServer { Self.success($0) }
        try server.start()
        defer { server.stop() }
        #expect(try Self.embedder(server).embed(texts: [], kind: .passage).isEmpty)
        #expect(server.requests.isEmpty)
    }

    // MARK: - Retries

    @Test func rateLimitHonoursRetryAfterSecondsThenSucceeds() throws {
        let server = FakeHTTPServer { request in
            request.index == 0
                ? Self.openAIError("Rate limit reached", type: "requests", status: 429, headers: [("Retry-After", "7")])
                : Self.success(request)
        }
        try server.start()
        defer { server.stop() }
        let sleeps = SleepLog()
        let vectors = try Self.embedder(server, sleeps: sleeps).embed(texts: ["text-1"], kind: .passage)
        #expect(vectors.count == 1)
        #expect(server.requests.count == 2)
        #expect(sleeps.recorded == [7])
    }

    @Test func retryAfterAsHTTPDateAndAbsurdValuesAreCapped() throws {
        let server = FakeHTTPServer { request in
            switch request.index {
            // The injected clock reads 1,000,000 s; this date is 12 s later.
            case 0: Self.openAIError("slow down", type: "requests", status: 429, headers: [("Retry-After", "Mon, 12 Jan 1970 13:46:52 GMT")])
            case 1: Self.openAIError("slow down", type: "requests", status: 429, headers: [("Retry-After", "3600")])
            default: Self.success(request)
            }
        }
        try server.start()
        defer { server.stop() }
        let sleeps = SleepLog()
        _ = try Self.embedder(server, sleeps: sleeps).embed(texts: ["text-1"], kind: .passage)
        #expect(sleeps.recorded == [12, 60])
    }

    @Test func serverErrorIsRetriedWithBackoff() throws {
        let server = FakeHTTPServer { request in
            request.index == 0 ? .text("upstream unavailable", status: 503) : Self.success(request)
        }
        try server.start()
        defer { server.stop() }
        let sleeps = SleepLog()
        _ = try Self.embedder(server, sleeps: sleeps).embed(texts: ["text-1"], kind: .passage)
        #expect(server.requests.count == 2)
        #expect(sleeps.recorded == [0.5])
    }

    @Test func exhaustedRetriesReportTheStatusAndProviderMessage() throws {
        let server = FakeHTTPServer { _ in Self.openAIError("The server had an error", type: "server_error", status: 500) }
        try server.start()
        defer { server.stop() }
        let sleeps = SleepLog()
        let embedder = try Self.embedder(server, sleeps: sleeps) { $0.maxRetries = 3 }
        #expect(throws: RemoteEmbeddingError.unavailable(status: 500, message: "The server had an error (server_error)", attempts: 4)) {
            try embedder.embed(texts: ["text-1"], kind: .passage)
        }
        #expect(server.requests.count == 4)
        #expect(sleeps.recorded == [0.5, 1, 2])  // jitter pinned to 1: the full exponential window
    }

    @Test func clientErrorsFailAtOnceWithoutTheKey() throws {
        for status in [400, 401, 403, 404, 422] {
            // OpenAI echoes (part of) the key in 401 messages; here a fake echoes all of it.
            let server = FakeHTTPServer { _ in
                Self.openAIError("Incorrect API key provided: \(Self.key).", type: "invalid_request_error", status: status)
            }
            try server.start()
            defer { server.stop() }
            let sleeps = SleepLog()
            do {
                _ = try Self.embedder(server, sleeps: sleeps).embed(texts: ["text-1"], kind: .passage)
                Issue.record("status \(status) did not throw")
            } catch let error as RemoteEmbeddingError {
                #expect(error == .rejected(status: status, message: "Incorrect API key provided: ***. (invalid_request_error)"))
                #expect(error.status == status)
                #expect(!"\(error)".contains(Self.key))
                #expect("\(error)".contains("Incorrect API key provided"))
            }
            #expect(server.requests.count == 1)
            #expect(sleeps.recorded.isEmpty)
        }
    }

    @Test func timeoutsAreRetriedThenReported() throws {
        let server = FakeHTTPServer { request in
            var response = Self.success(request)
            response.delaySeconds = 1.5
            return response
        }
        try server.start()
        defer { server.stop(graceSeconds: 0) }
        let sleeps = SleepLog()
        let embedder = try Self.embedder(server, sleeps: sleeps) {
            $0.timeoutSeconds = 0.2
            $0.maxRetries = 2
        }
        do {
            _ = try embedder.embed(texts: ["text-1"], kind: .passage)
            Issue.record("a timeout did not throw")
        } catch RemoteEmbeddingError.transport(let reason, let attempts) {
            #expect(attempts == 3)
            #expect(reason.lowercased().contains("timeout") || reason.lowercased().contains("timed out"))
        }
        #expect(server.requests.count == 3)
        #expect(sleeps.recorded.count == 2)
    }

    @Test func refusedConnectionsAreRetriedThenReported() throws {
        let server = FakeHTTPServer { Self.success($0) }
        try server.start()
        server.stop()  // the port is now closed
        let sleeps = SleepLog()
        let embedder = try Self.embedder(server, sleeps: sleeps) { $0.maxRetries = 1 }
        #expect {
            try embedder.embed(texts: ["text-1"], kind: .passage)
        } throws: { error in
            guard case RemoteEmbeddingError.transport(_, attempts: 2) = error else { return false }
            return !"\(error)".contains(Self.key)
        }
        #expect(sleeps.recorded.count == 1)
    }

    // MARK: - Malformed replies

    @Test func malformedRepliesGiveClearErrorsWithoutRetrying() throws {
        let cases: [(FakeHTTPServer.Response, (RemoteEmbeddingError) -> Bool)] = [
            (.text("<html>oops</html>"), { if case .malformedResponse(let reason) = $0 { reason == "the body is not JSON" } else { false } }),
            (.json(#"{"object":"list"}"#), { if case .malformedResponse(let reason) = $0 { reason.contains("'data' is missing") } else { false } }),
            (.json(#"{"data":[{"index":0,"embedding":"AAAA"}]}"#), { if case .malformedResponse(let reason) = $0 { reason.contains("data[0].embedding") } else { false } }),
            (.json(#"{"data":[]}"#), { $0 == .wrongCount(expected: 2, received: 0) }),
            (.json(#"{"data":[{"index":0,"embedding":[1,0,0,0]},{"index":1,"embedding":[1,0]}]}"#), { $0 == .wrongDimensions(expected: 4, received: 2, index: 1) }),
            (.json(#"{"data":[{"index":0,"embedding":[1,0,0,0]},{"index":0,"embedding":[1,0,0,0]}]}"#), { $0 == .malformedResponse("index 0 appears twice") }),
            (.json(#"{"data":[{"index":0,"embedding":[1,0,0,0]},{"index":5,"embedding":[1,0,0,0]}]}"#), { $0 == .malformedResponse("index 5 is outside 0..<2") }),
            (.json(#"{"data":[{"index":0,"embedding":[1,0,0,0]},{"index":1,"embedding":[0,0,0,0]}]}"#), { $0 == .invalidVector(index: 1) }),
        ]
        for (response, matches) in cases {
            let server = FakeHTTPServer { _ in response }
            try server.start()
            defer { server.stop() }
            do {
                _ = try Self.embedder(server).embed(texts: ["a", "b"], kind: .passage)
                Issue.record("no error for \(response.body)")
            } catch let error as RemoteEmbeddingError {
                #expect(matches(error), "\(error)")
            }
            #expect(server.requests.count == 1)
        }
    }

    @Test func errorIndicesCountFromTheCallersList() throws {
        let server = FakeHTTPServer { request in
            Self.success(request, vector: { $0 == "text-5" ? [1, 2] : Self.vector(for: $0) })
        }
        try server.start()
        defer { server.stop() }
        let embedder = try Self.embedder(server) { $0.batchSize = 4 }
        #expect(throws: RemoteEmbeddingError.wrongDimensions(expected: 4, received: 2, index: 5)) {
            try embedder.embed(texts: Self.inputs(8), kind: .passage)
        }
    }

    // MARK: - Configuration and pure parts

    @Test func invalidConfigurationIsRejectedAndTheKeyIsNeverPrinted() throws {
        var configuration = RemoteEmbedder.Configuration(baseURL: "http://x/v1", apiKey: Self.key, model: "m", dimensions: 4)
        #expect(!"\(configuration)".contains(Self.key))
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains(Self.key))
        configuration.batchSize = 0
        #expect(throws: RemoteEmbeddingError.invalidConfiguration("batchSize must be at least 1")) {
            try RemoteEmbedder(configuration: configuration)
        }
        configuration.batchSize = 1
        configuration.apiKey = "k\r\nX-Evil: 1"
        #expect(throws: RemoteEmbeddingError.invalidConfiguration("apiKey contains a line break")) {
            try RemoteEmbedder(configuration: configuration)
        }
    }

    @Test func retryAfterParsing() {
        let headers = { (values: [String: String]) in { (name: String) in values[name] } }
        #expect(RetryPolicy.retryAfter(headers: headers(["retry-after": " 3 "]), now: 0) == 3)
        #expect(RetryPolicy.retryAfter(headers: headers(["retry-after-ms": "250", "retry-after": "9"]), now: 0) == 0.25)
        #expect(RetryPolicy.retryAfter(headers: headers(["retry-after": "Sun, 06 Nov 1994 08:49:37 GMT"]), now: 784_111_767) == 10)
        #expect(RetryPolicy.retryAfter(headers: headers(["retry-after": "Sun, 06 Nov 1994 08:49:37 GMT"]), now: 784_111_800) == 0)
        #expect(RetryPolicy.retryAfter(headers: headers(["retry-after": "soon"]), now: 0) == nil)
        #expect(RetryPolicy.retryAfter(headers: headers(["retry-after": "-5"]), now: 0) == nil)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == nil)

        let policy = RetryPolicy(maxRetries: 4, initialBackoffSeconds: 0.5, maxBackoffSeconds: 20, maxRetryAfterSeconds: 60)
        #expect(policy.delay(afterAttempt: 0, retryAfter: nil, jitter: 0) == 0.25)
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, jitter: 1) == 4)
        #expect(policy.delay(afterAttempt: 40, retryAfter: nil, jitter: 1) == 20)
        #expect(policy.delay(afterAttempt: 0, retryAfter: 600, jitter: 0) == 60)
        #expect([408, 429, 500, 502, 503, 504].allSatisfy(RetryPolicy.isRetryable))
        #expect(![400, 401, 403, 404, 409, 422].contains(where: RetryPolicy.isRetryable))
    }

    // MARK: - The fake server itself

    @Test func fakeServerAnswersGarbageWith400AndKeepsServing() throws {
        let server = FakeHTTPServer { Self.success($0) }
        try server.start()
        defer { server.stop() }
        let port = try #require(Int(server.baseURL.split(separator: ":").last ?? ""))
        for garbage in ["NONSENSE\r\n\r\n", "GET /x HTTP/9\r\n\r\n", "POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
                        "POST / HTTP/1.1\r\nbad header\r\n\r\n"] {
            #expect(try Self.rawExchange(port: port, garbage).hasPrefix("HTTP/1.1 400 "), "\(garbage)")
        }
        let chunked = "POST /v1/embeddings?a=1&b=two%20words HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n"
        #expect(try Self.rawExchange(port: port, chunked).hasPrefix("HTTP/1.1 400 "))  // not an embeddings body
        let request = try #require(server.requests.first)
        #expect(server.requests.count == 1)
        #expect(request.text == "hello world")
        #expect(request.path == "/v1/embeddings")
        #expect(request.query == ["a": "1", "b": "two words"])
        #expect(request.header("Host") == "x")
    }

    @Test func fakeServerStreamsChunks() throws {
        let server = FakeHTTPServer { _ in
            .eventStream([.init("data: one\n\n"), .init(after: 0.05, "data: two\n\n"), .init(after: 0.05, "data: [DONE]\n\n")])
        }
        try server.start()
        defer { server.stop() }
        let port = try #require(Int(server.baseURL.split(separator: ":").last ?? ""))
        let reply = try Self.rawExchange(port: port, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(reply.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(reply.contains("Content-Type: text/event-stream\r\n"))
        #expect(reply.hasSuffix("\r\n\r\ndata: one\n\ndata: two\n\ndata: [DONE]\n\n"))
    }

    /// Writes raw bytes and reads until the server closes: exercises parsing HTTPClient never produces.
    static func rawExchange(port: Int, _ text: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            reply += buffer[..<count]
        }
        return String(decoding: reply, as: UTF8.self)
    }
}
