import Glibc

/// One JSON object per request on stderr (journald keeps it). Carries ids, route template, status
/// and duration; never headers, bodies, keys or query strings, which may hold secrets or PII.
public struct RequestLog: Sendable {
    public var time: String
    public var requestID: String
    public var tenantID: String?
    public var method: String
    public var route: String
    public var status: Int
    public var durationMilliseconds: Double
    public var error: String?

    public init(time: String, requestID: String, tenantID: String?, method: String, route: String,
                status: Int, durationMilliseconds: Double, error: String? = nil) {
        self.time = time
        self.requestID = requestID
        self.tenantID = tenantID
        self.method = method
        self.route = route
        self.status = status
        self.durationMilliseconds = durationMilliseconds
        self.error = error
    }

    /// Written straight to bytes (no JSON tree): one of these is built for every request.
    public var line: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        func key(_ name: String, first: Bool = false) {
            out += (first ? "{\"" : ",\"").utf8
            out += name.utf8
            out += "\":".utf8
        }
        key("time", first: true); JSONValue.writeString(time, to: &out)
        key("level"); JSONValue.writeString(status >= 500 ? "error" : "info", to: &out)
        key("request_id"); JSONValue.writeString(requestID, to: &out)
        key("tenant_id")
        if let tenantID { JSONValue.writeString(tenantID, to: &out) } else { out += "null".utf8 }
        key("method"); JSONValue.writeString(method, to: &out)
        key("route"); JSONValue.writeString(route, to: &out)
        key("status"); out += String(status).utf8
        key("duration_ms"); out += JSONValue.number((durationMilliseconds * 1000).rounded() / 1000).serialized()
        if let error { key("error"); JSONValue.writeString(error, to: &out) }
        out += "}\n".utf8
        return out
    }
}

/// Timestamps for logs without Foundation's formatters: RFC 3339 UTC with milliseconds.
public enum Clock {
    public static func nowSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    public static func rfc3339(_ seconds: Double = nowSeconds()) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let millis = Int((seconds - Double(Int(seconds))) * 1000)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }
}

/// Batches one thread's log lines into few write(2) calls: a write per request was a visible
/// share of a small request's cost. Lines stay whole and in order; the batch goes out when it
/// nears 4 KiB (below PIPE_BUF, so a write to journald's pipe is never interleaved with another
/// thread's), when its oldest line is 100 ms old, and when the thread is idle or ends (`flush`).
/// The price: a worker killed by SIGKILL loses at most that much of its log.
/// Not Sendable: one per thread.
public final class LogBuffer {
    static let byteLimit = 3584
    static let maxAgeSeconds = 0.1

    private let fd: Int32
    private var bytes: [UInt8] = []
    private var oldest = 0.0

    /// `fd`: where lines go (stderr, which systemd hands to journald).
    public init(fd: Int32 = 2) {
        self.fd = fd
        bytes.reserveCapacity(4096)
    }

    deinit { flush() }

    public func append(_ line: [UInt8], now: Double) {
        if !bytes.isEmpty, bytes.count + line.count > Self.byteLimit { flush() }
        if bytes.isEmpty { oldest = now }
        bytes += line
        if bytes.count >= Self.byteLimit || now - oldest >= Self.maxAgeSeconds { flush() }
    }

    public func flush() {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { break }  // stderr is gone; nothing better to do with logs
                offset += written
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
