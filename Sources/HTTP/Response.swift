/// What a handler returns. Most responses are a complete body; streaming responses (server-sent
/// events) get a writer they push to and flush as data becomes available.
public struct Response: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Called once on the worker thread with a writer; nginx must not buffer, so the response
        /// carries `X-Accel-Buffering: no`.
        case stream(@Sendable (BodyWriter) -> Void)
    }

    public var status: Int
    public var headers: [(String, String)]
    public var body: Body

    public init(status: Int, headers: [(String, String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { Self.sameName($0.0, name) }?.1
    }

    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { Self.sameName($0.0, name) }
        headers.append((name, value))
    }

    /// Header names compare case-insensitively (ASCII), without allocating lower-cased copies:
    /// every response goes through here.
    static func sameName(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { x, y in
            x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= UInt8(ascii: "a") && (x | 0x20) <= UInt8(ascii: "z"))
        }
    }

    public var bodyBytes: [UInt8] {
        if case .bytes(let bytes) = body { return bytes }
        return []
    }

    public static func text(_ text: String, status: Int = 200) -> Response {
        Response(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: .bytes(Array(text.utf8)))
    }

    public static func noContent() -> Response { Response(status: 204) }

    /// A `text/event-stream` response. The producer runs after the head is sent.
    public static func eventStream(_ produce: @escaping @Sendable (BodyWriter) -> Void) -> Response {
        Response(status: 200, headers: [
            ("Content-Type", "text/event-stream; charset=utf-8"),
            ("Cache-Control", "no-cache"),
            ("X-Accel-Buffering", "no"),
        ], body: .stream(produce))
    }
}

/// The sink a streaming body writes to. Implemented over the FastCGI exchange in production and over
/// a buffer in socket-free tests.
public protocol BodyWriter: AnyObject {
    /// False once the client has gone away: producers should stop.
    @discardableResult func write(_ bytes: [UInt8]) -> Bool
    @discardableResult func flush() -> Bool
}

extension BodyWriter {
    /// One server-sent event. Multi-line data is split into several `data:` lines as the spec requires.
    @discardableResult
    public func sendEvent(_ data: String, event: String? = nil, id: String? = nil) -> Bool {
        var frame = ""
        if let event { frame += "event: \(event)\n" }
        if let id { frame += "id: \(id)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { frame += "data: \(line)\n" }
        frame += "\n"
        return write(Array(frame.utf8)) && flush()
    }
}
