internal import CFCGI
import Glibc

/// What the app implements: one instance per worker thread, created on that thread by the
/// `makeResponder` closure, so it may own per-thread resources (a database connection, a curl
/// handle) without locks.
public protocol Responder: AnyObject {
    /// Handle one request. Write a head (`writeHead`) and body; returning without a head makes
    /// the worker send a plain 500, so nginx never sees an empty response.
    func respond(to exchange: Exchange)
    /// Called on the responder's thread when it has had nothing to do for a moment, and once more
    /// before the thread ends: the time to flush whatever it batches (e.g. log lines).
    func idle()
}

extension Responder {
    public func idle() {}
}

/// How `Exchange.readBody(limit:)` went.
public enum BodyRead: Equatable, Sendable {
    case body([UInt8])
    /// The declared or streamed length is over the limit; the caller answers 413.
    case tooLarge
    /// The body is shorter than CONTENT_LENGTH, CONTENT_LENGTH is not a number, the connection
    /// failed, or the body was already read.
    case failed
}

/// One request and its response stream, valid only inside `Responder.respond(to:)`.
///
/// Borrows the thread's libfcgi request (`FCGX_Request`) and never owns it: after `respond`
/// returns, the worker finishes the request and every method here becomes a no-op (writes return
/// false), so a reference kept by mistake cannot write into the next request. Not Sendable: it
/// belongs to the worker thread that accepted the request.
public final class Exchange {
    private let request: UnsafeMutablePointer<FCGX_Request>
    private let control: WorkerControl
    private var isValid = true
    private var outputFailed = false
    private var bodyConsumed = false
    private var stdinAtEOF = false
    private var cachedParams: [String: String]?

    /// Whether the head has been written (by `writeHead`, or implicitly by the first `write`).
    public private(set) var headWritten = false

    init(request: UnsafeMutablePointer<FCGX_Request>, control: WorkerControl) {
        self.request = request
        self.control = control
    }

