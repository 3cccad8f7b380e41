import Synchronization

/// State shared by a worker's threads: the stop flag, the request count that triggers recycling,
/// and the counters behind readiness. Atomics only, so reading it costs nothing on the hot path.
final class WorkerControl: Sendable {
    let maxRequests: Int
    private let stopping = Atomic<Bool>(false)
    private let recycled = Atomic<Bool>(false)
    private let served = Atomic<Int>(0)
    let readyThreads = Atomic<Int>(0)
    let runningThreads = Atomic<Int>(0)

    init(maxRequests: Int) {
        self.maxRequests = maxRequests
    }

    var isStopping: Bool { stopping.load(ordering: .acquiring) }
    var reachedMaxRequests: Bool { recycled.load(ordering: .acquiring) }
    var requestsServed: Int { served.load(ordering: .relaxed) }

    func stop() {
        stopping.store(true, ordering: .releasing)
    }

    /// Counts an accepted request. The request that reaches `maxRequests` is still served; the
    /// worker then stops accepting and exits with the recycle code.
    func requestAccepted() {
        let count = served.wrappingAdd(1, ordering: .relaxed).newValue
        if maxRequests > 0 && count >= maxRequests {
            recycled.store(true, ordering: .releasing)
            stop()
        }
    }
}
