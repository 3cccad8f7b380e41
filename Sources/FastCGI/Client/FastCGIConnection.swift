import Glibc

/// A client connection to a FastCGI application over a unix socket: for `parley doctor`'s probe
/// and for tests that must see exactly what nginx would.
///
/// Owns its socket and closes it in `close()` or `deinit`. Not Sendable: one thread drives it.
/// Requests are sent one at a time (no multiplexing, like nginx). Every blocking step waits at
/// most `timeout` seconds, so a wedged application cannot hang a health probe.
public final class FastCGIConnection {
    public enum Event: Equatable, Sendable {
        case stdout([UInt8])
        case stderr([UInt8])
        case end(appStatus: UInt32, protocolStatus: UInt8)
    }

    public var timeout: Double
    private var fd: Int32
    private var decoder = FastCGIRecordDecoder()
    private var requestID: UInt16 = 1

    public init(socketPath: String, timeout: Double) throws(FastCGIClientError) {
        self.timeout = timeout
        guard let unix = unixAddress(socketPath) else { throw .socketPathTooLong(socketPath) }
        var address = unix.0
        let length = unix.1
        let socketFD = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketFD >= 0 else { throw .io(call: "socket", code: errno) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, length) }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(socketFD)
            throw .connectFailed(path: socketPath, code: code)
        }
        // Non-blocking so that every wait goes through poll() with our deadline.
        let flags = fcntl(socketFD, F_GETFL)
        _ = fcntl(socketFD, F_SETFL, flags | O_NONBLOCK)
        fd = socketFD
    }

    deinit { close() }

    public func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    /// Sends BEGIN_REQUEST, PARAMS and STDIN. With `keepConnection` the application keeps the
    /// connection for the next request (nginx's `fastcgi_keep_conn on`).
    public func send(params: [(String, String)], body: [UInt8], keepConnection: Bool) throws(FastCGIClientError) {
        var bytes: [UInt8] = []
        FastCGIRecord.beginRequest(requestID: requestID, keepConnection: keepConnection).encode(into: &bytes)
        let paramBytes = FastCGIRecord.encodeNameValuePairs(params)
        for record in FastCGIRecord.stream(.params, requestID: requestID, bytes: paramBytes) {
            record.encode(into: &bytes)
        }
        for record in FastCGIRecord.stream(.stdin, requestID: requestID, bytes: body) {
            record.encode(into: &bytes)
        }
        try writeAll(bytes, deadline: monotonicNow() + timeout)
    }

    /// The next STDOUT/STDERR chunk or the END_REQUEST of the current request. Empty stream
    /// terminators are skipped; records of other request ids are ignored.
    public func nextEvent() throws(FastCGIClientError) -> Event {
        let deadline = monotonicNow() + timeout
        while true {
            let record: FastCGIRecord?
            do { record = try decoder.nextRecord() } catch { throw .protocolError(error) }
            if let record {
                guard record.requestID == requestID else { continue }
                switch record.type {
                case .stdout where !record.content.isEmpty: return .stdout(record.content)
                case .stderr where !record.content.isEmpty: return .stderr(record.content)
                case .endRequest:
                    do {
                        let (appStatus, protocolStatus) = try record.endRequestBody()
                        return .end(appStatus: appStatus, protocolStatus: protocolStatus)
                    } catch {
                        throw .protocolError(error)
                    }
                default: continue
                }
            }
            try readMore(deadline: deadline)
        }
    }

    /// Reads events until END_REQUEST and parses the CGI output.
    public func readResponse(maxBytes: Int = 16 << 20) throws(FastCGIClientError) -> FastCGIResponse {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        while true {
            switch try nextEvent() {
            case .stdout(let bytes):
                stdout += bytes
                if stdout.count > maxBytes { throw .responseTooLarge(limit: maxBytes) }
            case .stderr(let bytes):
                if stderr.count < maxBytes { stderr += bytes }
            case .end(let appStatus, let protocolStatus):
                // 0 is FCGI_REQUEST_COMPLETE.
                guard protocolStatus == 0 else { throw .requestRejected(protocolStatus: protocolStatus) }
                return try FastCGIResponse.parse(stdout: stdout, stderr: stderr, appStatus: appStatus)
            }
        }
    }

    /// True when the application has closed its side (what a worker does after a request sent
    /// without KEEP_CONN). Waits up to `timeout`.
    public func waitForClose() -> Bool {
        let deadline = monotonicNow() + timeout
        while true {
            do { try readMore(deadline: deadline) } catch { return error == .connectionClosed }
        }
    }

    private func readMore(deadline: Double) throws(FastCGIClientError) {
        guard fd >= 0 else { throw .connectionClosed }
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                decoder.feed(chunk[0..<count])
                return
            }
            if count == 0 { throw .connectionClosed }
            let code = errno
            if code == EINTR { continue }
            guard code == EAGAIN || code == EWOULDBLOCK else { throw .io(call: "read", code: code) }
            try wait(for: Int16(POLLIN), deadline: deadline)
        }
    }

    private func writeAll(_ bytes: [UInt8], deadline: Double) throws(FastCGIClientError) {
        guard fd >= 0 else { throw .connectionClosed }
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { raw in
                // MSG_NOSIGNAL: a closed peer must give EPIPE, not kill a probe with SIGPIPE.
                Glibc.send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                offset += count
                continue
            }
            let code = errno
            if code == EINTR { continue }
            if code == EPIPE || code == ECONNRESET { throw .connectionClosed }
            guard code == EAGAIN || code == EWOULDBLOCK else { throw .io(call: "send", code: code) }
            try wait(for: Int16(POLLOUT), deadline: deadline)
        }
    }

    private func wait(for events: Int16, deadline: Double) throws(FastCGIClientError) {
        let now = monotonicNow()
        guard now < deadline else { throw .timedOut }
        var entry = pollfd(fd: fd, events: events, revents: 0)
        let ready = poll(&entry, 1, pollTimeout(until: deadline, now: now))
        if ready == 0 { throw .timedOut }
        if ready < 0 && errno != EINTR { throw .io(call: "poll", code: errno) }
    }
}

/// One request on a fresh connection, without KEEP_CONN: what `parley doctor` uses to probe a
/// running pool. `timeout` bounds each wait (connect is immediate on a unix socket).
public func fastCGIRoundTrip(
    socketPath: String, params: [(String, String)], body: [UInt8], timeout: Double
) throws(FastCGIClientError) -> FastCGIResponse {
    let connection = try FastCGIConnection(socketPath: socketPath, timeout: timeout)
    defer { connection.close() }
    var allParams = params
    if !body.isEmpty && !params.contains(where: { $0.0 == "CONTENT_LENGTH" }) {
        allParams.append(("CONTENT_LENGTH", String(body.count)))
    }
    try connection.send(params: allParams, body: body, keepConnection: false)
    return try connection.readResponse()
}
