import App
import ArgumentParser
import Embed
import Glibc
import Ingest
import Search
import Store
import Synchronization
import Tenancy

/// Set by SIGTERM/SIGINT; the runner hands the current document back to the queue and exits.
/// An atomic store is async-signal-safe, which is all the handler does.
let ingestStopRequested = Atomic<Bool>(false)

/// `parley ingest`: the batch job systemd's parley-ingest.timer starts. It claims queued documents
/// (FOR UPDATE SKIP LOCKED, with a lease), parses, chunks, embeds and stores them, and exits when
/// the queue is empty or its time budget is spent. Several runs, on several hosts, may work at once.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Process queued documents: parse, chunk, embed, store. Exits when the queue is empty or the budget is spent."
    )

    @Flag(help: "Process at most one document, then exit.") var once = false
    @Flag(help: "Keep running and wait for new uploads (for development; production uses the systemd timer).") var loop = false
    @Option(help: "Only this tenant's documents (ten_…).") var tenant: String?
    @Option(help: "Only this document (doc_…).") var document: String?
    @Option(help: "Seconds after which no new document is started (default 600; --loop: none).") var budget: Double?
    @Option(help: "Seconds a claimed document stays leased without a heartbeat before another run may take it.") var lease = 60
    @Option(help: "Encoder threads (default: all cores).") var threads: Int?
    @Option(help: "Model directory (overrides PARLEY_EMBED_MODEL_DIR).") var model: String?
    @Flag(help: "Never draw a progress bar, even on a terminal.") var quiet = false
    @Option(help: .hidden) var benchmarkParse: String?

    func validate() throws {
        if once && loop { throw ValidationError("--once and --loop exclude each other.") }
        if let tenant, !Identifier.isValid(tenant, kind: .tenant) { throw ValidationError("--tenant takes a tenant id (ten_…).") }
        if let document, !Identifier.isValid(document, kind: .document) { throw ValidationError("--document takes a document id (doc_…).") }
        if let budget, budget <= 0 { throw ValidationError("--budget must be positive.") }
        if lease < 5 { throw ValidationError("--lease must be at least 5 seconds.") }
    }

    func run() throws {
        let configuration = try CommandSupport.configuration()
        let modelDirectory = model ?? configuration.embedModelDirectory
        if let benchmarkParse {
            // Parsing and chunking only: the tokenizer, not the model's weights.
            let tokenizer = try WordPieceTokenizer(modelDirectory: modelDirectory)
            try IngestBenchmark(tokenCount: { tokenizer.tokenCount($0) }).run(path: benchmarkParse)
            return
        }
        let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let embedder = try LocalEmbedder(modelDirectory: modelDirectory, threads: max(1, threads ?? cores), batchSize: 32)
        installStopHandlers()
        var options = IngestOptions(owner: try Self.owner())
        options.mode = once ? .once : (loop ? .loop : .drain)
        options.budgetSeconds = budget ?? (loop ? nil : 600)
        options.leaseSeconds = lease
        options.filter = IngestQueue.Filter(tenantID: tenant, documentID: document)
        let display = IngestDisplay(interactive: !quiet && isatty(STDERR_FILENO) == 1)
        let runner = try IngestRunner(
            options: options, conninfo: try configuration.requireDatabaseURL(), embedder: embedder,
            modelName: embedder.modelName, tokenCount: { embedder.tokenCount($0) },
            shouldStop: { ingestStopRequested.load(ordering: .relaxed) }, observer: display)
        // Fresh chunks are searchable at once (read from SQL per query); rebuilding the index file of
        // tenants that accumulated many keeps that cheap.
        let catalog = IndexCatalog(directory: configuration.indexDirectory)
        let indexConnection = try Connection(conninfo: try configuration.requireDatabaseURL())
        runner.afterDrain = { tenants in
            for (tenantID, result) in try IndexMaintenance.refresh(tenants: tenants, threshold: IndexMaintenance.defaultThreshold,
                                                                    catalog: catalog, on: indexConnection) {
                display.note(IndexCommand.describe(tenantID: tenantID, result))
            }
        }
        let finished = try runner.run()
        display.summary(finished: finished)
    }

    private func installStopHandlers() {
        for signal in [SIGTERM, SIGINT] {
            Glibc.signal(signal) { _ in ingestStopRequested.store(true, ordering: .relaxed) }
        }
    }

    /// host:pid:random, so a lease names the run that holds it (and runs on several hosts differ).
    static func owner() throws -> String {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let hostname = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let random = Encoding.base32(try Crypto.randomBytes(5))
        return "\(hostname):\(getpid()):\(random)"
    }
}
