internal import CCurl

/// One request on one curl easy handle, shared by the buffered `HTTPClient.send` and the streaming
/// `HTTPClient.stream`: they differ only in what they do with body bytes, which is the sink's job.
///
/// Ownership: `perform` creates the handle and the header `curl_slist` and frees both before it
/// returns, on every path; the sink is lent to curl's callbacks through `Unmanaged` for exactly
/// that span. Nothing outlives the call, so concurrent calls on different threads share no state.
enum CurlTransfer {
    struct Timeouts {
        /// Connection set-up (DNS, TCP, TLS); nil leaves curl's default (300 s).
        var connectSeconds: Double?
        /// The whole exchange, body included.
        var totalSeconds: Double
        /// Abort when no body byte has arrived for this long (counted from the request being sent,
        /// then from each received chunk): a server that sent its headers then hung. nil: no limit.
        var idleSeconds: Double?
    }

    /// `curl_global_init` is not thread-safe; a lazily initialised global runs it exactly once.
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Runs the request; body bytes go to `sink.receive` as curl hands them over. Returns normally
    /// when the server's reply was read to its end or when the sink's receiver stopped it
    /// (`sink.stoppedByReceiver`); throws for transport failures, timeouts included.
    /// `localAddress`: the source IP to send from (tests use 127.0.0.x to appear as distinct
    /// clients to per-IP rate limits); nil lets the kernel choose.
    static func perform(method: String, url: String, headers: [(String, String)], body: [UInt8]?,
                        timeouts: Timeouts, localAddress: String? = nil, sink: TransferSink) throws(HTTPClient.Failure) {
        guard initialized, let handle = curl_easy_init() else { throw HTTPClient.Failure(description: "libcurl could not start") }
        defer { curl_easy_cleanup(handle) }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers { list = curl_slist_append(list, "\(name): \(value)") }
        // An empty Expect stops curl from waiting for `100 Continue` on larger bodies, unless the
        // caller asks for that handshake (to be refused before sending a large body).
        if !headers.contains(where: { $0.0.lowercased() == "expect" }) { list = curl_slist_append(list, "Expect:") }
        defer { curl_slist_free_all(list) }

        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }
        _ = parley_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = parley_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        _ = parley_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds(timeouts.totalSeconds))
        if let connect = timeouts.connectSeconds {
            _ = parley_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(connect))
        }
        _ = parley_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)  // no SIGALRM in a threaded server
        // "host!": an address, never an interface name to look up.
        if let localAddress { _ = parley_curl_setopt_string(handle, CURLOPT_INTERFACE, "host!" + localAddress) }
        _ = parley_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        if method == "HEAD" { _ = parley_curl_setopt_long(handle, CURLOPT_NOBODY, 1) }
        _ = parley_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, unmanaged.toOpaque())
        _ = parley_curl_setopt_write_function(handle) { data, size, count, user in
            guard let data, let user else { return 0 }
            let sink = Unmanaged<TransferSink>.fromOpaque(user).takeUnretainedValue()
            let length = size * count
            // Returning less than `length` makes curl abort with CURLE_WRITE_ERROR.
            return sink.deliver(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
        }
        _ = parley_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, unmanaged.toOpaque())
        _ = parley_curl_setopt_header_function(handle) { data, size, count, user in
            guard let data, let user else { return 0 }
            let sink = Unmanaged<TransferSink>.fromOpaque(user).takeUnretainedValue()
            sink.addHeaderLine(String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self))
            return size * count
        }
        if let idle = timeouts.idleSeconds {
            // CURLOPT_LOW_SPEED_TIME counts whole seconds; the progress callback allows finer limits.
            sink.idleLimit = .milliseconds(milliseconds(idle))
            _ = parley_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
            _ = parley_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, unmanaged.toOpaque())
            _ = parley_curl_setopt_xferinfo_function(handle) { user, _, _, _, _ in
                guard let user else { return 0 }
                return Unmanaged<TransferSink>.fromOpaque(user).takeUnretainedValue().idleExpired() ? 1 : 0
            }
        }

        sink.markActivity()
        let code: CURLcode = (body ?? []).withUnsafeBufferPointer { buffer in
            if body != nil {
                _ = parley_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, buffer.count)
                _ = parley_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)))
            }
            return curl_easy_perform(handle)
        }
        if code == CURLE_WRITE_ERROR && sink.stoppedByReceiver { return }
        if code == CURLE_ABORTED_BY_CALLBACK && sink.idleTimedOut {
            throw HTTPClient.Failure(description: "\(method) \(url): timed out, no data for \(timeouts.idleSeconds ?? 0) s")
        }
        guard code == CURLE_OK else {
            throw HTTPClient.Failure(description: "\(method) \(url): \(String(cString: curl_easy_strerror(code)))")
        }
        var status = 0
        _ = parley_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        sink.status = status
    }

    private static func milliseconds(_ seconds: Double) -> Int {
        max(1, Int((seconds * 1000).rounded(.up)))
    }
}

/// What one transfer received: the final response's status and headers, and body bytes handed to
/// `receive` as they arrive. Header lines of earlier responses (redirects, 100 Continue) are
/// discarded when a new status line starts. Used by one transfer on one thread.
final class TransferSink {
    private(set) var headers: [String: String] = [:]
    /// From the status line while receiving; confirmed by curl after the transfer.
    fileprivate(set) var status = 0
    private(set) var stoppedByReceiver = false
    private(set) var idleTimedOut = false
    fileprivate var idleLimit: Duration?
    private var lastActivity = ContinuousClock.now
    /// Returns false to stop the transfer.
    private let receive: (TransferSink, UnsafeRawBufferPointer) -> Bool

    init(receive: @escaping (TransferSink, UnsafeRawBufferPointer) -> Bool) {
        self.receive = receive
    }

    fileprivate func deliver(_ bytes: UnsafeRawBufferPointer) -> Bool {
        markActivity()
        guard receive(self, bytes) else {
            stoppedByReceiver = true
            return false
        }
        return true
    }

    fileprivate func markActivity() { lastActivity = .now }

    fileprivate func idleExpired() -> Bool {
        guard let idleLimit, ContinuousClock.now - lastActivity > idleLimit else { return false }
        idleTimedOut = true
        return true
    }

    fileprivate func addHeaderLine(_ line: String) {
        markActivity()
        if line.hasPrefix("HTTP/") {
            headers = [:]
            let fields = line.split(separator: " ", maxSplits: 2)
            status = fields.count > 1 ? Int(fields[1]) ?? 0 : 0
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t\r\n")
        headers[name] = value
    }
}

private extension Substring {
    func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