    /// All CGI parameters nginx sent (REQUEST_METHOD, DOCUMENT_URI, QUERY_STRING, HTTP_*...).
    /// Built on first use; `param(_:)` is cheaper for a single lookup.
    public var params: [String: String] {
        if let cachedParams { return cachedParams }
        var result: [String: String] = [:]
        if isValid, var cursor = request.pointee.envp {
            result.reserveCapacity(32)
            while let entry = cursor.pointee {
                // Split at the first '=' on the bytes: this runs for every parameter of every
                // request, and Character-level searching showed up in profiles.
                let length = strlen(entry)
                entry.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
                    let buffer = UnsafeBufferPointer(start: bytes, count: length)
                    if let equals = buffer.firstIndex(of: UInt8(ascii: "=")) {
                        let name = String(decoding: UnsafeBufferPointer(rebasing: buffer[..<equals]), as: UTF8.self)
                        result[name] = String(decoding: UnsafeBufferPointer(rebasing: buffer[(equals + 1)...]), as: UTF8.self)
                    }
                }
                cursor += 1
            }
        }
        cachedParams = result
        return result
    }

    public func param(_ name: String) -> String? {
        guard isValid else { return nil }
        if let cachedParams { return cachedParams[name] }
        guard let value = FCGX_GetParam(name, request.pointee.envp) else { return nil }
        return String(cString: value)
    }

    /// True once the worker is stopping (SIGTERM, reload, recycle). Long streams (server-sent
    /// events) should end soon after, so graceful stop does not wait for the shutdown timeout.
    public var shutdownRequested: Bool { control.isStopping }

    /// Reads the whole body: CONTENT_LENGTH bytes, or until end of stream when nginx sent no
    /// length. Returns `.tooLarge` without reading when CONTENT_LENGTH exceeds `limit`, and stops
    /// after `limit + 1` bytes when streaming. Call at most once.
    public func readBody(limit: Int) -> BodyRead {
        guard isValid, !bodyConsumed else { return .failed }
        bodyConsumed = true
        // Clamped so that `limit + 1` below cannot overflow.
        let limit = min(max(limit, 0), Int.max - 1)
        if let lengthText = param("CONTENT_LENGTH"), !lengthText.isEmpty {
            guard let length = Int(lengthText), length >= 0 else { return .failed }
            guard length <= limit else { return .tooLarge }
            let body = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
                count = readStdin(into: UnsafeMutableRawBufferPointer(buffer))
            }
            return body.count == length ? .body(body) : .failed
        }
        var body: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let wanted = min(chunk.count, limit + 1 - body.count)
            let count = chunk.withUnsafeMutableBytes { readStdin(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<wanted])) }
            body += chunk[0..<count]
            if body.count > limit { return .tooLarge }
            if count < wanted { break }
        }
        return FCGX_GetError(request.pointee.in) == 0 ? .body(body) : .failed
    }

    /// Writes `Status: NNN reason`, the headers and the blank line. Only the first call counts.
    public func writeHead(status: Int, headers: [(String, String)]) {
        guard isValid, !headWritten else { return }
        headWritten = true
        put(ResponseHead.encode(status: status, headers: headers))
    }

    /// Appends body bytes (a 200 head with no headers is written first if none was). Bytes sit in
    /// libfcgi's 8 KB buffer until it fills, `flush()`, or the end of the request. Returns false
    /// once the client (nginx) has gone away; later writes keep returning false.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard isValid, !outputFailed else { return false }
        if !headWritten { writeHead(status: 200, headers: []) }
        return put(bytes)
    }

    @discardableResult
    public func write(_ string: String) -> Bool {
        guard isValid, !outputFailed else { return false }
        if !headWritten { writeHead(status: 200, headers: []) }
        var text = string
        return text.withUTF8 { put(UnsafeRawBufferPointer($0)) }
    }

    /// Sends buffered bytes to nginx now (server-sent events; pair with `X-Accel-Buffering: no`).
    @discardableResult
    public func flush() -> Bool {
        guard isValid, !outputFailed else { return false }
        if FCGX_FFlush(request.pointee.out) != 0 { outputFailed = true }
        return !outputFailed
    }

    /// Called by the worker after `respond` returns, before `FCGX_Finish_r`.
    func complete() {
        guard isValid else { return }
        if !headWritten {
            LogLine.write(level: "error", event: "responder_wrote_nothing", [
                ("request_id", .string(param("REQUEST_ID") ?? "")),
                ("uri", .string(param("DOCUMENT_URI") ?? "")),
            ])
            writeHead(status: 500, headers: [("Content-Type", "text/plain; charset=utf-8")])
            put(Array("Internal Server Error\n".utf8))
        }
        keepConnectionOnlyIfStdinDrained()
        isValid = false
    }

    /// libfcgi 2.4.2 does not skip unread STDIN before the next request on a kept connection; the
    /// leftover records would look like a protocol error and drop the connection under nginx's
    /// next request. Small leftovers are drained here; for big ones (say a 413 for a large
    /// upload) closing is cheaper than reading them, and nginx, which has the whole response,
    /// simply does not reuse the connection.
    private func keepConnectionOnlyIfStdinDrained() {
        guard request.pointee.keepConnection != 0, !stdinAtEOF else { return }
        let drainLimit = 65_536
        var scratch = [UInt8](repeating: 0, count: 8_192)
        var drained = 0
        while drained <= drainLimit {
            let count = scratch.withUnsafeMutableBytes { readStdin(into: $0) }
            drained += count
            if stdinAtEOF {
                if FCGX_GetError(request.pointee.in) != 0 { request.pointee.keepConnection = 0 }
                return
            }
        }
        request.pointee.keepConnection = 0
    }

    /// Reads until `buffer` is full or the stream ends; records end of stream in `stdinAtEOF`.
    private func readStdin(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var total = 0
        while total < buffer.count {
            let wanted = Int32(min(buffer.count - total, 1 << 20))
            let count = Int(FCGX_GetStr((base + total).assumingMemoryBound(to: CChar.self), wanted, request.pointee.in))
            total += max(count, 0)
            if count < Int(wanted) {
                stdinAtEOF = true
                break
            }
        }
        return total
    }

    @discardableResult
    private func put(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { put($0) }
    }

    private func put(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !outputFailed else { return false }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
        var offset = 0
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, 1 << 30)
            let written = FCGX_PutStr((base + offset).assumingMemoryBound(to: CChar.self), Int32(chunk), request.pointee.out)
            guard written == Int32(chunk) else {
                outputFailed = true
                return false
            }
            offset += chunk
        }
        return true
    }
}
