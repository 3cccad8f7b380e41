import FoundationEssentials
import Testing

@testable import Embed

// The fixtures come from scripts/make-embed-fixtures (the Hugging Face fast tokenizer), so these
// tests compare against the reference itself, not against our reading of it. They find the
// fixtures next to this file, so they need neither var/models nor Bundle.module (Foundation).

/// Tests/EmbedTests/Fixtures/, from this file's path.
let fixturesDirectory: String = {
    let file = "\(#filePath)"
    return String(file[..<file.lastIndex(of: "/")!]) + "/Fixtures/"
}()

struct TokenCase: Decodable {
    var text: String
    var ids: [Int32]
    var count: Int
}

struct TokenFixture: Decodable {
    var max_length: Int
    var cases: [TokenCase]
}

struct TinyFixture: Decodable {
    struct Encoded: Decodable { var ids: [Int32] }
    struct Case: Decodable {
        var text: String
        var query: Encoded
        var passage: Encoded
    }
    var max_seq_length: Int
    var prompts: [String: String]
    var cases: [Case]
}

struct VectorIDsFixture: Decodable {
    struct Case: Decodable {
        var text: String
        var ids: [Int32]
    }
    var cases: [Case]
}

func loadFixture<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
    let data = try Data(contentsOf: URL(filePath: fixturesDirectory + name))
    return try JSONDecoder().decode(T.self, from: data)
}

/// Short, printable form of a failing input for test output.
func describe(_ text: String) -> String {
    let escaped = text.unicodeScalars.prefix(60).map { $0.escaped(asASCII: true) }.joined()
    return text.unicodeScalars.count > 60 ? escaped + "…" : escaped
}

let miniLMDirectory = fixturesDirectory + "minilm-tokenizer"

@Suite struct TokenizerTests {
    @Test func miniLMIdsMatchReferenceForEveryString() throws {
        let fixture = try loadFixture(TokenFixture.self, "tokens.json")
        let tokenizer = try WordPieceTokenizer(modelDirectory: miniLMDirectory)
        #expect(fixture.cases.count >= 220)
        #expect(tokenizer.maxLength == fixture.max_length)
        var mismatches = 0
        for c in fixture.cases {
            let ids = tokenizer.encode(c.text)
            if ids != c.ids {
                mismatches += 1
                Issue.record("ids differ for \"\(describe(c.text))\":\n got      \(ids.prefix(40))\n expected \(c.ids.prefix(40))")
            }
        }
        #expect(mismatches == 0)
    }

    @Test func miniLMTokenCountIsUntruncatedAndWithoutSpecialTokens() throws {
        let fixture = try loadFixture(TokenFixture.self, "tokens.json")
        let tokenizer = try WordPieceTokenizer(modelDirectory: miniLMDirectory)
        for c in fixture.cases {
            #expect(tokenizer.tokenCount(c.text) == c.count, "\"\(describe(c.text))\"")
        }
        // The fixture has texts past the window, so the two differ somewhere.
        #expect(fixture.cases.contains { $0.count > fixture.max_length })
    }

    @Test func miniLMVectorFixtureIdsMatchToo() throws {
        let fixture = try loadFixture(VectorIDsFixture.self, "minilm-vectors.json")
        let tokenizer = try WordPieceTokenizer(modelDirectory: miniLMDirectory)
        let all = tokenizer.encode(fixture.cases.map(\.text))
        for (c, ids) in zip(fixture.cases, all) {
            #expect(ids == c.ids, "\"\(describe(c.text))\"")
        }
    }

    @Test(arguments: ["tiny-bert-cls", "tiny-bert-mean-prefix"])
    func tinyModelIdsMatchReferenceWithPrompts(model: String) throws {
        let fixture = try loadFixture(TinyFixture.self, model + "/vectors.json")
        let tokenizer = try WordPieceTokenizer(modelDirectory: fixturesDirectory + model)
        #expect(tokenizer.maxLength == fixture.max_seq_length)
        for c in fixture.cases {
            let query = (fixture.prompts["query"] ?? "") + c.text
            let passage = (fixture.prompts["passage"] ?? "") + c.text
            #expect(tokenizer.encode(query) == c.query.ids, "query \"\(describe(c.text))\"")
            #expect(tokenizer.encode(passage) == c.passage.ids, "passage \"\(describe(c.text))\"")
        }
    }

