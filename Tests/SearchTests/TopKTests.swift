import Search
import Testing

@Suite struct TopKTests {
    @Test func keepsTheHighestScoresInOrder() {
        var top = TopK<Int>(3)
        for (id, score) in [(1, 0.5), (2, 2.0), (3, 1.0), (4, 3.0), (5, 0.1), (6, 1.5)] { top.insert(id, score: score) }
        #expect(top.sorted().map(\.id) == [4, 2, 6])
        #expect(top.threshold == 1.5)
    }

    @Test func bm25MatchesTheLuceneFormula() {
        // N = 4, df = 1: idf = ln(1 + 3.5 / 1.5)
        let idf = BM25.idf(documentFrequency: 1, documentCount: 4)
        #expect(abs(idf - 1.2039728043259361) < 1e-12)
        let stats = BM25Statistics(documentCount: 4, averageLength: 5)
        // tf 2, dl 5 (= avgdl): 2 / (2 + 0.9) · idf
        let score = BM25.termScore(tf: 2, length: 5, idf: idf, statistics: stats, parameters: BM25Parameters())
        #expect(abs(score - idf * 2 / 2.9) < 1e-12)
    }
}
