import Search
import Testing

@Suite struct RetrievalMetricsTests {
    @Test func ndcgMatchesAHandComputedValue() {
        // Relevant: a (grade 2), c (grade 1). Ranking: a, b, c.
        // DCG = 2/log2(2) + 1/log2(4) = 2.5; IDCG = 2/log2(2) + 1/log2(3) = 2.6309297535714578
        let value = RetrievalMetrics.ndcg(ranking: ["a", "b", "c"], judgments: ["a": 2, "c": 1], k: 10)
        #expect(abs(value - 2.5 / 2.6309297535714578) < 1e-12)
        #expect(RetrievalMetrics.ndcg(ranking: ["b"], judgments: ["a": 1], k: 10) == 0)
    }

    @Test func recallCountsRelevantDocumentsFound() {
        #expect(RetrievalMetrics.recall(ranking: ["a", "x", "b"], judgments: ["a": 1, "b": 1, "c": 1, "z": 0], k: 2) == 1.0 / 3.0)
    }

    @Test func chunkHitsCollapseToTheBestRankPerDocument() {
        #expect(RetrievalMetrics.documents(from: ["d1", "d2", "d1", "d3", "d2"]) == ["d1", "d2", "d3"])
    }
}
