import FoundationEssentials
import Testing

@testable import Embed

// Sentence vectors pooled from the chunk's own forward pass ("late chunking"): the token offsets
// they rest on, the pooling, and that they carry meaning, with the real MiniLM model.

private let spanModel: String = {
    let file = "\(#filePath)"
    let tests = String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)])
    return ProcessInfo.processInfo.environment["PARLEY_TEST_EMBED_MODEL_DIR"]
        ?? tests + "/../../var/models/all-MiniLM-L6-v2"
}()
private let spanModelAvailable = FileManager.default.fileExists(atPath: spanModel + "/model.safetensors")

private func dot(_ a: [Float], _ b: [Float]) -> Double {
    zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}

private func slice(_ text: String, _ range: Range<Int>) -> String {
    String(decoding: Array(text.utf8)[range], as: UTF8.self)
}

@Suite struct SpanEmbeddingTests {
    // MARK: Token offsets

    /// Tracking offsets must not change a single id: every reference string of tokens.json.
    @Test func offsetsLeaveTheIdsOfEveryReferenceStringUnchanged() throws {
        let fixture = try loadFixture(TokenFixture.self, "tokens.json")
        let tokenizer = try WordPieceTokenizer(modelDirectory: miniLMDirectory)
        for c in fixture.cases {
            let tokens = tokenizer.encodeWithOffsets(c.text)
            #expect(tokens.ids == c.ids, "ids of \(describe(c.text))")
            #expect(tokens.offsets.count == tokens.ids.count)
            #expect(tokens.truncated == (c.count > fixture.max_length - 2), "truncation of \(describe(c.text))")
        }
    }

    @Test func eachTokenPointsAtTheWordItCameFrom() throws {
        let tokenizer = try WordPieceTokenizer(modelDirectory: miniLMDirectory)
        let text = "Héllo, WORLD! 価格 [SEP] tokenization"
        let tokens = tokenizer.encodeWithOffsets(text)
        #expect(tokens.ids == tokenizer.encode(text))
        let sources = tokens.offsets.dropFirst().dropLast().map { slice(text, $0) }
        // "tokenization" is two pieces ("token", "##ization") that share the word's range.
        #expect(sources == ["Héllo", ",", "WORLD", "!", "価", "格", "[SEP]", "tokenization", "tokenization"])
        #expect(tokens.offsets.first == 0..<0)
        #expect(tokens.offsets.last == text.utf8.count..<text.utf8.count)
    }

    // MARK: Sentences

    @Test func sentencesBreakAtSentenceEndsAndLinesButNotAbbreviationsOrDecimals() {
        let text = "Pricing\n\nThe plan costs 3.5 euros, e.g. per seat. Dr. Ames signs it! Really?\n- first item\n- second item\n|---|"
        let sentences = TextSegmenter.sentences(in: text).map { slice(text, $0) }
        #expect(sentences == ["Pricing", "The plan costs 3.5 euros, e.g. per seat.", "Dr. Ames signs it!", "Really?",
                              "- first item", "- second item"])
    }

    // MARK: Pooling, with the real model

    @Test(.enabled(if: spanModelAvailable, "needs the MiniLM model (scripts/fetch-model)"))
    func spansComeFromTheSameForwardPassWithoutChangingTheChunkVector() throws {
        let embedder = try LocalEmbedder(modelDirectory: spanModel)
        let texts = ["Refunds are issued within 14 days. Shipping is free above 50 euros. Our office is in Lyon.",
                     "A single sentence without a full stop"]
        let spans = texts.map { TextSegmenter.sentences(in: $0) + [0..<$0.utf8.count] }
        let plain = try embedder.embed(texts: texts, kind: .passage)
        let pooled = try embedder.embed(texts: texts, spans: spans, kind: .passage)
        #expect(spans[0].count == 4)
        for (i, result) in pooled.enumerated() {
            #expect(result.vector == plain[i], "the chunk vector is bit for bit what embed gives")
            #expect(result.spans.count == spans[i].count)
            for vector in result.spans {
                let vector = try #require(vector)
                #expect(abs(dot(vector, vector) - 1) < 1e-4, "unit length")
            }
            // The span over the whole text includes [CLS] and [SEP]: it is the chunk's mean pooling.
            let whole = try #require(result.spans.last ?? nil)
            #expect(dot(whole, result.vector) > 0.99999)
            #expect(zip(whole, result.vector).allSatisfy { abs($0 - $1) < 1e-5 })
        }
        // Sentences of one text differ from each other and from the whole.
        let sentences = pooled[0].spans.prefix(3).compactMap { $0 }
        #expect(dot(sentences[0], sentences[1]) < 0.95 && dot(sentences[0], pooled[0].vector) < 0.99)
    }

    @Test(.enabled(if: spanModelAvailable, "needs the MiniLM model (scripts/fetch-model)"))
    func aQuestionScoresHighestWithTheSentenceAboutItsTopic() throws {
        let embedder = try LocalEmbedder(modelDirectory: spanModel)
        let text = "Our support team answers emails within one business day. "
            + "The headquarters moved to a new building in Lyon in 2021. "
            + "Passwords must be at least twelve characters long and are rotated every ninety days."
        let spans = TextSegmenter.sentences(in: text)
        let result = try #require(try embedder.embed(texts: [text], spans: [spans], kind: .passage).first)
        let questions = ["How long do passwords need to be?": 2, "Where is the head office located?": 1,
                         "How quickly does customer support reply to email?": 0]
        for (question, expected) in questions {
            let q = try #require(try embedder.embed(texts: [question], kind: .query).first)
            let scores = result.spans.map { $0.map { dot($0, q) } ?? -1 }
            let best = scores.indices.max { scores[$0] < scores[$1] }
            #expect(best == expected, "\(question): \(scores)")
            // The sentence beats the whole chunk for a question about one of its topics.
            #expect(scores[expected] > dot(result.vector, q), "\(question)")
        }
    }

    @Test(.enabled(if: spanModelAvailable, "needs the MiniLM model (scripts/fetch-model)"))
    func aSentenceCutOffByTheModelsMaximumLengthGetsNoVector() throws {
        let embedder = try LocalEmbedder(modelDirectory: spanModel)
        let filler = String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 40)
        let text = "First sentence stays. " + filler + "The last sentence is beyond the window."
        let spans = TextSegmenter.sentences(in: text)
        let result = try #require(try embedder.embed(texts: [text], spans: [spans], kind: .passage).first)
        #expect(result.spans.first! != nil)
        #expect(result.spans.last! == nil)
        #expect(result.spans.contains { $0 == nil } && result.spans.contains { $0 != nil })
    }
}
