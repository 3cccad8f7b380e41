/// How sure Parley is of an answer, in [0, 1], from two kinds of evidence:
/// - retrieval and citation support: how close the cited sources (or, when nothing is cited, the
///   best ones) are to the question — for each, the better of the chunk's dense cosine and its best
///   sentence's (a chunk that covers several subjects can hold one sentence that answers exactly).
///   For all-MiniLM-L6-v2, passages that answer a question typically score 0.5–0.8 and unrelated ones
///   below 0.3, so the cosine is mapped linearly from 0.25 (→ 0) to 0.65 (→ 1);
/// - coverage: the share of the answer's sentences that cite a source.
/// A refusal has confidence 0: there is nothing to trust, and a person should see the question.
public enum Confidence {
    public static let lowCosine = 0.25
    public static let highCosine = 0.65

    public static func score(sources: [Source], resolved: Citations.Resolved, refused: Bool, question: [Float]? = nil) -> Double {
        guard !refused, !sources.isEmpty else { return 0 }
        let cited = Set(resolved.citations.map(\.n))
        let evidence = cited.isEmpty ? sources : sources.filter { cited.contains($0.n) }
        let best = evidence.map { support(of: $0, question: question) }.max() ?? 0
        let retrieval = min(max((best - lowCosine) / (highCosine - lowCosine), 0), 1)
        let value = 0.6 * retrieval + 0.4 * resolved.supportedShare
        return (value * 1000).rounded() / 1000
    }

    /// The source's closeness to the question: its dense cosine, or its best sentence's.
    static func support(of source: Source, question: [Float]?) -> Double {
        var best = source.denseScore ?? 0
        guard let question, let sentences = source.sentences else { return best }
        for sentence in sentences where sentence.vector.count == question.count {
            var dot: Float = 0
            for index in 0..<question.count { dot += sentence.vector[index] * question[index] }
            best = max(best, Double(dot))
        }
        return best
    }
}
