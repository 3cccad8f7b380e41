import Answer
import Testing

/// The refusal threshold (`ExtractiveGenerator.Settings.minimumSupport`) against real questions
/// about the sample knowledge: some it answers, some it does not. If the model or the scoring
/// changes, this says whether the threshold still separates them.
@Suite(.enabled(if: answerModelAvailable, "needs the MiniLM model (scripts/fetch-model)"))
struct ExtractiveCalibrationTests {
    /// Questions the guide answers, with a phrase the right sentence contains.
    static let answered: [(String, String)] = [
        ("How do I revoke an API key?", "DELETE /v1/keys"),
        ("What is the maximum upload size on the default plan?", "50 MB"),
        ("Which file formats can I upload?", "PDF, DOCX"),
        ("Why did my encrypted PDF fail?", "password"),
        ("What happens if I upload the same file twice?", "duplicate"),
        ("How often does the ingestion job run?", "seconds"),
        ("Can Parley read scanned documents?", "OCR"),
        ("How do I create an internal collection?", "internal"),
        ("How long are passages?", "200 to 250 words"),
        ("How many documents are listed per page?", "20 per page"),
        ("What status code does a plan limit return?", "403"),
        ("Does Parley keep my API key?", "SHA-256"),
    ]

    /// Questions the guide does not answer.
    static let unanswered = [
        "What is the capital of Australia?",
        "How do I bake sourdough bread?",
        "Who won the football world cup in 2018?",
        "What is the boiling point of water at high altitude?",
        "How do I change the oil in my car?",
        "Which programming language is Parley's mobile app written in?",
        "How much does the enterprise plan cost per month?",
        "Can I pay my invoice with a credit card?",
    ]

    @Test func theThresholdSeparatesAnsweredFromUnansweredQuestions() throws {
        let corpus = try ExtractiveCorpus.ingested(markdownAt: sampleGuidePath)
        print("calibration chunks:", corpus.passages.count)
        let generator = ExtractiveGenerator()
        var answeredSupport: [Double] = []
        var unansweredSupport: [Double] = []
        for (question, phrase) in Self.answered {
            let answer = generator.answer(try corpus.input(question))
            answeredSupport.append(answer.support)
            #expect(!answer.refused, "\(question) refused at \(answer.support)")
            #expect(answer.quotes.contains { $0.text.contains(phrase) }, "\(question) → \(answer.text)")
        }
        for question in Self.unanswered {
            let answer = generator.answer(try corpus.input(question))
            unansweredSupport.append(answer.support)
            #expect(answer.refused, "\(question) answered at \(answer.support): \(answer.text)")
        }
        print("calibration answered:", answeredSupport.map { ($0 * 100).rounded() / 100 }.sorted())
        print("calibration unanswered:", unansweredSupport.map { ($0 * 100).rounded() / 100 }.sorted())
    }
}
