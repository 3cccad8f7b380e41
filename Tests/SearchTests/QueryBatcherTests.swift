import Embed
import Foundation
import Synchronization
import Testing
@testable import Search

@Suite struct QueryBatcherTests {
    /// Returns [length, first scalar] per text after a pause, and records each call's batch.
    final class SlowProvider: EmbeddingProvider {
        let dimensions = 2
        let batches = Mutex<[[String]]>([])
        let failing = Mutex(false)
        struct Failure: Error {}

        /// Calls running now, and the most that ever ran at once.
        let inFlight = Mutex((now: 0, most: 0))

        func embed(texts: [String], kind: EmbeddingKind) throws -> [[Float]] {
            batches.withLock { $0.append(texts) }
            inFlight.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            defer { inFlight.withLock { $0.now -= 1 } }
            usleep(40_000)
            if failing.withLock({ $0 }) { throw Failure() }
            return texts.map { [Float($0.count), Float($0.unicodeScalars.first?.value ?? 0)] }
        }
    }

    /// Runs `body(i)` on `count` threads at once and waits for all.
    static func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread { body(index); group.leave() }.start()
        }
        group.wait()
    }

    @Test func concurrentQuestionsShareForwardPassesAndGetTheirOwnVectors() {
        let provider = SlowProvider()
        let batcher = QueryBatcher(provider: provider, maxBatch: 4)
        let results = Mutex<[Int: [Float]]>([:])
        Self.concurrently(10) { index in
            let text = String(repeating: Character(UnicodeScalar(UInt8(65 + index))), count: index + 1)
            if let vector = try? batcher.embed(text) { results.withLock { $0[index] = vector } }
        }
        let vectors = results.withLock { $0 }
        #expect(vectors.count == 10)
        for (index, vector) in vectors {
            #expect(vector == [Float(index + 1), Float(65 + index)], "question \(index) got another's vector")
        }
        let batches = provider.batches.withLock { $0 }
        #expect(batches.count < 10, "some questions shared a pass: \(batches.map(\.count))")
        #expect(batches.allSatisfy { $0.count <= 4 })
        #expect(provider.inFlight.withLock { $0.most } == 1, "one pass at a time")
        #expect(batches.map(\.count).reduce(0, +) == 10)
    }

    @Test func aLoneQuestionRunsAtOnceAndFailuresReachEveryWaiter() throws {
        let provider = SlowProvider()
        let batcher = QueryBatcher(provider: provider)
        #expect(try batcher.embed("hello") == [5, 104])
        provider.failing.withLock { $0 = true }
        let failures = Mutex(0)
        Self.concurrently(5) { _ in
            if (try? batcher.embed("x")) == nil { failures.withLock { $0 += 1 } }
        }
        #expect(failures.withLock { $0 } == 5)
        provider.failing.withLock { $0 = false }
        #expect(try batcher.embed("again") == [5, 97], "a failed pass leaves the batcher usable")
    }

    /// maxBatch 1 (int8 questions): every question runs its own pass, all at once, none waiting
    /// for another's.
    @Test func withoutSharingQuestionsRunConcurrentlyInTheirOwnPasses() {
        let provider = SlowProvider()
        let batcher = QueryBatcher(provider: provider, maxBatch: 1)
        let results = Mutex<[Int: [Float]]>([:])
        Self.concurrently(6) { index in
            let text = String(repeating: Character(UnicodeScalar(UInt8(65 + index))), count: index + 1)
            if let vector = try? batcher.embed(text) { results.withLock { $0[index] = vector } }
        }
        let vectors = results.withLock { $0 }
        #expect(vectors.count == 6)
        for (index, vector) in vectors { #expect(vector == [Float(index + 1), Float(65 + index)]) }
        #expect(provider.batches.withLock { $0 }.allSatisfy { $0.count == 1 })
        #expect(provider.inFlight.withLock { $0.most } > 1, "passes ran one after another")
    }
}
