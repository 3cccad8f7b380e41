import Glibc
@testable import Search
import Testing

/// Speed of the index file at production sizes, off by default (it writes up to 1.6 GB to /tmp):
/// `PARLEY_INDEX_BENCH=100000,1000000 swift test --skip-build --filter IndexFileBenchmarkTests`.
/// Search itself is built with -O even in debug, so the figures hold for release; the data
/// generation here is -Onone and slow, and not timed.
@Suite struct IndexFileBenchmarkTests {
    @Test(.enabled(if: getenv("PARLEY_INDEX_BENCH") != nil))
    func denseAndBM25Latency() throws {
        let sizes = String(cString: getenv("PARLEY_INDEX_BENCH")).split(separator: ",").compactMap { Int($0) }
        for n in sizes { try measure(n: n, dims: 384) }
    }

    private func measure(n: Int, dims: Int) throws {
        let path = "/tmp/parley-index-bench-\(getpid())"
        defer { unlink(path) }
        var rng = SplitMix64(seed: 99)
        let vocabulary = (0..<50_000).map { "w\($0)" }
        let started = now()
        let chunks = (0..<n).lazy.map { i -> IndexedChunk in
            var v = [Float](repeating: 0, count: dims)
            var norm: Float = 0
            for j in 0..<dims {
                v[j] = Float(Int64(bitPattern: rng.next()) >> 40) / Float(1 << 23)
                norm += v[j] * v[j]
            }
            let scale = 1 / norm.squareRoot()
            for j in 0..<dims { v[j] *= scale }
            var terms: [String: Int] = [:]
            // Zipf-like: squaring a uniform skews toward the frequent (low) term ids.
            for _ in 0..<60 {
                let u = Double(rng.next() >> 11) / Double(1 << 53)
                terms[vocabulary[Int(u * u * u * Double(vocabulary.count - 1))], default: 0] += 1
            }
            return IndexedChunk(id: Int64(i), collectionID: "c\(i % 5)", documentID: "d\(i / 20)", termCounts: terms, length: 80, embedding: v)
        }
        try IndexFileWriter.write(chunks, dimensions: dims, generation: 1, watermark: Int64(n - 1), to: path)
        let built = now() - started

        let openStart = now()
        let file = try IndexFile.open(path: path)
        let opened = now() - openStart
        let filter = ChunkFilter.all.compile(for: file)
        let stats = BM25Statistics(documentCount: file.chunkCount, averageLength: file.averageLength)

        let strategies: [(String, IndexFile.DenseStrategy)] = [("exact", .exact), ("int8", .int8), ("signs", .signs)]
        var dense = [[Double]](repeating: [], count: strategies.count), bm25: [Double] = []
        var found = [Int](repeating: 0, count: strategies.count), total = 0
        for q in 0..<30 {
            var query = [Float](repeating: 0, count: dims)
            for j in 0..<dims { query[j] = Float(Int64(bitPattern: rng.next()) >> 40) / Float(1 << 23) }
            let norm = query.reduce(0) { $0 + $1 * $1 }.squareRoot()
            query = query.map { $0 / norm }
            let exact = file.dense(query: query, filter: filter, k: 10, strategy: .exact).map(\.chunkID)
            total += exact.count
            for (s, strategy) in strategies.enumerated() {
                let t0 = now()
                let hits = file.dense(query: query, filter: filter, k: 10, strategy: strategy.1)
                dense[s].append(now() - t0)
                found[s] += exact.filter(Set(hits.map(\.chunkID)).contains).count
            }
            let terms = (0..<4).map { i -> (term: String, idf: Double) in
                let term = vocabulary[(q * 7 + i * 131) % 2000]
                return (term, BM25.idf(documentFrequency: file.documentFrequency(term), documentCount: file.chunkCount))
            }
            let t0 = now()
            _ = file.bm25(terms: terms, parameters: .init(), statistics: stats, filter: filter, k: 10)
            bm25.append(now() - t0)
        }
        bm25.sort()
        let denseFigures = strategies.indices.map { s -> String in
            let times = dense[s].sorted()
            return "\(strategies[s].0) median \(times[15]) ms p95 \(times[28]) ms recall@10 \(Double(found[s]) / Double(total))"
        }.joined(separator: "; ")
        var info = stat()
        stat(path, &info)
        print("""
            index bench N=\(n) dims=\(dims): file \(info.st_size >> 20) MB, build \(Int(built)) ms (incl. -Onone data generation), \
            open+verify \(Int(opened)) ms; dense \(denseFigures); \
            bm25 (4 terms) median \(bm25[15]) ms p95 \(bm25[28]) ms
            """)
    }

    private func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
    }
}
