import CKernels
import Testing

/// Every kernel against a naive Swift reference on random data, at every ISA level this CPU runs
/// (a level above the CPU's is clamped by the kernels, so it would only repeat a lower one).
@Suite struct KernelTests {
    static let levels = Array(Int32(PARLEY_ISA_PORTABLE)...parley_isa_best())

    @Test(arguments: levels)
    func smallGEMMEqualsNaiveProduct(_ isa: Int32) {
        var rng = Random(seed: 1)
        // Edges on every side: rows and columns not multiples of 4, k not a multiple of 8 or 16.
        for (m, n, k) in [(1, 1, 1), (17, 384, 384), (5, 7, 19), (4, 4, 16), (9, 1536, 384), (3, 13, 1536), (64, 9, 33)] {
            let lda = k + 3, ldb = k + 1, ldc = n + 2
            let a = rng.floats(m * lda), b = rng.floats(n * ldb), c0 = rng.floats(m * ldc)
            for (alpha, beta) in [(Float(1), Float(1)), (0.5, 0)] {
                var c = c0
                a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
                    parley_sgemm_nt(isa, m, n, k, alpha, a.baseAddress, lda, b.baseAddress, ldb, beta, c.baseAddress, ldc)
                } } }
                for i in 0..<m {
                    for j in 0..<n {
                        var dot: Double = 0
                        for p in 0..<k { dot += Double(a[i * lda + p]) * Double(b[j * ldb + p]) }
                        let expected = Double(alpha) * dot + Double(beta) * Double(c0[i * ldc + j])
                        #expect(abs(Double(c[i * ldc + j]) - expected) < 1e-4 * max(1, Double(k).squareRoot()), "isa \(isa) m\(m) n\(n) k\(k) [\(i),\(j)]")
                    }
                    // Padding columns past n are never written.
                    for j in n..<ldc { #expect(c[i * ldc + j] == c0[i * ldc + j]) }
                }
            }
        }
    }

    @Test func quantizeKeepsTheRangeAndScale() {
        var out = [Int8](repeating: 0, count: 4)
        let scale = parley_quantize_i8([0.5, -1, 0.25, 0], 4, &out)
        #expect(out == [64, -127, 32, 0])
        #expect(abs(scale - 1 / 127) < 1e-7)
        #expect(parley_quantize_i8([0, 0, 0, 0], 4, &out) == 0)
        #expect(out == [0, 0, 0, 0])
    }

    @Test(arguments: levels)
    func int8ScanKeepsTheBestByTheExactIntegerScore(_ isa: Int32) {
        var rng = Random(seed: 2)
        for (n, dims, keep) in [(1000, 384, 64), (777, 100, 10), (50, 7, 80), (300, 130, 1)] {
            let vectors = (0..<n * dims).map { _ in Int8(Int(rng.next() % 255) - 127) }
            let scales = (0..<n).map { _ in Float(rng.next() % 1000 + 1) / 1000 }
            let query = (0..<dims).map { _ in Int8(Int(rng.next() % 255) - 127) }
            func score(_ i: Int) -> Float {
                var dot: Int32 = 0
                for j in 0..<dims { dot += Int32(vectors[i * dims + j]) * Int32(query[j]) }
                return scales[i] * Float(dot)
            }
            let expected = reference((0..<n).map { (score($0), $0) }, keep: keep)
            var scratch = [parley_hit](repeating: parley_hit(), count: parley_scan_scratch(keep))
            let count = parley_i8_scan(isa, vectors, scales, n, dims, query, nil, keep, &scratch)
            #expect(count == min(n, keep))
            #expect(scratch.prefix(count).map { Int($0.index) } == expected.map(\.1), "isa \(isa) n\(n) dims\(dims)")
            #expect(scratch.prefix(count).map(\.score) == expected.map(\.0))

            var hits = (0..<20).map { parley_hit(score: 0, index: UInt32($0 * 7 % n)) }
            parley_i8_rescore(isa, vectors, scales, dims, query, &hits, hits.count)
            #expect(hits.map(\.score) == hits.map { score(Int($0.index)) })
        }
    }

    @Test(arguments: levels)
    func floatRescoreEqualsNaiveDot(_ isa: Int32) {
        var rng = Random(seed: 3)
        let dims = 385, n = 40
        let vectors = rng.floats(n * dims), query = rng.floats(dims)
        var hits = (0..<n).map { parley_hit(score: 0, index: UInt32(n - 1 - $0)) }
        parley_f32_rescore(isa, vectors, dims, query, &hits, n)
        for hit in hits {
            let i = Int(hit.index)
            let dot = (0..<dims).reduce(0.0) { $0 + Double(vectors[i * dims + $1]) * Double(query[$1]) }
            #expect(abs(Double(hit.score) - dot) < 1e-4)
        }
    }

    @Test(arguments: levels)
    func signScanEqualsPlaneArithmetic(_ isa: Int32) {
        var rng = Random(seed: 4)
        for (n, dims, bits) in [(2000, 384, 6), (500, 70, 4), (300, 600, 8), (100, 64, 2)] {
            let words = (dims + 63) / 64
            let signs = (0..<n * words).map { w in
                // Bits past `dims` stay clear, as the writer leaves them.
                let valid = min(64, dims - (w % words) * 64)
                return valid == 64 ? rng.next() : rng.next() & ((1 << UInt64(valid)) - 1)
            }
            let query = rng.floats(dims)
            var planes = [UInt64](repeating: 0, count: bits * words)
            parley_sign_query(query, dims, words, Int32(bits), &planes)
            // The planes decode to round(q / step) in two's complement.
            let top = Float((1 << (bits - 1)) - 1), largest = query.map(abs).max() ?? 1
            let values = (0..<dims).map { j -> Int in
                var v = 0
                for b in 0..<bits where planes[b * words + j / 64] >> UInt64(j % 64) & 1 == 1 {
                    v += b == bits - 1 ? -(1 << b) : 1 << b
                }
                return v
            }
            #expect(values == query.map { Int((($0 * top / largest)).rounded()) })
            func score(_ i: Int) -> Float {
                var s = 0
                for j in 0..<dims where signs[i * words + j / 64] >> UInt64(j % 64) & 1 == 1 { s += values[j] }
                return Float(s)
            }
            let keep = 50
            let expected = reference((0..<n).map { (score($0), $0) }, keep: keep)
            var scratch = [parley_hit](repeating: parley_hit(), count: parley_scan_scratch(keep))
            let count = parley_sign_scan(isa, signs, n, words, planes, Int32(bits), nil, keep, &scratch)
            #expect(scratch.prefix(count).map { Int($0.index) } == expected.map(\.1), "isa \(isa) n\(n) dims\(dims) bits\(bits)")
            #expect(scratch.prefix(count).map(\.score) == expected.map(\.0))
        }
    }

    @Test(arguments: levels)
    func filterSkipsRowsOfExcludedCollectionsAndDocuments(_ isa: Int32) {
        let n = 200, dims = 64
        let vectors = (0..<n * dims).map { Int8(truncatingIfNeeded: $0 % 200 - 100) }
        let scales = [Float](repeating: 1, count: n)
        let query = [Int8](repeating: 1, count: dims)
        let collections = (0..<n).map { UInt16($0 % 3) }
        let documents = (0..<n).map { UInt32($0 / 10) }
        let collectionBits: [UInt64] = [0b101]               // collections 0 and 2
        let documentBits: [UInt64] = [~UInt64(0) ^ (1 << 4)]  // every document but 4 (rows 40..<50)
        var scratch = [parley_hit](repeating: parley_hit(), count: parley_scan_scratch(n))
        let count = collections.withUnsafeBufferPointer { c in documents.withUnsafeBufferPointer { d in
            collectionBits.withUnsafeBufferPointer { cb in documentBits.withUnsafeBufferPointer { db in
                var filter = parley_filter(collection_ordinals: c.baseAddress, collection_bits: cb.baseAddress, collection_count: 3,
                                           document_ordinals: d.baseAddress, document_bits: db.baseAddress, document_count: 20)
                return parley_i8_scan(isa, vectors, scales, n, dims, query, &filter, n, &scratch)
            } }
        } }
        let expected = Set((0..<n).filter { $0 % 3 != 1 && $0 / 10 != 4 })
        #expect(Set(scratch.prefix(count).map { Int($0.index) }) == expected)
    }

    @Test func topHitsSelectsAndSortsWithTiesByIndex() {
        var rng = Random(seed: 5)
        for (count, keep) in [(10_000, 2000), (100, 100), (100, 500), (5000, 1), (3000, 64)] {
            // Few distinct scores, so ties are everywhere.
            var hits = (0..<count).map { parley_hit(score: Float(rng.next() % 50), index: UInt32($0)) }
            let expected = reference(hits.map { ($0.score, Int($0.index)) }, keep: keep)
            hits.shuffle(using: &rng)
            let kept = parley_top_hits(&hits, count, keep)
            #expect(hits.prefix(kept).map { Int($0.index) } == expected.map(\.1))
        }
    }
}

/// Best first, ties by lower index: the order every kernel promises.
private func reference(_ scored: [(Float, Int)], keep: Int) -> [(Float, Int)] {
    Array(scored.sorted { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }.prefix(keep))
}

struct Random: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func floats(_ count: Int) -> [Float] {
        (0..<count).map { _ in Float(Int64(bitPattern: next()) >> 40) / Float(1 << 23) }
    }
}
