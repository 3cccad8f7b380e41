import FastCGI
import HTTP
import Ingest
import Search
import Store
import Tenancy

/// The bridge from a FastCGI exchange to the dispatcher, one per worker thread. It owns the thread's
/// database connection slot, so each thread keeps exactly one connection for its whole life.
public final class WorkerResponder: Responder {
    private let dispatcher: Dispatcher
    private let database: ConnectionSlot
    private let authenticator: CachedAuthenticator
    private let sniffer = Sniffer()
    private let searcher: Searcher
    private let log = LogBuffer()

    public init(dispatcher: Dispatcher, databaseURL: String, authenticator: CachedAuthenticator, searchEngine: SearchEngine) {
        self.searcher = Searcher(engine: searchEngine)
        self.dispatcher = dispatcher
        self.database = ConnectionSlot(conninfo: databaseURL)
        self.authenticator = authenticator
    }

    public func respond(to exchange: Exchange) {
        let started = Clock.monotonicSeconds()
        let request = Request(cgi: exchange.params, makeRequestID: RequestIDs.generate)
        let context = RequestContext(database: database, configuration: dispatcher.configuration, authenticator: authenticator,
                                     sniffer: sniffer, searcher: searcher)
        var (response, line) = dispatcher.respond(to: request, context: context) { limit in
            switch exchange.readBody(limit: limit) {
            case .body(let bytes): .bytes(bytes)
            case .tooLarge: .tooLarge
            case .failed: .unreadable
            }
        }
        switch response.body {
        case .bytes(let bytes):
            // A known length lets nginx answer with Content-Length instead of chunked encoding.
            exchange.writeHead(status: response.status, headers: response.headers + [("Content-Length", String(bytes.count))])
            if request.method != "HEAD", !bytes.isEmpty { exchange.write(bytes) }
        case .stream(let produce):
            exchange.writeHead(status: response.status, headers: response.headers)
            exchange.flush()
            produce(ExchangeBodyWriter(exchange: exchange))
            // A stream's log line covers the whole stream, not just the handler that set it up.
            line.durationMilliseconds = (Clock.monotonicSeconds() - started) * 1000
        }
        log.append(line.line, now: Clock.monotonicSeconds())
    }

    /// The thread has nothing to do: let its batched log lines out now.
    public func idle() {
        log.flush()
    }
}

/// Streams through the exchange; every flush reaches nginx, which does not buffer because the
/// response carries `X-Accel-Buffering: no`.
final class ExchangeBodyWriter: BodyWriter {
    private let exchange: Exchange
    init(exchange: Exchange) { self.exchange = exchange }
    func write(_ bytes: [UInt8]) -> Bool { exchange.write(bytes) }
    func flush() -> Bool { exchange.flush() }
}
