import FastCGI
import Glibc
import Synchronization

/// A one-shot latch a test opens and a responder waits on (with a timeout, so a failing test
/// cannot hang the run).
final class Gate: Sendable {
    private let isOpen = Atomic<Bool>(false)

    func open() { isOpen.store(true, ordering: .releasing) }

    @discardableResult
    func wait(timeout: Double = 5) -> Bool {
        var waited = 0.0
        while !isOpen.load(ordering: .acquiring) {
            if waited >= timeout { return false }
            usleep(1_000)
            waited += 0.001
        }
        return true
    }
}

/// Shared between the test and its responders.
final class Probe: Sendable {
    let release = Gate()
    let started = Gate()
    let responderThreads = Mutex<[Int]>([])
}

/// Routes on DOCUMENT_URI to the behaviours the worker tests need.
final class TestResponder: Responder {
    let probe: Probe

    init(probe: Probe, threadIndex: Int) {
        self.probe = probe
        probe.responderThreads.withLock { $0.append(threadIndex) }
    }

    func respond(to exchange: Exchange) {
        switch exchange.param("DOCUMENT_URI") ?? "" {
        case "/hello":
            exchange.writeHead(status: 200, headers: [("Content-Type", "text/plain")])
            let params = exchange.params
            exchange.write("method=\(params["REQUEST_METHOD"] ?? "-") query=\(params["QUERY_STRING"] ?? "-") ")
            exchange.write("agent=\(exchange.param("HTTP_USER_AGENT") ?? "-") missing=\(exchange.param("NOPE") ?? "nil")")
        case "/echo":
            switch exchange.readBody(limit: 1024) {
            case .body(let bytes):
                exchange.writeHead(status: 200, headers: [("Content-Type", exchange.param("CONTENT_TYPE") ?? "-")])
                exchange.write(bytes)
            case .tooLarge:
                exchange.writeHead(status: 413, headers: [])
            case .failed:
                exchange.writeHead(status: 400, headers: [])
            }
        case "/stream":
            exchange.writeHead(status: 200, headers: [("Content-Type", "text/event-stream"), ("X-Accel-Buffering", "no")])
            exchange.write("data: first\n\n")
            exchange.flush()
            let released = probe.release.wait()
            exchange.write(released ? "data: second\n\n" : "data: timed out\n\n")
        case "/slow":
            probe.started.open()
            let released = probe.release.wait()
            exchange.writeHead(status: 200, headers: [])
            exchange.write(released ? "finished" : "timed out")
        case "/big":
            exchange.writeHead(status: 200, headers: [])
            exchange.write([UInt8](repeating: UInt8(ascii: "z"), count: 300_000))
        case "/nothing":
            return
        default:
            exchange.writeHead(status: 404, headers: [])
        }
    }
}
