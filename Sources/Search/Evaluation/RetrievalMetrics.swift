import Glibc

/// The standard retrieval metrics, as trec_eval and BEIR compute them: nDCG@k with linear gains
/// (the judged grade itself), and recall@k. `ranking` lists document ids best first; `judgments`
/// maps the relevant ones (grade > 0) to their grade.
public enum RetrievalMetrics {
    public static func ndcg(ranking: [String], judgments: [String: Int], k: Int) -> Double {
        var dcg = 0.0
        for (index, id) in ranking.prefix(k).enumerated() {
            if let grade = judgments[id], grade > 0 { dcg += Double(grade) / log2(Double(index + 2)) }
        }
        let ideal = judgments.values.filter { $0 > 0 }.sorted(by: >).prefix(k)
        var idcg = 0.0
        for (index, grade) in ideal.enumerated() { idcg += Double(grade) / log2(Double(index + 2)) }
        return idcg > 0 ? dcg / idcg : 0
    }

    public static func recall(ranking: [String], judgments: [String: Int], k: Int) -> Double {
        let relevant = Set(judgments.filter { $0.value > 0 }.keys)
        guard !relevant.isEmpty else { return 0 }
        return Double(Set(ranking.prefix(k)).intersection(relevant).count) / Double(relevant.count)
    }

    /// Chunk hits to a document ranking: each document at the rank of its best chunk.
    public static func documents(from chunkDocuments: [String]) -> [String] {
        var seen = Set<String>()
        return chunkDocuments.filter { seen.insert($0).inserted }
    }
}
