import Search
import Testing

@Suite struct HighlighterTests {
    /// The text each highlight range covers, by scalar offsets.
    func highlighted(_ result: (snippet: String, highlights: [Range<Int>])) -> [String] {
        let scalars = Array(result.snippet.unicodeScalars)
        return result.highlights.map { range in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[range])
            return String(view)
        }
    }

    @Test func shortTextIsWholeWithAnalyzedMatchesHighlighted() throws {
        let analyzer = try Analyzer()
        let query = Set(analyzer.terms("run dogs"))
        let result = Highlighter.snippet(text: "The dog was running.\n\n  Dogs RUN!", queryTerms: query, analyzer: analyzer)
        #expect(result.snippet == "The dog was running. Dogs RUN!")
        #expect(highlighted(result) == ["dog", "running", "Dogs", "RUN"])
    }

    @Test func picksTheWindowWithTheMostDistinctTerms() throws {
        let analyzer = try Analyzer()
        let filler = String(repeating: "lorem ipsum dolor sit amet ", count: 20)
        let text = "alpha alpha alpha " + filler + "the alpha and beta section " + filler + "beta"
        let result = Highlighter.snippet(text: text, queryTerms: ["alpha", "beta"], analyzer: analyzer, maxCharacters: 60)
        #expect(result.snippet.hasPrefix("…") && result.snippet.hasSuffix("…"))
        #expect(result.snippet.contains("the alpha and beta section"))
        #expect(result.snippet.unicodeScalars.count <= 60)
        #expect(highlighted(result) == ["alpha", "beta"])
        // Cut at word boundaries: no partial "lorem ipsum dolor sit amet" words at the edges.
        let words = result.snippet.dropFirst().dropLast().split(separator: " ")
        for word in words { #expect(["lorem", "ipsum", "dolor", "sit", "amet", "the", "alpha", "and", "beta", "section"].contains(String(word))) }
    }

    @Test func rangesAreScalarOffsetsIntoTheSnippet() throws {
        let analyzer = try Analyzer()
        let text = String(repeating: "👩‍👩‍👧 café ", count: 30) + "Crème brûlée recipe " + String(repeating: "🇫🇷 ", count: 40)
        let result = Highlighter.snippet(text: text, queryTerms: Set(analyzer.terms("brûlée recipe")), analyzer: analyzer, maxCharacters: 40)
        #expect(highlighted(result) == ["brûlée", "recipe"])
        #expect(result.snippet.unicodeScalars.count <= 40)
    }

    @Test func noMatchReturnsTheStart() throws {
        let analyzer = try Analyzer()
        let text = "First words here and then a great many more words that go on and on for a while"
        let result = Highlighter.snippet(text: text, queryTerms: ["zebra"], analyzer: analyzer, maxCharacters: 30)
        #expect(result.snippet == "First words here and then a…")
        #expect(result.highlights.isEmpty)
    }

    @Test func emptyTextGivesEmptySnippet() throws {
        let analyzer = try Analyzer()
        let result = Highlighter.snippet(text: "", queryTerms: ["x"], analyzer: analyzer)
        #expect(result.snippet.isEmpty && result.highlights.isEmpty)
        #expect(Highlighter.snippet(text: "abc", queryTerms: [], analyzer: analyzer, maxCharacters: 0).snippet.isEmpty)
    }

    @Test func cutsInsideAWordOnlyWhenItMust() throws {
        let analyzer = try Analyzer()
        let text = String(repeating: "x", count: 100) + " needle " + String(repeating: "y", count: 100)
        let result = Highlighter.snippet(text: text, queryTerms: ["needl"], analyzer: analyzer, maxCharacters: 20)
        #expect(result.snippet.unicodeScalars.count <= 20)
        #expect(highlighted(result) == ["needle"])
    }

    @Test func neverCrashesOnOddInput() throws {
        let analyzer = try Analyzer()
        let texts = [" ", "\n\n\n", "…", "e\u{301}\u{301}\u{301}", String(repeating: "東", count: 500), String(repeating: "a ", count: 300),
                     String(repeating: "🙂", count: 300), "x" + String(repeating: "\u{301}", count: 300)]
        for text in texts {
            for limit in [-1, 0, 1, 2, 3, 5, 240] {
                let result = Highlighter.snippet(text: text, queryTerms: ["東", "a", "x\u{301}"], analyzer: analyzer, maxCharacters: limit)
                let count = result.snippet.unicodeScalars.count
                for range in result.highlights { #expect(range.lowerBound >= 0 && range.upperBound <= count) }
                if limit >= 3 { #expect(count <= limit) }
            }
        }
    }
}
