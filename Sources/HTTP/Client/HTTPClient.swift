/// Outbound HTTP through libcurl: one blocking request per call, on the calling thread.
///
/// Thread rule: an easy handle is created and cleaned up inside each call (`CurlTransfer`), so calls
/// from different threads never share curl state.
public enum HTTPClient {
    public struct Reply: Sendable {
        public let status: Int
        public let headers: [String: String]
        public let body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Performs a request. `maxResponseBytes` bounds memory against a hostile or broken server;
    /// `localAddress` picks the source IP (nil: the kernel's choice).
    public static func send(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                            timeoutSeconds: Double = 10, maxResponseBytes: Int = 16 * 1024 * 1024,
                            localAddress: String? = nil) throws -> Reply {
        var received: [UInt8] = []
        let sink = TransferSink { _, bytes in
            guard received.count + bytes.count <= maxResponseBytes else { return false }
            received += bytes
            return true
        }
        try CurlTransfer.perform(method: method, url: url, headers: headers, body: body,
                                 timeouts: .init(connectSeconds: nil, totalSeconds: timeoutSeconds, idleSeconds: nil),
                                 localAddress: localAddress, sink: sink)
        if sink.stoppedByReceiver {
            throw Failure(description: "\(method) \(url): the response exceeds \(maxResponseBytes) bytes")
        }
        return Reply(status: sink.status, headers: sink.headers, body: received)
    }
}
