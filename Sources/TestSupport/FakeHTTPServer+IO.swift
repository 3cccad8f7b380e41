internal import Glibc

/// The request head and body as read off the socket, before the server numbers it.
struct ParsedRequest {
    var method: String
    var target: String
    var headers: [String: String]
    var body: [UInt8]
}

enum ReadFailure: Error {
    /// The peer closed or timed out before a full request: nothing worth answering.
    case closed
    case invalid(status: Int, reason: String)
}

/// Buffered reads of one HTTP/1.1 request: head lines, then a `Content-Length` or chunked body.
struct ConnectionReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var position = 0

    init(fd: Int32) { self.fd = fd }

    mutating func readRequest() throws(ReadFailure) -> ParsedRequest {
        var headBytes = 0
        var requestLine = try line(limit: FakeHTTPServer.maxHeaderBytes)
        // RFC 9112 §2.2: a server should ignore empty lines before the request line.
        while requestLine.isEmpty { requestLine = try line(limit: FakeHTTPServer.maxHeaderBytes) }
        headBytes += requestLine.utf8.count
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isUppercase || $0 == "-" }),
              parts[1].hasPrefix("/") || parts[1] == "*", parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else {
            throw .invalid(status: 400, reason: "malformed request line")
        }
        var headers: [String: String] = [:]
        while true {
            let header = try line(limit: FakeHTTPServer.maxHeaderBytes - headBytes)
            headBytes += header.utf8.count + 2
            if header.isEmpty { break }
            guard let colon = header.firstIndex(of: ":"), colon != header.startIndex,
                  !header[..<colon].contains(where: { $0 == " " || $0 == "\t" }) else {
                throw .invalid(status: 400, reason: "malformed header line")
            }
            let name = header[..<colon].lowercased()
            let value = String(header[header.index(after: colon)...].drop { $0 == " " || $0 == "\t" }.reversed()
                .drop { $0 == " " || $0 == "\t" }.reversed())
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        let body: [UInt8]
        if let encoding = headers["transfer-encoding"] {
            guard encoding.lowercased() == "chunked" else { throw .invalid(status: 501, reason: "unsupported transfer-encoding") }
            guard headers["content-length"] == nil else { throw .invalid(status: 400, reason: "both content-length and chunked") }
            body = try chunkedBody()
        } else if let length = headers["content-length"] {
            guard let count = Int(length), count >= 0, !length.contains(",") else {
                throw .invalid(status: 400, reason: "invalid content-length")
            }
            guard count <= FakeHTTPServer.maxBodyBytes else { throw .invalid(status: 413, reason: "body too large") }
            body = try bytes(count)
        } else {
            body = []
        }
        return ParsedRequest(method: String(parts[0]), target: String(parts[1]), headers: headers, body: body)
    }

    private mutating func chunkedBody() throws(ReadFailure) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = try line(limit: 1024)
            let hex = sizeLine.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces } ?? ""
            guard let size = Int(hex, radix: 16), size >= 0 else { throw .invalid(status: 400, reason: "malformed chunk size") }
            if size == 0 { break }
            guard body.count + size <= FakeHTTPServer.maxBodyBytes else { throw .invalid(status: 413, reason: "body too large") }
            body += try bytes(size)
            guard try line(limit: 2).isEmpty else { throw .invalid(status: 400, reason: "chunk not followed by CRLF") }
        }
        // Trailer fields are read and dropped.
        while try !line(limit: FakeHTTPServer.maxHeaderBytes).isEmpty {}
        return body
    }

    /// One line without its CRLF (a bare LF is accepted too, as RFC 9112 allows).
    private mutating func line(limit: Int) throws(ReadFailure) -> String {
        var start = position
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > position && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                guard end - position <= limit else { throw .invalid(status: 431, reason: "header too large") }
                let text = String(decoding: buffer[position..<end], as: UTF8.self)
                position = newline + 1
                return text
            }
            guard buffer.count - position <= limit else { throw .invalid(status: 431, reason: "header too large") }
            start = buffer.count
            try fill()
        }
    }

    private mutating func bytes(_ count: Int) throws(ReadFailure) -> [UInt8] {
        while buffer.count - position < count { try fill() }
        defer { position += count }
        return Array(buffer[position..<position + count])
    }

    private mutating func fill() throws(ReadFailure) {
        if position > 0 && position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard received > 0 else { throw .closed }
        buffer += chunk[..<received]
    }
}

private extension Substring {
    var trimmingSpaces: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}

/// Serialises a `FakeHTTPServer.Response`. Writes use MSG_NOSIGNAL: a client that gave up (a
/// timeout test) must cost a failed write, not a SIGPIPE that kills the test process.
enum ResponseWriter {
    static func write(_ response: FakeHTTPServer.Response, to fd: Int32) {
        if response.delaySeconds > 0 { sleep(seconds: response.delaySeconds) }
        var head = "HTTP/1.1 \(response.status) \(reason(response.status))\r\n"
        var hasLength = false
        for (name, value) in response.headers {
            // CR/LF in a fake's header would split the response; drop them rather than crash.
            let clean = value.filter { $0 != "\r" && $0 != "\n" }
            if name.lowercased() == "content-length" { hasLength = true }
            if name.lowercased() == "connection" { continue }
            head += "\(name): \(clean)\r\n"
        }
        switch response.body {
        case .hangUp:
            return
        case .bytes(let body):
            if !hasLength { head += "Content-Length: \(body.count)\r\n" }
            head += "Connection: close\r\n\r\n"
            _ = send(Array(head.utf8) + body, to: fd)
        case .stream(let chunks):
            head += "Connection: close\r\n\r\n"
            guard send(Array(head.utf8), to: fd) else { return }
            for chunk in chunks {
                if chunk.delaySeconds > 0 { sleep(seconds: chunk.delaySeconds) }
                guard send(chunk.bytes, to: fd) else { return }
            }
            switch response.streamEnd {
            case .close: break
            case .reset:
                // Linger 0 turns the caller's close() into an RST instead of a FIN.
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                return
            case .hang(let seconds): waitForPeerClose(fd, upTo: seconds)
            }
        }
        // Half-close so the client sees the end of a close-delimited body before the fd goes away.
        shutdown(fd, Int32(SHUT_WR))
    }

    static func send(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// Silence on an open connection: returns when the peer closes or after `seconds`, so a client
    /// that times out frees this thread at once.
    static func waitForPeerClose(_ fd: Int32, upTo seconds: Double) {
        var remaining = Int(seconds * 1000)
        var scratch = [UInt8](repeating: 0, count: 4096)
        while remaining > 0 {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let step = min(remaining, 50)
            remaining -= step
            guard poll(&poller, 1, Int32(step)) > 0 else { continue }
            let count = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return }
        }
    }

    static func sleep(seconds: Double) {
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }
}
