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

    public var line: [UInt8] {
        var members: [(String, JSONValue)] = [
            ("time", .string(time)), ("level", .string(status >= 500 ? "error" : "info")),
            ("request_id", .string(requestID)),
            ("tenant_id", tenantID.map { .string($0) } ?? .null),
            ("method", .string(method)), ("route", .string(route)), ("status", .number(Double(status))),
            ("duration_ms", .number((durationMilliseconds * 1000).rounded() / 1000)),
        ]
        if let error { members.append(("error", .string(error))) }
        return JSONValue.object(members).serialized() + [0x0a]
    }

    /// A single write(2) per line, so lines from concurrent threads and processes never interleave.
    public func emit() {
        let bytes = line
        bytes.withUnsafeBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
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
