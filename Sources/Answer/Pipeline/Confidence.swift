/// How sure Parley is of an answer, in [0, 1], from two kinds of evidence:
/// - retrieval: how close the cited (or, when nothing is cited, the best) sources are to the question,
///   by dense cosine. For all-MiniLM-L6-v2, passages that answer a question typically score 0.5–0.8
///   and unrelated ones below 0.3, so the cosine is mapped linearly from 0.25 (→ 0) to 0.65 (→ 1);
/// - support: the share of the answer's sentences that cite a source.
/// A refusal has confidence 0: there is nothing to trust, and a person should see the question.
public enum Confidence {
    public static let lowCosine = 0.25
    public static let highCosine = 0.65

    public static func score(sources: [Source], resolved: Citations.Resolved, refused: Bool) -> Double {
        guard !refused, !sources.isEmpty else { return 0 }
        let cited = Set(resolved.citations.map(\.n))
        let evidence = cited.isEmpty ? sources : sources.filter { cited.contains($0.n) }
        let best = evidence.compactMap(\.denseScore).max() ?? 0
        let retrieval = min(max((best - lowCosine) / (highCosine - lowCosine), 0), 1)
        let value = 0.6 * retrieval + 0.4 * resolved.supportedShare
        return (value * 1000).rounded() / 1000
    }
}
