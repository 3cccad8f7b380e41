public import FastCGI
internal import Glibc

/// A real libfcgi worker (the same threads and accept loop as production) serving a responder
/// on a temporary unix socket inside the test process, driven with the module's FastCGI client
/// exactly as nginx would drive it.
///
/// Owns the temporary directory, the socket and the threads; `stop()` (or deinit) stops the
/// threads gracefully, joins them and removes the directory.
public final class FastCGITestServer {
    public let socketPath: String
    public let threads: WorkerThreads
    private let directory: String
    private let listener: ListeningSocket
    private var stopped = false

    public init(
        threads threadCount: Int = 2, maxRequests: Int = 0, idleConnectionTimeout: Double = 30,
        makeResponder: @escaping @Sendable (_ threadIndex: Int) -> any Responder
    ) throws {
        var template = Array("/tmp/parley-fcgi-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard let made else {
            throw FastCGIError.system(call: "mkdtemp", code: errno)
        }
        directory = String(cString: made)
        socketPath = directory + "/fcgi.sock"
        do {
            listener = try ListeningSocket.bind(path: socketPath, mode: 0o600, backlog: 64)
        } catch {
            rmdir(directory)
            throw error
        }
        threads = WorkerThreads(
            listenFD: listener.fd, threads: threadCount, maxRequests: maxRequests,
            idleConnectionTimeout: idleConnectionTimeout, makeResponder: makeResponder)
        do {
            try threads.start()
        } catch {
            listener.close()
            listener.removeFile()
            rmdir(directory)
            throw error
        }
        guard threads.waitUntilReady(timeout: 10) else {
            stop()
            throw FastCGIError.invalidOption("test server threads did not become ready")
        }
    }

    deinit { stop() }

    public func connect(timeout: Double = 5) throws -> FastCGIConnection {
        try FastCGIConnection(socketPath: socketPath, timeout: timeout)
    }

    /// One request on a fresh connection, as `parley doctor` would send it.
    public func roundTrip(
        method: String = "GET", uri: String = "/", query: String = "", headers: [(String, String)] = [],
        body: [UInt8] = [], timeout: Double = 5
    ) throws -> FastCGIResponse {
        try fastCGIRoundTrip(
            socketPath: socketPath, params: Self.params(method: method, uri: uri, query: query, headers: headers, body: body),
            body: body, timeout: timeout)
    }

    /// The CGI parameters nginx's `fastcgi_params` would send for such a request.
    public static func params(
        method: String = "GET", uri: String = "/", query: String = "", headers: [(String, String)] = [],
        body: [UInt8] = []
    ) -> [(String, String)] {
        var params: [(String, String)] = [
            ("GATEWAY_INTERFACE", "CGI/1.1"), ("SERVER_PROTOCOL", "HTTP/1.1"), ("REQUEST_METHOD", method),
            ("REQUEST_URI", query.isEmpty ? uri : uri + "?" + query), ("DOCUMENT_URI", uri),
            ("QUERY_STRING", query), ("REMOTE_ADDR", "127.0.0.1"), ("REQUEST_ID", "test-request"),
        ]
        if !body.isEmpty { params.append(("CONTENT_LENGTH", String(body.count))) }
        for (name, value) in headers {
            let key = "HTTP_" + String(name.uppercased().map { $0 == "-" ? "_" : $0 })
            params.append((key == "HTTP_CONTENT_TYPE" ? "CONTENT_TYPE" : key, value))
        }
        return params
    }

    /// Graceful stop, join, and removal of the socket and directory. Idempotent.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        threads.stop()
        threads.waitUntilStopped()
        listener.close()
        listener.removeFile()
        rmdir(directory)
    }
}
