import FastCGI
import Glibc
import HTTP
import Store
import Synchronization
import Tenancy

/// The pool-wide authentication epoch, kept in the supervisor's shared page so that a bump in one
/// worker is seen by every other worker on its very next request.
final class SharedPageAuthEpoch: AuthEpoch {
    /// Slot of the shared page this counter lives in.
    static let counter = 0
    private let page: SharedPage

    init(page: SharedPage) { self.page = page }
    var current: UInt64 { page.load(Self.counter) }
    func bump() { page.increment(Self.counter) }
}

/// Listens on PostgreSQL channel `parley_auth` (fed by triggers on keys, tenants and plans) and
/// bumps the epoch on every notification, so changes made outside this pool (the CLI, SQL, another
/// host) also empty the caches, within milliseconds.
///
/// While it is not connected, notifications could be missed, so it closes the cache gate: every
/// request then asks the database, as if there were no cache. On reconnecting it bumps the epoch
/// (whatever changed meanwhile is forgotten) before resuming.
///
/// Runs on its own thread for the life of the worker process, with its own connection.
final class AuthChangeListener: Sendable {
    static let channel = "parley_auth"
    private let conninfo: String
    private let epoch: any AuthEpoch
    private let gate: AuthCacheGate

    init(conninfo: String, epoch: any AuthEpoch, gate: AuthCacheGate) {
        self.conninfo = conninfo
        self.epoch = epoch
        self.gate = gate
    }

    /// Starts the thread. Call from a thread whose signals are blocked (a worker thread): the new
    /// thread inherits the mask, so process signals keep going to the worker's signal handling.
    func start() {
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<AuthChangeListener>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, box.toOpaque())
        if result == 0 {
            pthread_detach(thread)
        } else {
            box.release()
            gate.close()  // without a listener the cache can never be trusted
        }
    }

    private func run() {
        var backoff = 0.1
        while !Self.stopped.load(ordering: .relaxed) {
            do {
                try listen()
            } catch {
                gate.close()
                epoch.bump()
                RequestLogEvent.write(level: "warn", event: "auth_listener_disconnected", detail: String(describing: error))
            }
            usleep(useconds_t(backoff * 1_000_000))
            backoff = min(backoff * 2, 5)
        }
    }

    /// One connection's life: subscribe, open the cache, bump the epoch per notification. Returns
    /// only by throwing (the connection failed).
    private func listen() throws {
        let connection = try Connection(conninfo: conninfo)
        try connection.listen(Self.channel)
        // Whatever changed before we were listening is unknown: start from an empty cache.
        epoch.bump()
        gate.open()
        while !Self.stopped.load(ordering: .relaxed) {
            let notifications = try connection.waitForNotifications(timeoutMilliseconds: 1000)
            if !notifications.isEmpty { epoch.bump() }
        }
    }

    /// Never set in production (the thread ends with its process); it gives the loops an exit.
    static let stopped = Atomic<Bool>(false)
}

/// A log line for events outside a request, in the same JSON shape as request lines.
enum RequestLogEvent {
    static func write(level: String, event: String, detail: String) {
        let line: JSONValue = ["time": .string(Clock.rfc3339()), "level": .string(level), "event": .string(event), "detail": .string(detail)]
        let bytes = line.serialized() + [0x0a]
        bytes.withUnsafeBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
