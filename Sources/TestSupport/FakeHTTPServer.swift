internal import Glibc
internal import HTTP
import Synchronization

/// A tiny HTTP/1.1 server on 127.0.0.1 (ephemeral port) for tests of outbound providers: embeddings,
/// LLM APIs, messaging webhooks. Each request is parsed, recorded and handed to `handler`, whose
/// `Response` is written back with `Connection: close`, so no keep-alive state exists to get wrong.
///
/// Threads: one accept thread, plus one detached thread per connection so a handler that sleeps (to
/// provoke a client timeout) never delays the client's retry. The handler must therefore be
/// thread-safe (`@Sendable`). Malformed requests get a 400 and never reach the handler.
///
/// Owns the listening socket and the accept thread; `stop()` closes the socket, joins the accept
/// thread and waits briefly for handlers still running. The accept thread keeps the server alive, so
/// tests must call `stop()` (typically in a `defer`); deinit only covers a server never started.
public final class FakeHTTPServer: Sendable {
    public typealias Handler = @Sendable (Request) -> Response

    /// Limits against a broken client: they bound memory, not what real providers accept.
    public static let maxHeaderBytes = 64 * 1024
    public static let maxBodyBytes = 64 * 1024 * 1024

    private let handler: Handler
    private let state = Mutex(State())

    private struct State {
        var listenFD: Int32 = -1
        var port = 0
        var acceptThread: pthread_t?
        var stopping = false
        var activeConnections = 0
        var nextIndex = 0
        var requests: [Request] = []
    }

    public init(handler: @escaping Handler) {
        self.handler = handler
    }

    deinit { stop() }

    /// Binds 127.0.0.1 on a port the kernel picks, starts accepting, returns `http://127.0.0.1:<port>`.
    @discardableResult
    public func start() throws -> String {
        let fd = try Self.listenOnLoopback()
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            close(fd)
            throw FakeHTTPServerError(description: "getsockname failed: errno \(errno)")
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        state.withLock {
            $0.listenFD = fd
            $0.port = port
        }
        guard let thread = spawnThread({ [self] in acceptLoop(fd) }) else {
            state.withLock { $0.listenFD = -1 }
            close(fd)
            throw FakeHTTPServerError(description: "could not start the accept thread")
        }
        state.withLock { $0.acceptThread = thread }
        return "http://127.0.0.1:\(port)"
    }

    /// The base URL once started.
    public var baseURL: String { "http://127.0.0.1:\(state.withLock { $0.port })" }

    /// Every parsed request so far, in arrival order.
    public var requests: [Request] { state.withLock { $0.requests } }

    /// Stops accepting, joins the accept thread, and waits up to `graceSeconds` for running handlers.
    /// Idempotent.
    public func stop(graceSeconds: Double = 5) {
        let (thread, fd): (pthread_t?, Int32) = state.withLock { state in
            guard !state.stopping else { return (nil, -1) }
            state.stopping = true
            defer { state.acceptThread = nil }
            return (state.acceptThread, state.listenFD)
        }
        if let thread { pthread_join(thread, nil) }
        if fd >= 0 { close(fd) }
        var waited = 0.0
        while state.withLock({ $0.activeConnections }) > 0 && waited < graceSeconds {
            usleep(10_000)
            waited += 0.01
        }
    }

    private static func listenOnLoopback() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FakeHTTPServerError(description: "socket failed: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            throw FakeHTTPServerError(description: "bind/listen on 127.0.0.1 failed: errno \(code)")
        }
        return fd
    }

    /// Polls with a short timeout rather than blocking in accept(), so `stop()` is noticed promptly
    /// without relying on close() waking a blocked accept (it does not, portably).
    private func acceptLoop(_ listenFD: Int32) {
        while !state.withLock({ $0.stopping }) {
            var poller = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let client = accept(listenFD, nil, nil)
            guard client >= 0 else { continue }
            state.withLock { $0.activeConnections += 1 }
            let spawned = spawnThread({ [self] in
                serve(client)
                state.withLock { $0.activeConnections -= 1 }
            }, detached: true)
            if spawned == nil {
                close(client)
                state.withLock { $0.activeConnections -= 1 }
            }
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        // A client that stalls mid-request must not pin this thread forever.
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var reader = ConnectionReader(fd: fd)
        let parsed: ParsedRequest
        do {
            parsed = try reader.readRequest()
        } catch {
            if case .invalid(let status, let reason) = error {
                ResponseWriter.write(.text(reason + "\n", status: status), to: fd)
            }
            return
        }
        let request = state.withLock {
            let request = Request(index: $0.nextIndex, parsed: parsed)
            $0.nextIndex += 1
            $0.requests.append(request)
            return request
        }
        ResponseWriter.write(handler(request), to: fd)
    }
}

public struct FakeHTTPServerError: Error, CustomStringConvertible {
    public let description: String
}

/// Runs `body` on a new pthread; joinable unless `detached`. Swift closures cross pthread_create's
/// untyped argument in a retained box.
private func spawnThread(_ body: @escaping @Sendable () -> Void, detached: Bool = false) -> pthread_t? {
    final class Box { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(&thread, nil, { raw in
        guard let raw else { return nil }
        Unmanaged<Box>.fromOpaque(raw).takeRetainedValue().body()
        return nil
    }, context)
    guard result == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        return nil
    }
    if detached { pthread_detach(thread) }
    return thread
}
