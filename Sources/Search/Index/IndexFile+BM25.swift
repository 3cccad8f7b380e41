import Glibc

extension IndexFile {
    /// BM25 over the file's postings, term at a time: each query term's postings add
    /// `BM25.termScore` into a per-chunk score array, then one pass keeps the top `k` chunks that
    /// pass `filter`. Chunks that match no term (score 0) are never returned.
    ///
    /// `idf` and `statistics` come from the caller, who combines this file's df/N/avgdl with the
    /// fresh chunks above the watermark; the file only supplies tf and chunk lengths.
    ///
    /// Scratch: N floats (4 MB at 1M chunks) from `calloc` per call, freed before returning. Fresh
    /// zeroed pages cost less than clearing a per-thread buffer and keep the method free of thread
    /// state. Scores accumulate in Float: ranks can swap only between chunks whose scores agree to
    /// ~1e-7 relative. Results: highest score first, ties by ascending chunk id.
    public func bm25(terms: [(term: String, idf: Double)], parameters: BM25Parameters, statistics: BM25Statistics,
                     filter: CompiledFilter, k: Int) -> [(chunkID: Int64, score: Double)] {
        let n = chunkCount
        guard k > 0, n > 0, filter.file === self else { return [] }
        guard let raw = calloc(n, MemoryLayout<Float>.stride) else { return [] }
        defer { free(raw) }
        let scores = raw.assumingMemoryBound(to: Float.self)

        var matched = false
        for (term, idf) in terms {
            guard let t = vocabulary.index(of: term) else { continue }
            // Validated at open: starts ascend and end at the posting count.
            let start = Int(postingStarts[t]), end = Int(postingStarts[t + 1])
            for p in start..<end {
                let chunk = Int(postingChunks[p])
                guard chunk < n else { continue }
                let score = BM25.termScore(tf: Int(postingFrequencies[p]), length: Int(lengths[chunk]), idf: idf,
                                           statistics: statistics, parameters: parameters)
                scores[chunk] += Float(score)
            }
            matched = matched || end > start
        }
        guard matched else { return [] }

        var top = TopK<Int>(k)
        var threshold = Float(0)
        let allowsAll = filter.allowsAll
        for i in 0..<n {
            let score = scores[i]
            // Strictly above both 0 (no match) and the current k-th score.
            guard score > threshold else { continue }
            guard allowsAll || filter.allows(collection: Int(collectionOrdinals[i]), document: Int(documentOrdinals[i])) else { continue }
            top.insert(i, score: Double(score))
            if top.count == k { threshold = max(0, Float(top.threshold)) }
        }
        return ranked(top)
    }

    /// TopK's order with ties broken by chunk id, so equal scores give the same answer every time.
    func ranked(_ top: TopK<Int>) -> [(chunkID: Int64, score: Double)] {
        top.sorted()
            .map { (chunkID: chunkIDs[$0.id], score: $0.score) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.chunkID < $1.chunkID }
    }
}
