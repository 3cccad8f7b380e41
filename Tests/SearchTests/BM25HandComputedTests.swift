import Search
import Testing

/// BM25 through the real analyzer and index file on a three-chunk corpus, against values computed
/// by hand (N = 3, avgdl = 8/3, k1 = 0.9, b = 0.4):
///   idf(cat) = idf(dog) = ln(1 + 1.5/2.5) = ln 1.6;  idf(bird) = ln(1 + 2.5/1.5)
///   "cat sat mat": cat tf 1, dl 3 → ln 1.6 · 1 / (1 + 0.9 · (0.6 + 0.4 · 3 / (8/3)))
@Suite struct BM25HandComputedTests {
    private func corpus() throws -> (IndexFile, IndexTestDirectory, Analyzer) {
        let analyzer = try Analyzer()
        let texts: [(Int64, String)] = [(1, "The cat sat on a mat."), (2, "Cat, cat and dog!"), (3, "A dog and a bird.")]
        let chunks = texts.map { id, text in
            let (counts, length) = analyzer.termCounts(text)
            return IndexedChunk(id: id, collectionID: "col", documentID: "doc\(id)", termCounts: counts, length: length, embedding: [1, 0])
        }
        let dir = try IndexTestDirectory()
        try IndexFileWriter.write(chunks, dimensions: 2, generation: 1, watermark: 3, to: dir.file)
        return (try IndexFile.open(path: dir.file), dir, analyzer)
    }

    private func search(_ query: String) throws -> [Int64: Double] {
        let (file, _, analyzer) = try corpus()
        #expect(file.totalLength == 8, "stop words (the, on, a, and) are not counted")
        let statistics = BM25Statistics(documentCount: file.chunkCount, averageLength: file.averageLength)
        let terms = Set(analyzer.terms(query)).map { ($0, BM25.idf(documentFrequency: file.documentFrequency($0), documentCount: file.chunkCount)) }
        var scores: [Int64: Double] = [:]
        for hit in file.bm25(terms: terms, parameters: BM25Parameters(), statistics: statistics,
                             filter: ChunkFilter.all.compile(for: file), k: 10) {
            scores[hit.chunkID] = hit.score
        }
        return scores
    }

    @Test func singleTermScoresMatchHandComputedValues() throws {
        let scores = try search("cats")
        #expect(abs((scores[1] ?? 0) - 0.24164711015204915) < 1e-5)
        #expect(abs((scores[2] ?? 0) - 0.31918752410576273) < 1e-5, "two occurrences score higher")
        #expect(scores[3] == nil)
    }

    @Test func scoresAddUpOverQueryTerms() throws {
        let scores = try search("dog bird")
        #expect(abs((scores[3] ?? 0) - 0.8015651283190397) < 1e-5)
        #expect(abs((scores[2] ?? 0) - 0.24164711015204915) < 1e-5)
    }
}
