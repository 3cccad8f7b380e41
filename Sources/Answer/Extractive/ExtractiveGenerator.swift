/// Parley's default generator: no network, no key, no model run at question time. It quotes the
/// sentences of the retrieved chunks that best answer the question, each with its `[n]`, and
/// says the tenant's refusal when even the best sentence is weak evidence.
///
/// Sentences are scored with the vectors ingestion stored for them (`SentenceVectors`, pooled
/// from the chunk's own forward pass) against the question's vector from the search step; a
/// chunk without them is scored lexically (stemmed terms, Search's `Analyzer`). Selection is
/// maximal marginal relevance, so two chunks saying the same thing are quoted once.
///
/// A value type with immutable settings: Sendable, share one. `generate` allocates only what it
/// quotes plus one small array per call (and an `Analyzer` when a chunk needs the lexical path).
public struct ExtractiveGenerator: Generator {
    public struct Settings: Sendable {
        /// Below this relevance for the best sentence, the answer is the refusal. Calibrated with
        /// all-MiniLM-L6-v2 on the sample knowledge through the real parser and chunker, with
        /// questions it does and does not answer (Tests/AnswerTests/ExtractiveCalibrationTests):
        /// answered questions' best sentences scored 0.52…0.87, unanswered ones 0.00…0.44.
        public var minimumSupport = 0.48
        /// A dense sentence's relevance is its cosine with the question plus
        /// `termWeight × (coverage − termPivot)`, coverage being the share of the question's
        /// stemmed terms that its chunk (with headings) contains: a sentence about the question's
        /// subject but not its point ("Parley" in a question about something Parley lacks) loses
        /// a little, one from a chunk that uses the question's words gains a little.
        public var termWeight = 0.25
        public var termPivot = 0.3
        /// Lexical coverage (share of the question's terms in a sentence, 0…1) is multiplied by
        /// this to land on the cosine scale: half the terms is as strong as the threshold.
        public var lexicalScale = 0.8
        /// Sentences quoted at most, and words (beyond the first sentence, which is always whole).
        public var maxSentences = 3
        public var maxWords = 80
        /// A further sentence must score at least this share of the best one: an answer stays on
        /// its point instead of filling up with loosely related sentences.
        public var relativeFloor = 0.8
        /// Maximal marginal relevance: weight of relevance against redundancy with what is chosen.
        public var diversity = 0.7
        /// Similarity (cosine, or term overlap without vectors) above which a sentence repeats one
        /// already chosen from another chunk and is never quoted (a paraphrase scores ~0.85).
        public var duplicate = 0.8
        /// Added to the score of a sentence of the k-th source (0-based): `rankBonus / (1 + k)`,
        /// so retrieval's judgement breaks near-ties between sentences.
        public var rankBonus = 0.03
        /// Sentences shorter than this many words (headings, labels) are not quoted.
        public var minimumWords = 3

        public init() {}
    }

    public let kind = GeneratorKind.extractive
    public let model = "extractive"
    public let settings: Settings

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    public func generate(_ input: GenerationInput, onDelta: (String) -> Bool) throws -> GenerationOutput {
        let answer = self.answer(input)
        return Self.stream(answer.text, model: model, onDelta: onDelta)
    }

    /// The decision without streaming: what `generate` says, with the quotes and their support.
    /// The pipeline may call this instead of `generate` when it wants the support for the
    /// answer's confidence, then stream with `ExtractiveGenerator.stream`.
    public func answer(_ input: GenerationInput) -> ExtractiveAnswer {
        var selection = ExtractiveSelection(input: input, settings: settings)
        let candidates = selection.candidates()
        let best = candidates.map(\.relevance).max() ?? 0
        guard best >= settings.minimumSupport else {
            return ExtractiveAnswer(text: input.refusal, quotes: [], support: max(0, best), refused: true)
        }
        let quotes = selection.choose(from: candidates, best: best)
        guard !quotes.isEmpty else {
            return ExtractiveAnswer(text: input.refusal, quotes: [], support: best, refused: true)
        }
        let text = quotes.map { "\($0.text) [\($0.n)]" }.joined(separator: " ")
        return ExtractiveAnswer(text: text, quotes: quotes, support: best, refused: false)
    }

    /// Sends `text` to `onDelta` a word at a time (each piece carries the space before the next
    /// word), stopping when the client is gone; usage is zero, nothing was metered.
    public static func stream(_ text: String, model: String, onDelta: (String) -> Bool) -> GenerationOutput {
        var sent = Substring()
        var rest = text[...]
        while !rest.isEmpty {
            var end = rest.firstIndex(of: " ") ?? rest.endIndex
            while end < rest.endIndex && rest[end] == " " { end = rest.index(after: end) }
            let piece = rest[..<end]
            guard onDelta(String(piece)) else {
                return GenerationOutput(text: String(sent), usage: TokenUsage(), model: model, finishReason: "cancelled")
            }
            sent = text[text.startIndex..<end]
            rest = rest[end...]
        }
        return GenerationOutput(text: text, usage: TokenUsage(), model: model, finishReason: "stop")
    }
}
