import Answer
import Embed
import FoundationEssentials
import Ingest

// A small knowledge base embedded with the real model, chunk and sentence vectors from one pass as
// ingestion stores them (quantized and decoded again), ranked by the chunk vectors as dense search
// would: what the extractive generator sees in production, without the database.

private let testsDirectory: String = {
    let file = "\(#filePath)"
    return String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)])
}()

let answerModelDirectory = ProcessInfo.processInfo.environment["PARLEY_TEST_EMBED_MODEL_DIR"]
    ?? testsDirectory + "/../../var/models/all-MiniLM-L6-v2"
let answerModelAvailable = FileManager.default.fileExists(atPath: answerModelDirectory + "/model.safetensors")

/// The sample knowledge shipped with Parley.
let sampleGuidePath = testsDirectory + "/../../scripts/sample-knowledge/parley-user-guide.md"

struct ExtractiveCorpus {
    struct Passage {
        var title: String
        var text: String
        var vector: [Float]
        var sentences: [SentenceVector]
    }

    let embedder: LocalEmbedder
    var passages: [Passage] = []

    init(_ texts: [(title: String, text: String)], storeSentences: Bool = true) throws {
        embedder = try LocalEmbedder(modelDirectory: answerModelDirectory)
        try add(texts, storeSentences: storeSentences)
    }

    /// Passages embedded as ingestion does: the model sees `prefix` (the headings) before the
    /// text, sentences are found in the text alone.
    mutating func add(_ texts: [(title: String, text: String)], prefixes: [String]? = nil, storeSentences: Bool = true) throws {
        let spans = texts.map { TextSegmenter.sentences(in: $0.text) }
        let prefixes = prefixes ?? texts.map { _ in "" }
        let shifted = zip(spans, prefixes).map { ranges, prefix in
            ranges.map { ($0.lowerBound + prefix.utf8.count)..<($0.upperBound + prefix.utf8.count) }
        }
        let embedded = try embedder.embed(texts: zip(prefixes, texts).map { $0 + $1.text }, spans: shifted, kind: .passage)
        for ((title, text), (ranges, embedding)) in zip(texts, zip(spans, embedded)) {
            var kept: [SentenceVectorCoding.Sentence] = []
            for (range, vector) in zip(ranges, embedding.spans) {
                if let vector { kept.append(.init(range: range, vector: vector)) }
            }
            // Through the stored layout, so the generator sees quantized vectors as in production.
            let decoded = SentenceVectorCoding.decode(SentenceVectorCoding.encode(kept)) ?? []
            passages.append(Passage(title: title, text: text, vector: embedding.vector, sentences: storeSentences
                ? decoded.map { SentenceVector(start: $0.range.lowerBound, end: $0.range.upperBound, vector: $0.vector) }
                : []))
        }
    }

    /// A Markdown file through Parley's own parser and chunker, embedded as ingestion does.
    static func ingested(markdownAt path: String) throws -> ExtractiveCorpus {
        var corpus = try ExtractiveCorpus([])
        let bytes = Array(try Data(contentsOf: URL(filePath: path)))
        var source = MemorySource(bytes)
        let embedder = corpus.embedder
        var chunker = Chunker(tokenCount: { embedder.tokenCount($0) })
        var chunks: [Chunk] = []
        _ = try MarkdownParser().parse(&source) { chunks += chunker.add($0) }
        chunks += chunker.finish()
        let prefixes = chunks.map { chunk in
            let headings = chunk.headingPath.suffix(2)
            return headings.isEmpty ? "" : headings.joined(separator: " > ") + "\n"
        }
        try corpus.add(chunks.map { ($0.headingPath.last ?? "", $0.text) }, prefixes: prefixes)
        return corpus
    }

    /// The generator's input for `question`: the `top` passages by chunk cosine, numbered from 1.
    func input(_ question: String, top: Int = 5, withVector: Bool = true, refusal: String = "I don't know.") throws -> GenerationInput {
        let q = try embedder.embed(texts: [question], kind: .query)[0]
        let ranked = passages.indices.map { (index: $0, score: dot(passages[$0].vector, q)) }.sorted { $0.score > $1.score }
        let sources = ranked.prefix(top).enumerated().map { rank, hit in
            let passage = passages[hit.index]
            return Source(n: rank + 1, chunkID: Int64(hit.index + 1), documentID: "doc_test", title: passage.title, page: nil,
                          url: nil, headingPath: [passage.title], text: passage.text, fusedScore: hit.score,
                          denseScore: hit.score, bm25Score: nil, sentences: passage.sentences.isEmpty ? nil : passage.sentences)
        }
        return GenerationInput(question: question, questionVector: withVector ? q : nil, sources: sources,
                               prompt: Prompt(instructions: "", context: "", history: [], question: question), refusal: refusal)
    }
}

func dot(_ a: [Float], _ b: [Float]) -> Double {
    zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}
