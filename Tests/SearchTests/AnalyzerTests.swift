import Search
import Testing

@Suite struct AnalyzerTests {
    @Test func stemsAndKeepsOrder() throws {
        let analyzer = try Analyzer()
        #expect(analyzer.terms("Running runners ran") == ["run", "runner", "ran"])
    }

    @Test func removesLuceneEnglishStopWords() throws {
        let analyzer = try Analyzer()
        #expect(analyzer.terms("The cat is on the mat, and it was not there") == ["cat", "mat"])
        // Every word of Lucene's set goes; words outside it stay.
        let stop = "a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with"
        #expect(analyzer.terms(stop).isEmpty)
        #expect(analyzer.terms("we you he she") == ["we", "you", "he", "she"])
    }

    @Test func lowercasesAndSplitsOnPunctuation() throws {
        let analyzer = try Analyzer()
        #expect(analyzer.terms("E-MAIL:foo@Bar.com (HELLO)") == ["e", "mail", "foo", "bar", "com", "hello"])
    }

    @Test func dropsPossessivesAndKeepsContractionsWhole() throws {
        let analyzer = try Analyzer()
        #expect(analyzer.terms("John's dog") == ["john", "dog"])
        #expect(analyzer.terms("John’s dog") == ["john", "dog"])   // typographic apostrophe
        #expect(analyzer.terms("it's") == [])                      // "it" is a stop word
        #expect(analyzer.terms("don't") == ["don't"])
        #expect(analyzer.terms("don’t") == ["don't"])
        #expect(analyzer.terms("'quoted' words'") == ["quot", "word"])
    }

    @Test func keepsNumbersAndMixedTokens() throws {
        let analyzer = try Analyzer()
        #expect(analyzer.terms("Version 3.14 of mp3 in 2024, 1,000 units") == ["version", "3", "14", "mp3", "2024", "1", "000", "unit"])
    }

    @Test func handlesUnicodeLettersAndCJK() throws {
        let analyzer = try Analyzer()
        #expect(analyzer.terms("Café ÉLAN") == ["café", "élan"])
        #expect(analyzer.terms("Straße") == ["straße"])
        #expect(analyzer.terms("東京都 に 行く") == ["東", "京", "都", "に", "行", "く"])
        #expect(analyzer.terms("naïve e\u{301}te") == ["naïv", "e\u{301}t"])   // the mark stays with its letter
        #expect(analyzer.terms("emoji 🙂 here") == ["emoji", "here"])
    }

    @Test func dropsTokensLongerThan64Bytes() throws {
        let analyzer = try Analyzer()
        let long = String(repeating: "x", count: 65)
        let limit = String(repeating: "z", count: 64)
        #expect(analyzer.terms("before \(long) after") == ["befor", "after"])
        #expect(analyzer.terms(limit) == [limit])
        #expect(analyzer.terms(String(repeating: "é", count: 33)).isEmpty)   // 66 bytes
    }

    @Test func countsTermsAndLength() throws {
        let analyzer = try Analyzer()
        let (counts, length) = analyzer.termCounts("the runner runs; the runners ran")
        #expect(counts == ["runner": 2, "run": 1, "ran": 1])
        #expect(length == 4)
        let empty = analyzer.termCounts("")
        #expect(empty.counts.isEmpty && empty.length == 0)
    }

    @Test func frenchUsesTheFrenchStemmerAndSplitsApostrophes() throws {
        let analyzer = try Analyzer(language: "french")
        #expect(analyzer.language == "french")
        #expect(analyzer.terms("Les chevaux mangeaient l'herbe") == ["le", "cheval", "mang", "l", "herb"])
    }

    @Test func languageNamesAreCaseInsensitive() throws {
        #expect(try Analyzer(language: "German").language == "german")
    }

    @Test func unknownLanguageThrowsNamingTheSupportedOnes() {
        #expect(Analyzer.languages.contains("english"))
        #expect(Analyzer.languages.contains("french"))
        do {
            _ = try Analyzer(language: "klingon")
            Issue.record("expected an error")
        } catch let error as AnalyzerError {
            #expect(error == .unsupportedLanguage("klingon", supported: Analyzer.languages))
            #expect(error.description.contains("english"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func neverCrashesOnOddInput() throws {
        let analyzer = try Analyzer()
        let inputs = ["", " ", "'", "’s", "a's", "\u{0}\u{1}x", "\u{301}", "x\u{301}\u{301}", String(repeating: "İ", count: 40),
                      "\u{FFFD}", "ǅungla", "Ⅻ ½ ²", "aaaaaaaa'sssss"]
        for input in inputs { _ = analyzer.termCounts(input) }
        #expect(analyzer.terms("ǅungla") == ["ǆungla"])
    }
}
