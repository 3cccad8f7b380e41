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

        func embed(texts: [String], kind: EmbeddingKind) throws -> [[Float]] {
            batches.withLock { $0.append(texts) }
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
}
