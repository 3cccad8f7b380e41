internal import CFCGI
import Glibc

/// One worker thread's life: wait on the shared `ConnectionPark` for a new connection or a
/// request on an idle kept-alive one, serve one request, park the connection again, repeat until
/// the worker stops; then help drain the park.
///
/// Why wait in epoll instead of letting `FCGX_Accept_r` block: a thread blocked in accept()
/// cannot be told to stop, and a connection it accepts while the process exits is dropped. The
/// listening socket is non-blocking, so libfcgi's accept returns EAGAIN when another thread or
/// process won the race; waits time out every `pollMilliseconds` so the stop flag is seen.
///
/// Owns its `FCGX_Request` (heap-allocated because libfcgi's streams keep a pointer to it) and
/// frees it in `deinit`. Not Sendable: it lives and dies on its thread.
final class ConnectionLoop {
    /// How long a wait lasts before the stop flag and idle timers are looked at again.
    static let pollMilliseconds: Int32 = 200
    /// When stopping, a parked connection idle this long is closed. Closing a kept connection
    /// races with nginx picking it for a new request (nginx retries only idempotent requests);
    /// nginx reuses its most recently used connection first, so one idle this long is unlikely to
    /// be picked in the instant of the close, while busy ones are served until nginx retires them.
    static let stopIdleGrace = 0.5
    /// After this long stopping, the remaining parked connections are closed regardless.
    static let stopDrainLimit = 5.0

    private let request: UnsafeMutablePointer<FCGX_Request>
    private let park: ConnectionPark
    private let control: WorkerControl
    private let idleTimeout: Double
    private let responder: any Responder

    init(park: ConnectionPark, listenFD: Int32, control: WorkerControl, idleTimeout: Double, responder: any Responder) {
        self.park = park
        self.control = control
        self.idleTimeout = idleTimeout
        self.responder = responder
        request = .allocate(capacity: 1)
        request.initialize(to: FCGX_Request())
        FCGX_InitRequest(request, listenFD, 0)
    }

    deinit {
        if request.pointee.ipcFd >= 0 { close(detachConnection()) }
        FCGX_Free(request, 0)
        request.deinitialize(count: 1)
        request.deallocate()
    }

    func run() {
        var nextSweep = 0.0
        while !control.isStopping {
            switch park.wait(milliseconds: Self.pollMilliseconds) {
            case .listener:
                serve(parkedConnection: nil)
            case .connection(let fd):
                serve(parkedConnection: fd)
            case .timeout:
                responder.idle()
            }
            // Swept on a clock rather than only when idle: under steady load threads rarely time
            // out, yet connections deep in nginx's cache can sit unused.
            let now = monotonicNow()
            if now >= nextSweep {
                park.closeIdle(parkedBefore: now - idleTimeout)
                nextSweep = now + 1
            }
        }
        drain()
        responder.idle()
    }

    /// Graceful stop: no new connections; keep answering requests nginx sends on kept
    /// connections, close each once it has been idle `stopIdleGrace`, give up after
    /// `stopDrainLimit`. Every thread drains; the park empties when the last busy one parks its
    /// connection and that idles out.
    private func drain() {
        park.stopListening()
        let deadline = monotonicNow() + Self.stopDrainLimit
        while true {
            let now = monotonicNow()
            if now >= deadline {
                park.closeAll()
                return
            }
            park.closeIdle(parkedBefore: now - Self.stopIdleGrace)
            if park.parkedCount == 0 { return }
            if case .connection(let fd) = park.wait(milliseconds: 50) {
                serve(parkedConnection: fd)
            }
        }
    }

    /// Serves one request: on a parked connection handed over by the park, or on a connection
    /// accepted from the listening socket. A connection nginx asked to keep goes back to the park.
    private func serve(parkedConnection: Int32?) {
        let listenSocket = request.pointee.listen_sock
        if let fd = parkedConnection {
            request.pointee.ipcFd = fd
            // FCGX_Accept_r begins by finishing the previous request and would close a connection
            // it believes is not kept.
            request.pointee.keepConnection = 1
            // Hide the listening socket: when nginx has closed this connection, libfcgi would
            // otherwise go on to accept() a new one. With -1 that fails (EBADF) and we move on.
            request.pointee.listen_sock = -1
        }
        let result = FCGX_Accept_r(request)
        request.pointee.listen_sock = listenSocket
        guard result >= 0 else {
            if parkedConnection == nil && result != -EAGAIN && result != -EWOULDBLOCK && result != -EINTR {
                // EMFILE, ENOBUFS...: the socket stays readable, so back off instead of spinning.
                usleep(50_000)
            }
            return
        }
        control.requestAccepted()
        let exchange = Exchange(request: request, control: control)
        responder.respond(to: exchange)
        exchange.complete()
        FCGX_Finish_r(request)
        if request.pointee.ipcFd >= 0 {
            park.park(detachConnection())
        }
    }

    /// Takes the kept connection out of the FCGX_Request. libfcgi keeps no other per-connection
    /// state there between requests, which is what lets any thread serve the next request.
    private func detachConnection() -> Int32 {
        let fd = request.pointee.ipcFd
        request.pointee.ipcFd = -1
        return fd
    }
}
