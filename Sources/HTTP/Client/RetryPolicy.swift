import Glibc

/// When and how long to wait before retrying a remote call (embedding and LLM providers share it).
/// Pure, so tests check the arithmetic without sleeping; callers sleep through an injected
/// `Sleeper` so tests record the delays instead of waiting them out.
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt.
    public var maxRetries: Int
    /// Backoff before retry n (from 0) is `initialBackoffSeconds * 2^n`, capped at
    /// `maxBackoffSeconds`, then jittered down by up to half.
    public var initialBackoffSeconds: Double
    public var maxBackoffSeconds: Double
    /// Ceiling on a server's `Retry-After`: a provider asking for an hour should fail the request
    /// now rather than hold a worker thread that long.
    public var maxRetryAfterSeconds: Double

    public init(maxRetries: Int, initialBackoffSeconds: Double, maxBackoffSeconds: Double, maxRetryAfterSeconds: Double) {
        self.maxRetries = maxRetries
        self.initialBackoffSeconds = initialBackoffSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
        self.maxRetryAfterSeconds = maxRetryAfterSeconds
    }

    /// Blocks the calling thread for the given seconds.
    public typealias Sleeper = @Sendable (_ seconds: Double) -> Void

    /// `nanosleep`, resumed after signal interruptions.
    public static let systemSleep: Sleeper = { seconds in
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.towardZero)) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    /// Wall-clock seconds since 1970, only used to turn an HTTP-date `Retry-After` into a delay.
    public static let systemNow: @Sendable () -> Double = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// 429 (rate limit), 408 (request timeout) and 5xx are transient by definition; any other 4xx
    /// describes the request itself and would fail identically again.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || status == 408 || (500...599).contains(status)
    }

    /// Seconds to wait after failed attempt `attempt` (from 0). A server's hint wins, capped;
    /// otherwise exponential backoff with "equal jitter": a random point in the upper half of the
    /// window, so retries spread out yet never collapse to zero. `jitter` is in 0...1.
    public func delay(afterAttempt attempt: Int, retryAfter: Double?, jitter: Double) -> Double {
        if let retryAfter { return min(max(retryAfter, 0), maxRetryAfterSeconds) }
        var window = initialBackoffSeconds
        for _ in 0..<min(attempt, 32) { window *= 2 }
        window = min(window, maxBackoffSeconds)
        return window * (0.5 + 0.5 * min(max(jitter, 0), 1))
    }

    /// The server's wait hint from a reply's headers, in seconds. OpenAI and Azure also send
    /// `retry-after-ms`, which is more precise, so it is preferred; `Retry-After` may be delta
    /// seconds or an HTTP-date (RFC 9110 §10.2.3).
    public static func retryAfter(headers: (String) -> String?, now: Double) -> Double? {
        if let milliseconds = headers("retry-after-ms").flatMap({ Double($0.trimmed) }), milliseconds.isFinite, milliseconds >= 0 {
            return milliseconds / 1000
        }
        guard let value = headers("retry-after")?.trimmed, !value.isEmpty else { return nil }
        if let seconds = Double(value) { return seconds.isFinite && seconds >= 0 ? seconds : nil }
        return HTTPDate.parse(value).map { max($0 - now, 0) }
    }
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the only HTTP-date form senders may generate
/// (RFC 9110 §5.6.7); the obsolete forms yield nil and the caller falls back to its own backoff.
public enum HTTPDate {
    public static func parse(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
              let day = Int(parts[1]), (1...31).contains(day),
              let month = months.firstIndex(of: String(parts[2])).map({ $0 + 1 }),
              let year = Int(parts[3]), year >= 1970 else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86_400 + hour * 3_600 + minute * 60 + second)
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm),
    /// avoiding a calendar dependency for one header.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

private extension String {
    var trimmed: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
