import FastCGI
import Glibc
import Search
import Tenancy

/// Assembles and runs one worker process of the pool: the route table, the authentication cache
/// with its invalidation, and one responder (with its own database connection) per thread.
public enum WorkerProcess {
    public static func run(_ configuration: Configuration, environment: [String: String]) -> Int32 {
        do {
            let databaseURL = try configuration.requireDatabaseURL()
            let dispatcher = Dispatcher(table: try Routes.makeTable(), configuration: configuration)
            // The pool's shared page carries the epoch across workers; a worker started on its own
            // (no supervisor) has only itself to keep consistent.
            let epoch: any AuthEpoch = SharedPage.inherited(environment: environment).map(SharedPageAuthEpoch.init) ?? LocalAuthEpoch()
            let gate = AuthCacheGate()
            let searchEngine = SearchEngines.make(configuration)
            let listener = configuration.authCacheSeconds > 0
                ? AuthChangeListener(conninfo: databaseURL, epoch: epoch, gate: gate) : nil
            let options = WorkerOptions(listenFD: 0, threads: configuration.threads, maxRequests: configuration.maxRequests,
                                        readyFD: WorkerOptions.readyFD(in: environment))
            return runWorker(options) { threadIndex in
                // Started from a worker thread, whose signals are blocked, so the listener's thread
                // inherits that mask and never takes the worker's SIGTERM.
                if threadIndex == 0 { listener?.start() }
                let cache = AuthCache(ttl: configuration.authCacheSeconds, gate: gate)
                return WorkerResponder(dispatcher: dispatcher, databaseURL: databaseURL,
                                       authenticator: CachedAuthenticator(cache: cache, epoch: epoch), searchEngine: searchEngine)
            }
        } catch {
            let message = "parley worker: \(error)\n"
            _ = message.withCString { Glibc.write(2, $0, strlen($0)) }
            return 1
        }
    }
}
