internal import HTTP

extension FakeHTTPServer {
    /// One parsed request as the handler and the test's assertions see it.
    public struct Request: Sendable {
        /// Arrival order, from 0: lets a handler fail the first N attempts without its own counter.
        public let index: Int
        public let method: String
        /// The request target as sent, e.g. `/v1/embeddings?x=1`.
        public let target: String
        public let path: String
        /// The raw query string (without `?`), and its decoded form.
        public let rawQuery: String
        public let query: [String: String]
        /// Header names lower-cased; a repeated header keeps its values joined by ", ".
        public let headers: [String: String]
        public let body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? { headers[name.lowercased()] }

        init(index: Int, parsed: ParsedRequest) {
            self.index = index
            method = parsed.method
            target = parsed.target
            let parts = parsed.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            path = String(parts[0])
            rawQuery = parts.count > 1 ? String(parts[1]) : ""
            query = QueryString.parse(rawQuery)
            headers = parsed.headers
            body = parsed.body
        }
    }

    /// What the handler answers. `Connection: close` is always added; `Content-Length` is added for
    /// `.bytes` bodies unless the handler set one.
    public struct Response: Sendable {
        public enum Body: Sendable {
            case bytes([UInt8])
            /// Written piece by piece after each delay, the body ending when the connection closes:
            /// enough for Server-Sent Events fakes and for provoking read timeouts mid-body.
            case stream([Chunk])
            /// Closes the connection without writing anything: a transport failure for the client.
            case hangUp
        }

        public struct Chunk: Sendable {
            public var delaySeconds: Double
            public var bytes: [UInt8]
            public init(after delaySeconds: Double = 0, _ text: String) {
                self.delaySeconds = delaySeconds
                bytes = Array(text.utf8)
            }
            public init(after delaySeconds: Double = 0, bytes: [UInt8]) {
                self.delaySeconds = delaySeconds
                self.bytes = bytes
            }
        }

        /// How a `.stream` body ends, after its last chunk.
        public enum StreamEnd: Sendable {
            /// Half-close then close: a clean end of a close-delimited body.
            case close
            /// Close with a TCP reset (SO_LINGER 0): the connection dropped mid-stream, which the
            /// client sees as a receive error rather than an end of body.
            case reset
            /// Keep the connection open and silent for this long (or until the client gives up),
            /// then close: a hung upstream, for idle-timeout tests.
            case hang(seconds: Double)
        }

        public var status: Int
        public var headers: [(String, String)]
        public var body: Body
        /// Seconds the writer waits before sending anything (a slow upstream).
        public var delaySeconds: Double
        public var streamEnd: StreamEnd

        public init(status: Int = 200, headers: [(String, String)] = [], body: Body = .bytes([]), delaySeconds: Double = 0,
                    streamEnd: StreamEnd = .close) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delaySeconds = delaySeconds
            self.streamEnd = streamEnd
        }

        public static func json(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> Response {
            Response(status: status, headers: [("Content-Type", "application/json")] + headers, body: .bytes(Array(text.utf8)))
        }

        public static func text(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> Response {
            Response(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")] + headers, body: .bytes(Array(text.utf8)))
        }

        /// `text/event-stream` with the given chunks, e.g. `Chunk(after: 0.05, "data: {...}\n\n")`.
        public static func eventStream(_ chunks: [Chunk], status: Int = 200, headers: [(String, String)] = [],
                                       end: StreamEnd = .close) -> Response {
            Response(status: status, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")] + headers,
                     body: .stream(chunks), streamEnd: end)
        }

        public static let hangUp = Response(body: .hangUp)
    }
}
