import Answer
import Testing

/// The extractive generator on a small corpus embedded with the real model.
@Suite(.enabled(if: answerModelAvailable, "needs the MiniLM model (scripts/fetch-model)"))
struct ExtractiveGeneratorTests {
    static let topics: [(title: String, text: String)] = [
        ("Shipping", "We ship to every country in the European Union. Orders leave our warehouse within two working days. "
            + "Tracking numbers are sent by email once the parcel is handed to the carrier."),
        ("Returns", "You may return any item within 30 days of delivery for a full refund. Refunds are paid to the original "
            + "payment method within five business days. Items must be unused and in their original packaging."),
        ("Security", "Passwords must be at least twelve characters long. Two-factor authentication can be enabled in the "
            + "account settings. Sessions expire after eight hours of inactivity."),
        ("Office", "Our headquarters are located in Lyon, France. The office is open from 9 am to 6 pm on weekdays. "
            + "Visitors must register at the reception desk."),
        ("Billing", "Invoices are issued on the first day of each month. We accept payment by bank transfer and credit card. "
            + "Late payments incur a fee of 2 percent per month."),
        ("Support", "Customer support answers emails within one business day. Phone support is available for enterprise "
            + "customers only. The status page shows current incidents."),
    ]

    @Test func theAnswerQuotesTheSentenceThatHoldsTheFactAndCitesItsChunk() throws {
        let corpus = try ExtractiveCorpus(Self.topics)
        let input = try corpus.input("How long do I have to return an item for a refund?")
        var pieces: [String] = []
        let output = try ExtractiveGenerator().generate(input) { pieces.append($0); return true }
        let returns = try #require(input.sources.first { $0.title == "Returns" })
        #expect(output.text.contains("You may return any item within 30 days of delivery for a full refund. [\(returns.n)]"), "\(output.text)")
        #expect(output.model == "extractive" && output.finishReason == "stop" && output.usage == TokenUsage())
        #expect(pieces.joined() == output.text)
        #expect(pieces.count > 5 && pieces.allSatisfy { !$0.dropLast().contains(" ") }, "streamed a word at a time")
        let answer = ExtractiveGenerator().answer(input)
        #expect(!answer.refused && answer.quotes.first?.chunkID == returns.chunkID && answer.quotes.first?.evidence == .dense)
        #expect(answer.quotes.count <= 3 && answer.support >= ExtractiveGenerator.Settings().minimumSupport)
        // Every marker in the text names a source that holds the quoted sentence.
        for quote in answer.quotes {
            let source = try #require(input.sources.first { $0.n == quote.n })
            #expect(source.text.contains(quote.text))
        }
    }

    @Test func aSentenceRepeatedInTwoChunksIsQuotedOnce() throws {
        var topics = Self.topics
        topics.append(("Returns FAQ", "Returns are easy. You may return any item within 30 days of delivery for a full refund. "
            + "Contact us if the parcel arrived damaged."))
        let corpus = try ExtractiveCorpus(topics)
        let answer = ExtractiveGenerator().answer(try corpus.input("How long do I have to return an item for a refund?"))
        let hits = answer.quotes.filter { $0.text.contains("within 30 days of delivery") }
        #expect(hits.count == 1, "\(answer.text)")
        #expect(!answer.refused)
    }

    /// Near-identical, not identical: the vectors, not the text comparison, must catch it.
    @Test func aParaphraseWithTheSameMeaningIsQuotedOnce() throws {
        var topics = Self.topics
        topics.append(("Returns FAQ", "Returns are easy. Any item may be returned within 30 days of delivery for a full refund. "
            + "Contact us if the parcel arrived damaged."))
        let corpus = try ExtractiveCorpus(topics)
        let answer = ExtractiveGenerator().answer(try corpus.input("How long do I have to return an item for a refund?"))
        #expect(answer.quotes.filter { $0.text.contains("30 days") }.count == 1, "\(answer.text)")
    }

    @Test func weakEvidenceGivesTheRefusalWithoutCitations() throws {
        let corpus = try ExtractiveCorpus(Self.topics)
        let refusal = "Sorry, the documents do not say."
        let input = try corpus.input("Who painted the Mona Lisa?", refusal: refusal)
        var pieces: [String] = []
        let output = try ExtractiveGenerator().generate(input) { pieces.append($0); return true }
        #expect(output.text == refusal && pieces.joined() == refusal)
        #expect(!output.text.contains("["))
        let answer = ExtractiveGenerator().answer(input)
        #expect(answer.refused && answer.quotes.isEmpty && answer.support < ExtractiveGenerator.Settings().minimumSupport)
    }

    @Test func chunksWithoutSentenceVectorsAnswerLexically() throws {
        let corpus = try ExtractiveCorpus(Self.topics, storeSentences: false)
        let input = try corpus.input("When are invoices issued each month?")
        #expect(input.sources.allSatisfy { $0.sentences == nil })
        let answer = ExtractiveGenerator().answer(input)
        let billing = try #require(input.sources.first { $0.title == "Billing" })
        #expect(!answer.refused, "\(answer.support)")
        #expect(answer.quotes.first?.text == "Invoices are issued on the first day of each month.")
        #expect(answer.quotes.first?.n == billing.n && answer.quotes.first?.evidence == .lexical)
        #expect(answer.text.hasPrefix("Invoices are issued on the first day of each month. [\(billing.n)]"))
        // Lexical evidence can refuse too.
        #expect(ExtractiveGenerator().answer(try corpus.input("Who painted the Mona Lisa?")).refused)
    }

    @Test func aQuestionWithoutAVectorFallsBackToLexicalScoring() throws {
        let corpus = try ExtractiveCorpus(Self.topics)
        let answer = ExtractiveGenerator().answer(try corpus.input("Where are the headquarters located?", withVector: false))
        #expect(answer.quotes.first?.text == "Our headquarters are located in Lyon, France.", "\(answer.text)")
    }

    @Test func aGoneClientStopsTheStream() throws {
        let corpus = try ExtractiveCorpus(Self.topics)
        var count = 0
        let output = try ExtractiveGenerator().generate(try corpus.input("How long do I have to return an item for a refund?")) { _ in
            count += 1
            return count < 3
        }
        #expect(output.finishReason == "cancelled" && count == 3)
        #expect(output.text.split(separator: " ").count == 2)
    }
}
