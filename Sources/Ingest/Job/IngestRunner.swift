import Embed
import FoundationEssentials
import HTTP
import Store

/// How a run of `parley ingest` behaves.
public struct IngestOptions: Sendable {
    public enum Mode: Sendable {
        /// Process at most one document.
        case once
        /// Process until the queue is empty or the budget is spent (what the timer runs).
        case drain
        /// Keep waiting for uploads (scripts/dev); the budget still applies when given.
        case loop
    }

    public var mode: Mode = .drain
    /// Seconds after which no new document is started; one in progress is finished.
    public var budgetSeconds: Double? = 600
    /// A claimed version whose lease is not renewed for this long may be claimed again by another run.
    public var leaseSeconds = 60
    /// Chunks embedded per model call.
    public var batchSize = 32
    public var filter = IngestQueue.Filter()
    /// Identifies this run in `lease_owner` (host:pid:random).
    public var owner: String

    public init(owner: String) { self.owner = owner }
}

/// One finished attempt, for the progress display and the log.
public struct IngestEvent: Sendable {
    public enum Outcome: Sendable {
        case ready(chunks: Int, pages: Int?)
        case failed(reason: String, willRetry: Bool)
        case skipped(reason: String)
    }

    public let claim: Claim
    public let outcome: Outcome
    public let seconds: Double
}

/// Receives what the runner does; the command draws a progress bar on a terminal and writes one
/// JSON line per document otherwise.
public protocol IngestObserver: AnyObject {
    func started(_ claim: Claim)
    func progressed(_ claim: Claim, percent: Int)
    func finished(_ event: IngestEvent)
}

/// The batch job: claims document versions one at a time and ingests them until the queue is empty,
/// the budget is spent or a stop is requested. It owns two connections (work and control) for
/// its whole run; one process, one thread.
public final class IngestRunner {
    private let options: IngestOptions
    private let work: Connection
    private let control: Connection
    private let embedder: any EmbeddingProvider
    private let modelName: String
    private let tokenCount: @Sendable (String) -> Int
    private let shouldStop: () -> Bool
    private weak var observer: (any IngestObserver)?
    /// Called with the tenants whose chunks changed, whenever the run has drained the queue (and
    /// before it exits): the command refreshes their search index files there.
    public var afterDrain: ((Set<String>) throws -> Void)?
    private var touched = Set<String>()

    public init(options: IngestOptions, conninfo: String, embedder: any EmbeddingProvider, modelName: String,
                tokenCount: @escaping @Sendable (String) -> Int, shouldStop: @escaping () -> Bool,
                observer: (any IngestObserver)?) throws {
        self.options = options
        self.work = try Connection(conninfo: conninfo)
        self.control = try Connection(conninfo: conninfo)
        self.embedder = embedder
        self.modelName = modelName
        self.tokenCount = tokenCount
        self.shouldStop = shouldStop
        self.observer = observer
    }

    /// Runs until done; returns how many versions it finished (ready or failed).
    @discardableResult
    public func run() throws -> Int {
        let started = Clock.monotonicSeconds()
        var finished = 0
        if options.mode == .loop { try control.listen("parley_ingest") }
        defer { try? drained() }
        while !shouldStop() {
            if let budget = options.budgetSeconds, Clock.monotonicSeconds() - started >= budget { break }
            guard let claim = try IngestQueue.claim(owner: options.owner, leaseSeconds: options.leaseSeconds,
                                                    filter: options.filter, on: control) else {
                try drained()
                guard options.mode == .loop else { break }
                // Uploads notify parley_ingest; the timeout also catches expired leases.
                _ = try control.waitForNotifications(timeoutMilliseconds: 5000)
                continue
            }
            if try process(claim) { finished += 1 }
            touched.insert(claim.tenantID)
            if options.mode == .once { break }
        }
        return finished
    }

    private func drained() throws {
        guard !touched.isEmpty else { return }
        let tenants = touched
        touched.removeAll()
        try afterDrain?(tenants)
    }

    /// Returns true when the attempt ended the version's processing (ready or failed for good).
    private func process(_ claim: Claim) throws -> Bool {
        observer?.started(claim)
        let started = Clock.monotonicSeconds()
        let ingestion = DocumentIngestion(
            claim: claim, work: work, control: control, embedder: embedder, modelName: modelName, tokenCount: tokenCount,
            leaseSeconds: options.leaseSeconds, batchSize: options.batchSize, shouldStop: shouldStop,
            onProgress: { [weak observer] percent in observer?.progressed(claim, percent: percent) })
        func report(_ outcome: IngestEvent.Outcome) {
            observer?.finished(IngestEvent(claim: claim, outcome: outcome, seconds: Clock.monotonicSeconds() - started))
        }
        do {
            let result = try ingestion.run()
            report(.ready(chunks: result.chunkCount, pages: result.pages))
            return true
        } catch IngestInterruption.leaseLost {
            report(.skipped(reason: "the document was deleted or replaced, or its lease expired, while it was processed"))
            return false
        } catch IngestInterruption.stopping {
            try IngestQueue.release(claim, on: control)
            report(.skipped(reason: "stopping: handed back to the queue"))
            return false
        } catch {
            let (reason, permanent) = Self.describe(error)
            var timings = ingestion.partialTimings
            timings.total = Clock.monotonicSeconds() - started
            try IngestQueue.fail(claim, reason: reason, permanent: permanent, timings: timings.json, on: control)
            let retry = !permanent && claim.attempts < IngestQueue.maxAttempts
            report(.failed(reason: reason, willRetry: retry))
            return !retry
        }
    }

    /// The reason stored on the document, and whether retrying could help. A bad file fails at
    /// once; a database or model hiccup is retried by a later run.
    static func describe(_ error: any Error) -> (reason: String, permanent: Bool) {
        switch error {
        case let failure as ParseFailure: (failure.reason, true)
        case let failure as StoreError: ("database error while storing chunks: \(failure.description)", false)
        default: ("embedding failed: \(error)", false)
        }
    }
}
