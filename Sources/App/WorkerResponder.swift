import FastCGI
import HTTP
import Store

/// The bridge from a FastCGI exchange to the dispatcher, one per worker thread. It owns the thread's
/// database connection slot, so each thread keeps exactly one connection for its whole life.
public final class WorkerResponder: Responder {
    private let dispatcher: Dispatcher
    private let database: ConnectionSlot

    public init(dispatcher: Dispatcher, databaseURL: String) {
        self.dispatcher = dispatcher
        self.database = ConnectionSlot(conninfo: databaseURL)
    }

    public func respond(to exchange: Exchange) {
        let request = Request(cgi: exchange.params, makeRequestID: RequestIDs.generate)
        let context = RequestContext(database: database, configuration: dispatcher.configuration)
        let (response, log) = dispatcher.respond(to: request, context: context) { limit in
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
        }
        log.emit()
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
