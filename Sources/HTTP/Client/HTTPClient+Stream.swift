extension HTTPClient {
    /// Limits for a streamed reply, which may legitimately take minutes but must not hang.
    public struct StreamTimeouts: Sendable {
        /// TCP and TLS set-up.
        public var connectSeconds: Double
        /// The whole exchange, a long answer included.
        public var totalSeconds: Double
        /// Longest silence allowed, before the first byte and between chunks: catches a server that
        /// accepted the request, maybe sent its headers, then stopped sending.
        public var idleSeconds: Double

        public init(connectSeconds: Double = 10, totalSeconds: Double = 300, idleSeconds: Double = 60) {
            self.connectSeconds = connectSeconds
            self.totalSeconds = totalSeconds
            self.idleSeconds = idleSeconds
        }
    }

    /// The status line and headers of a streamed reply, known before its first body byte.
    public struct StreamHead: Sendable {
        public let status: Int
        public let headers: [String: String]

        public func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    public struct StreamReply: Sendable {
        public let head: StreamHead
        /// False when `onBody` returned false and the transfer was cut short on purpose.
        public let completed: Bool
    }

    /// Sends a request and hands the reply's body to `onBody` chunk by chunk as curl receives it,
    /// with the reply's head (so error bodies can be told from the stream). `onBody` returns false
    /// to abort the transfer; that is not an error (`completed` is false). The buffer is only valid
    /// during the call.
    ///
    /// Throws `Failure` for transport problems: refused or reset connections, the connect or total
    /// timeout, and the idle timeout. A server that closes a close-delimited body early is not a
    /// transport error to curl; callers that expect a terminal event must check for it.
    public static func stream(method: String = "POST", url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                              timeouts: StreamTimeouts = StreamTimeouts(),
                              onBody: (StreamHead, UnsafeRawBufferPointer) -> Bool) throws -> StreamReply {
        try withoutActuallyEscaping(onBody) { onBody in
            let sink = TransferSink { sink, bytes in
                onBody(StreamHead(status: sink.status, headers: sink.headers), bytes)
            }
            try CurlTransfer.perform(
                method: method, url: url, headers: headers, body: body,
                timeouts: .init(connectSeconds: timeouts.connectSeconds, totalSeconds: timeouts.totalSeconds,
                                idleSeconds: timeouts.idleSeconds),
                sink: sink)
            return StreamReply(head: StreamHead(status: sink.status, headers: sink.headers), completed: !sink.stoppedByReceiver)
        }
    }
}