    @Test func casedModelKeepsCaseAndAccents() throws {
        let cased = try WordPieceTokenizer(modelDirectory: fixturesDirectory + "tiny-bert-mean-prefix")
        let uncased = try WordPieceTokenizer(modelDirectory: fixturesDirectory + "tiny-bert-cls")
        #expect(!cased.configuration.lowercase && !cased.configuration.stripAccents)
        #expect(uncased.configuration.lowercase && uncased.configuration.stripAccents)
        #expect(cased.encode("Hello") != cased.encode("hello"))
        #expect(uncased.encode("Hello") == uncased.encode("hello"))
        // "é" is in the cased vocabulary; stripping accents would have made it "e".
        #expect(cased.encode("\u{e9}") != cased.encode("e"))
        #expect(uncased.encode("\u{e9}") == uncased.encode("e"))
    }

    @Test func configurationReadsEachFile() throws {
        let miniLM = try TokenizerConfiguration.load(modelDirectory: miniLMDirectory)
        #expect(miniLM.lowercase && miniLM.stripAccents)
        #expect(miniLM.maxLength == 256)  // sentence_bert_config wins over model_max_length 512
        #expect(miniLM.addedTokens.isEmpty)  // no tokenizer.json: the five special tokens
        let tiny = try TokenizerConfiguration.load(modelDirectory: fixturesDirectory + "tiny-bert-mean-prefix")
        #expect(tiny.maxLength == 24)
        #expect(tiny.addedTokens.contains("[SEP]"))
    }

    @Test func encodeTruncatesToMaxLengthKeepingClsAndSep() throws {
        let tokenizer = try WordPieceTokenizer(modelDirectory: miniLMDirectory)
        let text = Array(repeating: "tokenization", count: 400).joined(separator: " ")
        let ids = tokenizer.encode(text)
        #expect(ids.count == tokenizer.maxLength)
        #expect(ids.first == tokenizer.clsID && ids.last == tokenizer.sepID)
        #expect(tokenizer.tokenCount(text) == 800)  // "token", "##ization" per word
        // Truncation cuts a word in half rather than dropping it: 254 = 127 whole words.
        #expect(Array(ids[1...2]) == Array(tokenizer.encode("tokenization")[1...2]))
        #expect(tokenizer.encode("").count == 2)
        #expect(tokenizer.tokenCount("") == 0)
    }

    @Test func specialTokensInTextKeepTheirIds() throws {
        let tokenizer = try WordPieceTokenizer(modelDirectory: miniLMDirectory)
        let ids = tokenizer.encode("a [SEP] b")
        #expect(ids.count == 5 && ids[2] == tokenizer.sepID)
        // Matched before lower-casing, so "[sep]" is ordinary text.
        #expect(!tokenizer.encode("a [sep] b").dropFirst().dropLast().contains(tokenizer.sepID))
        #expect(tokenizer.padID == 0 && tokenizer.unkID == 100 && tokenizer.clsID == 101 && tokenizer.sepID == 102)
    }

    @Test func longAndUnknownWordsBecomeUnk() throws {
        let tokenizer = try WordPieceTokenizer(modelDirectory: miniLMDirectory)
        let unk = tokenizer.unkID
        #expect(tokenizer.encode(String(repeating: "a", count: 101)) == [tokenizer.clsID, unk, tokenizer.sepID])
        #expect(tokenizer.tokenCount(String(repeating: "a", count: 100)) > 1)
        #expect(tokenizer.encode("\u{1F600}") == [tokenizer.clsID, unk, tokenizer.sepID])
    }
}
