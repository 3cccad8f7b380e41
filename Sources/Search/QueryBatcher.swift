import Embed
import Glibc
import Synchronization

/// Embeds the questions of all of a process's threads in shared forward passes.
///
/// In float32, embedding one question is bound by streaming the model's layer weights (42 MB for
/// MiniLM) through the matrix products, not by arithmetic: 17 tokens cost 4.5 ms, 9 tokens 4.0.
/// Questions that arrive while a pass runs therefore wait for it to end and then go through the
/// next pass together, reading the weights once for all of them. No timer and no waiting when
/// idle: a lone question runs at once, so batching only appears under concurrency, where it pays.
///
/// With `maxBatch` 1 every question runs its own pass at once, concurrently with the others. That
/// is right for int8 questions (`LocalEmbedder.sharesQueryPasses`): the int8 weights stay in the L3
/// cache, a pass costs in proportion to its tokens, and sharing only makes questions wait
/// (`scripts/bench answer`, 8 connections: the same 319 answers/s, p95 33.0 ms against 34.3, and
/// the time to a first LLM token at 8 clients p95 10.5 ms against 12.9).
///
/// Leader/follower: the thread that finds no pass running leads one; the others queue. When a pass
/// ends, its leader hands the lead to the first queued question (if any) before waking the rest, so
/// exactly one pass runs at a time and every queued question is in the next one.
final class QueryBatcher: Sendable {
    private let provider: any EmbeddingProvider
    private let maxBatch: Int
    private let state = Mutex(State())

    private struct State {
        var pending: [Ticket] = []
        /// Invariant: `pending` is empty unless a pass is running or its lead has been handed over.
        var running = false
    }

    init(provider: any EmbeddingProvider, maxBatch: Int = 8) {
        self.provider = provider
        self.maxBatch = max(1, maxBatch)
    }

    func embed(_ text: String) throws -> [Float] {
        if maxBatch == 1 { return try Self.single(provider.embed(texts: [text], kind: .query)) }
        let ticket = Ticket(text: text)
        let leads = state.withLock { state -> Bool in
            state.pending.append(ticket)
            guard !state.running else { return false }
            state.running = true
            return true
        }
        if !leads {
            ticket.signal.wait()
            if let result = ticket.result { return try result.get() }
            // Woken without a result: the lead was handed over, and this ticket is first in line.
        }
        runPass()
        guard let result = ticket.result else { throw SearchError.unavailable("the question was not embedded") }
        return try result.get()
    }

    /// One forward pass over the queue's head (which holds the caller's own ticket), then the lead
    /// goes to the next queued question.
    private func runPass() {
        let batch = state.withLock { state -> [Ticket] in
            let batch = Array(state.pending.prefix(maxBatch))
            state.pending.removeFirst(batch.count)
            return batch
        }
        let outcome = Result { try provider.embed(texts: batch.map(\.text), kind: .query) }
        for (index, ticket) in batch.enumerated() {
            ticket.result = outcome.flatMap { vectors in Result { try Self.single(vectors.dropFirst(index)) } }
        }
        let next = state.withLock { state -> Ticket? in
            guard let first = state.pending.first else {
                state.running = false
                return nil
            }
            return first
        }
        // The leader's own ticket (first in the batch) needs no wake-up: it returns from `embed`.
        for ticket in batch.dropFirst() { ticket.signal.post() }
        next?.signal.post()
    }

    /// The first vector of a provider's answer; a provider that returned too few is unavailable.
    private static func single(_ vectors: some Collection<[Float]>) throws -> [Float] {
        guard let vector = vectors.first else { throw SearchError.unavailable("the embedding model returned no vector") }
        return vector
    }

    /// One question waiting for its vector. `result` is written by the leader before `signal` is
    /// posted and read by the owner after it waits: the semaphore orders the two.
    private final class Ticket: @unchecked Sendable {
        let text: String
        var result: Result<[Float], any Error>?
        let signal = Semaphore()
        init(text: String) { self.text = text }
    }
}

/// A POSIX semaphore: a thread waits for exactly one post.
private final class Semaphore: @unchecked Sendable {
    private let handle = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

    init() { sem_init(handle, 0, 0) }

    deinit {
        sem_destroy(handle)
        handle.deallocate()
    }

    func post() { sem_post(handle) }

    func wait() {
        while sem_wait(handle) != 0 && errno == EINTR {}
    }
}
