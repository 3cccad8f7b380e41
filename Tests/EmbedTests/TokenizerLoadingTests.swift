import FoundationEssentials
import Testing

@testable import Embed

/// A fresh directory under the system temp dir, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let dir = FileManager.default.temporaryDirectory
        .appending(path: "parley-tokenizer-\(UInt64.random(in: 0...UInt64.max))").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try body(dir + "/")
}

func copyFixture(_ relative: String, to dir: String) throws {
    let name = String(relative.split(separator: "/").last!)
    try FileManager.default.copyItem(atPath: fixturesDirectory + relative, toPath: dir + name)
}

func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(filePath: path))
}

@Suite struct TokenizerLoadingTests {
    @Test func missingVocabularyNamesTheFile() throws {
        _ = try withTemporaryDirectory { dir in
            #expect(throws: EmbedError.missingFile(path: dir + "vocab.txt")) {
                try WordPieceTokenizer(modelDirectory: dir)
            }
        }
        #expect(throws: EmbedError.missingFile(path: "/nonexistent/model/vocab.txt")) {
            try WordPieceTokenizer(modelDirectory: "/nonexistent/model")
        }
    }

    @Test func vocabularyWithoutClsIsCorrupt() throws {
        try withTemporaryDirectory { dir in
            try write("[PAD]\n[UNK]\n[SEP]\nhello\n", to: dir + "vocab.txt")
            do {
                _ = try WordPieceTokenizer(modelDirectory: dir)
                Issue.record("expected an error")
            } catch let error as EmbedError {
                #expect(error.path == dir + "vocab.txt")
                #expect(error.description.contains("[CLS]"))
            }
        }
    }

    @Test func invalidJSONIsCorruptAndNamesTheFile() throws {
        try withTemporaryDirectory { dir in
            try copyFixture("minilm-tokenizer/vocab.txt", to: dir)
            try write("{\"do_lower_case\": tru", to: dir + "tokenizer_config.json")
            do {
                _ = try WordPieceTokenizer(modelDirectory: dir)
                Issue.record("expected an error")
            } catch let error as EmbedError {
                guard case .corruptFile(let path, _) = error else {
                    Issue.record("expected corruptFile, got \(error)")
                    return
                }
                #expect(path == dir + "tokenizer_config.json")
            }
        }
    }

    @Test func vocabularyComesFromTokenizerJSONWithoutVocabTxt() throws {
        let reference = try WordPieceTokenizer(modelDirectory: fixturesDirectory + "tiny-bert-mean-prefix")
        let fixture = try loadFixture(TinyFixture.self, "tiny-bert-mean-prefix/vectors.json")
        try withTemporaryDirectory { dir in
            for name in ["tokenizer.json", "tokenizer_config.json", "sentence_bert_config.json"] {
                try copyFixture("tiny-bert-mean-prefix/" + name, to: dir)
            }
            let tokenizer = try WordPieceTokenizer(modelDirectory: dir)
            #expect(tokenizer.vocabularySize == reference.vocabularySize)
            for c in fixture.cases {
                #expect(tokenizer.encode("query: " + c.text) == c.query.ids, "\"\(describe(c.text))\"")
            }
        }
    }

    @Test func defaultsWithVocabularyOnly() throws {
        try withTemporaryDirectory { dir in
            try copyFixture("minilm-tokenizer/vocab.txt", to: dir)
            let tokenizer = try WordPieceTokenizer(modelDirectory: dir)
            // BERT's defaults: uncased, accents stripped, 512 tokens.
            #expect(tokenizer.maxLength == 512)
            #expect(tokenizer.encode("Caf\u{e9}") == tokenizer.encode("cafe"))
        }
    }

    @Test func maxLengthFallsBackToModelConfig() throws {
        try withTemporaryDirectory { dir in
            try copyFixture("minilm-tokenizer/vocab.txt", to: dir)
            try write("{\"model_max_length\": 1000000000000000019884624838656}", to: dir + "tokenizer_config.json")
            try write("{\"max_position_embeddings\": 128}", to: dir + "config.json")
            #expect(try TokenizerConfiguration.load(modelDirectory: dir).maxLength == 128)
            try write("{\"model_max_length\": 64}", to: dir + "tokenizer_config.json")
            #expect(try TokenizerConfiguration.load(modelDirectory: dir).maxLength == 64)
        }
    }
}
