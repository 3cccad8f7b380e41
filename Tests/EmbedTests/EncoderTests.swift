import FoundationEssentials
import Testing

@testable import Embed

// The reference vectors come from sentence-transformers itself (scripts/make-embed-fixtures), so
// these tests check the engine against the real thing, not against our reading of BERT. Paths
// are derived from this file, so neither Bundle.module nor the working directory matter.

private let testsDirectory: String = {
    let file = "\(#filePath)"
    return String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)])
}()
private let encoderFixtures = testsDirectory + "/Fixtures/"
/// The MiniLM weights are not committed (90 MB); scripts/fetch-model installs them here.
private let miniLMModel = testsDirectory + "/../../var/models/all-MiniLM-L6-v2"
private let miniLMAvailable = FileManager.default.fileExists(atPath: miniLMModel + "/model.safetensors")
    && FileManager.default.fileExists(atPath: encoderFixtures + "minilm-vectors.json")

private struct MiniLMVectors: Decodable {
    struct Case: Decodable {
        var text: String
        var ids: [Int32]
        var vector: [Float]
    }
    var cases: [Case]
}

private struct TinyVectors: Decodable {
    struct Encoded: Decodable {
        var ids: [Int32]
        var vector: [Float]
    }
    struct Case: Decodable {
        var text: String
        var query: Encoded
        var passage: Encoded
    }
    var normalize_module: Bool
    var cases: [Case]
}

private func decodeFixture<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(filePath: path)))
}

private func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0, na = 0.0, nb = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        na += Double(x) * Double(x)
        nb += Double(y) * Double(y)
    }
    return dot / max((na * nb).squareRoot(), 1e-30)
}

/// ‖a − b‖ / ‖b‖: catches a right direction with a wrong length (a missing or extra Normalize).
private func unit(_ vector: [Float]) -> [Float] {
    let norm = vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    return vector.map { Float(Double($0) / norm) }
}

private func relativeError(_ a: [Float], _ b: [Float]) -> Double {
    var diff = 0.0, norm = 0.0
    for (x, y) in zip(a, b) {
        diff += Double(x - y) * Double(x - y)
        norm += Double(y) * Double(y)
    }
    return (diff / max(norm, 1e-30)).squareRoot()
}

