internal import CKernels

extension IndexFile {
    /// How a dense search reads the vectors.
    enum DenseStrategy: Sendable {
        /// Every float vector (tests' reference; 4 bytes per dimension per chunk).
        case exact
        /// Every int8 vector, then the best `shortlist(k:)` rescored exactly from the floats.
        case int8
        /// Every row of sign bits, the best `candidateCount(k:)` rescored from int8, then the
        /// best `shortlist(k:)` of those exactly.
        case signs
    }

    /// Up to this many chunks, dense search scans the int8 vectors (1 byte per dimension); above
    /// it, the sign bits (1 bit per dimension) first. See the README "Search" section for the
    /// measurements behind it.
    public static let int8ScanLimit = 250_000

    /// The int8 scan's shortlist for exact rescoring: small enough to cost nothing, large enough
    /// that int8 rounding (a per-row scale, ~0.4% of a component) never pushes a true top-k out.
    static func shortlist(k: Int) -> Int { max(k * 8, 64) }

    /// Candidates the sign prefilter keeps for int8 rescoring.
    static func candidateCount(k: Int) -> Int { max(k * 50, 2000) }

    /// Bits of the query's planes in the sign prefilter: 6 keeps the estimate's order as the float
    /// query's (measured recall identical at 1M), with 6 popcounts per stored word.
    static let signQueryBits: Int32 = 6

    /// The kernels' instruction set level (the CPU's best).
    static let isa = parley_isa_best()

    /// The `k` chunks whose vectors have the highest dot product with `query` (the cosine, for the
    /// unit vectors the writer stored), among those `filter` allows. Highest first, ties by chunk id.
    /// A query of the wrong dimension, or a filter compiled for another file, returns nothing.
    ///
    /// Up to `int8ScanLimit` chunks the int8 copy is scanned (a quarter of the float bytes, VNNI
    /// dot products) and a shortlist rescored exactly. Above it, the sign bits are scanned first with
    /// an asymmetric estimate: the query stays (nearly) exact, quantized to 6-bit planes, and each
    /// stored bit counts as 0/1, so the estimate is Σ v_j·sign⁺(x_j), computed with popcounts. Why
    /// not Hamming distance between sign(q) and sign(x): on random unit vectors (384 dims, 60k
    /// chunks, 2000 candidates) Hamming keeps only ~76% of the true top 10, the asymmetric
    /// estimate ~96%, for the same 48 bytes per chunk read.
    public func dense(query: [Float], filter: CompiledFilter, k: Int) -> [(chunkID: Int64, score: Double)] {
        dense(query: query, filter: filter, k: k, strategy: chunkCount <= Self.int8ScanLimit ? .int8 : .signs)
    }

    /// `strategy` is a parameter so tests can compare the paths on the same file.
    func dense(query: [Float], filter: CompiledFilter, k: Int, strategy: DenseStrategy) -> [(chunkID: Int64, score: Double)] {
        guard k > 0, chunkCount > 0, query.count == dimensions, filter.file === self else { return [] }
        return query.withUnsafeBufferPointer { q -> [(chunkID: Int64, score: Double)] in
            guard let q = q.baseAddress else { return [] }
            switch strategy {
            case .exact: return ranked(exactScan(q, filter: filter, k: k))
            case .int8, .signs: return quantizedScan(q, filter: filter, k: k, prefilter: strategy == .signs)
            }
        }
    }

    private func quantizedScan(_ q: UnsafePointer<Float>, filter: CompiledFilter, k: Int, prefilter: Bool) -> [(chunkID: Int64, score: Double)] {
        let d = dimensions, shortlist = Self.shortlist(k: k)
        var q8 = [Int8](repeating: 0, count: d)
        _ = parley_quantize_i8(q, d, &q8)
        var hits: [parley_hit]
        var count: Int
        if prefilter {
            let keep = Self.candidateCount(k: k)
            var planes = [UInt64](repeating: 0, count: Int(Self.signQueryBits) * signWords)
            parley_sign_query(q, d, signWords, Self.signQueryBits, &planes)
            hits = [parley_hit](repeating: parley_hit(), count: parley_scan_scratch(keep))
            count = filter.withKernelFilter { f in
                parley_sign_scan(Self.isa, signs, chunkCount, signWords, planes, Self.signQueryBits, f, keep, &hits)
            }
            // Ascending rows: the int8 rows are read in file order, which the prefetcher follows.
            hits[0..<count].sort { $0.index < $1.index }
            parley_i8_rescore(Self.isa, quantized, scales, d, q8, &hits, count)
            count = parley_top_hits(&hits, count, shortlist)
        } else {
            hits = [parley_hit](repeating: parley_hit(), count: parley_scan_scratch(shortlist))
            count = filter.withKernelFilter { f in
                parley_i8_scan(Self.isa, quantized, scales, chunkCount, d, q8, f, shortlist, &hits)
            }
        }
        parley_f32_rescore(Self.isa, vectors, d, q, &hits, count)
        count = parley_top_hits(&hits, count, k)
        return hits[0..<count]
            .map { (chunkID: chunkIDs[Int($0.index)], score: Double($0.score)) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.chunkID < $1.chunkID }
    }

    private func exactScan(_ q: UnsafePointer<Float>, filter: CompiledFilter, k: Int) -> TopK<Int> {
        var top = TopK<Int>(k)
        var threshold = -Float.infinity
        let allowsAll = filter.allowsAll, d = dimensions
        for i in 0..<chunkCount {
            guard allowsAll || filter.allows(collection: Int(collectionOrdinals[i]), document: Int(documentOrdinals[i])) else { continue }
            let score = VectorKernels.dot(q, vectors + i * d, d)
            guard score > threshold else { continue }
            top.insert(i, score: Double(score))
            if top.count == k { threshold = Float(top.threshold) }
        }
        return top
    }
}

/// Float kernels for the exact scan. SIMD8 (two SSE registers) with two accumulators: SwiftPM builds for
/// baseline x86-64, where wider vectors spill (see Embed's VectorMath for the measurements).
enum VectorKernels {
    typealias Vector = SIMD8<Float>

    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var s0 = Vector(), s1 = Vector()
        var i = 0
        while i + 16 <= count {
            s0 += load(a + i) * load(b + i)
            s1 += load(a + i + 8) * load(b + i + 8)
            i += 16
        }
        if i + 8 <= count {
            s0 += load(a + i) * load(b + i)
            i += 8
        }
        var sum = (s0 + s1).sum()
        while i < count {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }
}