private func maxAbsDifference(_ a: [[Float]], _ b: [[Float]]) -> Float {
    zip(a, b).map { zip($0, $1).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
}

@Suite struct EncoderTests {
    // MARK: - Against sentence-transformers

    @Test(.enabled(if: miniLMAvailable, "needs var/models/all-MiniLM-L6-v2 (scripts/fetch-model)"))
    func miniLMMatchesSentenceTransformers() throws {
        let fixture = try decodeFixture(MiniLMVectors.self, encoderFixtures + "minilm-vectors.json")
        let embedder = try LocalEmbedder(modelDirectory: miniLMModel)
        #expect(embedder.dimensions == 384)
        #expect(embedder.modelName == "all-MiniLM-L6-v2")
        let tokenizer = try WordPieceTokenizer(modelDirectory: miniLMModel)
        let vectors = try embedder.embed(texts: fixture.cases.map(\.text), kind: .passage)
        #expect(vectors.count == fixture.cases.count)
        for (c, vector) in zip(fixture.cases, vectors) {
            #expect(tokenizer.encode(c.text) == c.ids, "token ids of \(c.text.prefix(40))")
            #expect(cosine(vector, c.vector) >= 0.999, "cosine for \(c.text.prefix(40))")
            #expect(relativeError(vector, c.vector) < 1e-3, "length/direction for \(c.text.prefix(40))")
        }
    }

    /// int8 questions: close to the reference vectors (retrieval quality is measured by
    /// `scripts/bench eval`), as close at every ISA level, and passages untouched.
    @Test(.enabled(if: miniLMAvailable, "needs var/models/all-MiniLM-L6-v2 (scripts/fetch-model)"))
    func miniLMInt8QuestionsStayCloseToTheReference() throws {
        let fixture = try decodeFixture(MiniLMVectors.self, encoderFixtures + "minilm-vectors.json")
        let texts = fixture.cases.map(\.text)
        let int8 = try LocalEmbedder(modelDirectory: miniLMModel, queryPrecision: .int8)
        let exact = try LocalEmbedder(modelDirectory: miniLMModel)
        #expect(exact.queryPrecision == .float32)
        #expect(int8.queryPrecision == (MatrixProduct().hasFastInt8 ? .int8 : .float32))
        let questions = try int8.embed(texts: texts, kind: .query)
        let cosines = zip(fixture.cases, questions).map { cosine($1, $0.vector) }.sorted()
        // Measured: 0.992 for [CLS] [SEP] alone, 0.996 for 3 tokens, 0.998–0.9993 for 5 and more.
        #expect(cosines[0] >= 0.99)
        #expect(cosines[cosines.count / 2] >= 0.998)
        if int8.queryPrecision == .int8 { #expect(cosines.last! < 0.99999, "the int8 pass must really have run") }
        #expect(maxAbsDifference(try int8.embed(texts: texts, kind: .passage), try exact.embed(texts: texts, kind: .passage)) == 0)

        // The portable int8 kernel is as close (each path's rounding differs: a value on a
        // quantization boundary goes one way or the other, so the two are not bit for bit equal).
        let portable = try BertEncoder(modelDirectory: miniLMModel, product: MatrixProduct(isa: 0), quantize: true)
        let portableCosines = zip(fixture.cases, try portable.encode(fixture.cases.map(\.ids), precision: .int8))
            .map { cosine($1, $0.vector) }.sorted()
        #expect(portableCosines[0] >= 0.99)
        #expect(portableCosines[portableCosines.count / 2] >= 0.998)
    }

    /// The encoder alone on the reference's own token ids, so a tokenizer bug cannot mask (or
    /// fake) an encoder bug.
    @Test(.enabled(if: miniLMAvailable, "needs var/models/all-MiniLM-L6-v2 (scripts/fetch-model)"))
    func miniLMEncoderMatchesOnReferenceIDs() throws {
        let fixture = try decodeFixture(MiniLMVectors.self, encoderFixtures + "minilm-vectors.json")
        let encoder = try BertEncoder(modelDirectory: miniLMModel)
        let vectors = try encoder.encode(fixture.cases.map(\.ids))
        for (c, vector) in zip(fixture.cases, vectors) {
            #expect(cosine(vector, c.vector) >= 0.999, "cosine for \(c.text.prefix(40))")
        }
    }

    /// tiny-bert-cls: CLS pooling + Normalize, cased tokenizer, empty prompts.
    /// tiny-bert-mean-prefix: mean pooling, no Normalize, "query: "/"passage: " prompts.
    @Test(arguments: ["tiny-bert-cls", "tiny-bert-mean-prefix"])
    func tinyModelMatchesSentenceTransformers(_ name: String) throws {
        let directory = encoderFixtures + name
        let fixture = try decodeFixture(TinyVectors.self, directory + "/vectors.json")
        let embedder = try LocalEmbedder(modelDirectory: directory)
        #expect(embedder.modelNormalizes == fixture.normalize_module)
        let texts = fixture.cases.map(\.text)
        let queries = try embedder.embed(texts: texts, kind: .query)
        let passages = try embedder.embed(texts: texts, kind: .passage)
        let configuration = try BertConfiguration(modelDirectory: directory)
        let tokenizer = try WordPieceTokenizer(modelDirectory: directory)
        for (i, c) in fixture.cases.enumerated() {
            #expect(tokenizer.encode(configuration.prompt(for: .query) + c.text) == c.query.ids, "query ids of \(c.text.prefix(40))")
            #expect(tokenizer.encode(configuration.prompt(for: .passage) + c.text) == c.passage.ids, "passage ids of \(c.text.prefix(40))")
            #expect(cosine(queries[i], c.query.vector) >= 0.999, "query cosine for \(c.text.prefix(40))")
            #expect(cosine(passages[i], c.passage.vector) >= 0.999, "passage cosine for \(c.text.prefix(40))")
            // The embedder returns unit vectors whatever the model; the encoder tests check the
            // unnormalised magnitudes of models without a Normalize module.
            #expect(relativeError(queries[i], unit(c.query.vector)) < 1e-3)
            #expect(relativeError(passages[i], unit(c.passage.vector)) < 1e-3)
        }
    }

    @Test func promptsComeFromTheModelConfiguration() throws {
        let prefixed = try BertConfiguration(modelDirectory: encoderFixtures + "tiny-bert-mean-prefix")
        #expect(prefixed.prompt(for: .query) == "query: ")
        #expect(prefixed.prompt(for: .passage) == "passage: ")
        #expect(prefixed.pooling == .mean)
        #expect(!prefixed.normalizes)
        let cls = try BertConfiguration(modelDirectory: encoderFixtures + "tiny-bert-cls")
        #expect(cls.pooling == .cls)
        #expect(cls.normalizes)
        #expect(cls.prompt(for: .query).isEmpty)
    }

    // MARK: - Batching

    /// Unequal lengths in one batch must give what each text gives alone: a sequence may only
    /// attend to its own tokens (no leak across the batch, none from padding).
    @Test(arguments: ["tiny-bert-cls", "tiny-bert-mean-prefix"])
    func batchOfUnequalLengthsEqualsOneAtATime(_ name: String) throws {
        let directory = encoderFixtures + name
        let texts = try decodeFixture(TinyVectors.self, directory + "/vectors.json").cases.map(\.text)
        let embedder = try LocalEmbedder(modelDirectory: directory, batchSize: 5)
        let batched = try embedder.embed(texts: texts, kind: .query)
        let single = try texts.map { try embedder.embed(texts: [$0], kind: .query)[0] }
        #expect(Set(texts.map(embedder.tokenCount)).count > 2, "the fixture must mix lengths")
        #expect(maxAbsDifference(batched, single) < 1e-5)
    }

    @Test(.enabled(if: miniLMAvailable, "needs var/models/all-MiniLM-L6-v2 (scripts/fetch-model)"))
    func miniLMBatchEqualsOneAtATime() throws {
        let texts = ["hi", "What is the capital of France?", String(repeating: "long text with many words ", count: 20), ""]
        let embedder = try LocalEmbedder(modelDirectory: miniLMModel)
        let batched = try embedder.embed(texts: texts, kind: .passage)
        let single = try texts.map { try embedder.embed(texts: [$0], kind: .passage)[0] }
        #expect(maxAbsDifference(batched, single) < 1e-5)
        for vector in batched {
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-4, "MiniLM has a Normalize module")
        }
    }

    @Test func emptyInputGivesNoVectors() throws {
        let embedder = try LocalEmbedder(modelDirectory: encoderFixtures + "tiny-bert-cls")
        #expect(try embedder.embed(texts: [], kind: .query).isEmpty)
    }

    // MARK: - Missing files

    @Test func missingModelDirectoryIsNamed() {
        let path = "/tmp/parley-no-such-model"
        #expect {
            _ = try LocalEmbedder(modelDirectory: path)
        } throws: { error in
            (error as? ModelError)?.kind == .missingFile && "\(error)".contains(path)
        }
    }

    @Test(arguments: ["model.safetensors", "config.json", "modules.json", "1_Pooling/config.json"])
    func missingModelFileIsNamed(_ missing: String) throws {
        let source = encoderFixtures + "tiny-bert-cls"
        let copy = "/tmp/parley-encoder-tests-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.copyItem(atPath: source, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.removeItem(atPath: copy + "/" + missing)
        #expect {
            _ = try LocalEmbedder(modelDirectory: copy)
        } throws: { error in
            (error as? ModelError)?.kind == .missingFile && "\(error)".contains(missing)
        }
    }
}
