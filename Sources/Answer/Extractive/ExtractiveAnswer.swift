/// What the extractive generator decided, before streaming: the sentences it quotes with their
/// support, or a refusal. The pipeline reads `support` to compute the answer's confidence.
public struct ExtractiveAnswer: Sendable {
    /// How a sentence's relevance was measured.
    public enum Evidence: String, Sendable {
        /// Cosine of the question vector with the sentence vector stored at ingestion, adjusted by
        /// the question's term coverage of the chunk (`ExtractiveGenerator.Settings.termWeight`).
        case dense
        /// Share of the question's stemmed terms the sentence contains, mapped onto the cosine
        /// scale (`ExtractiveGenerator.Settings.lexicalScale`): for chunks without sentence vectors.
        case lexical
    }

    /// One quoted sentence.
    public struct Quote: Sendable, Equatable {
        /// The `n` of its source, the `[n]` after it.
        public var n: Int
        public var chunkID: Int64
        /// UTF-8 byte range in the source's text.
        public var range: Range<Int>
        /// The sentence as quoted (whitespace runs collapsed, a leading list marker dropped).
        public var text: String
        /// Relevance to the question on the cosine scale, whatever the evidence: see `Evidence`.
        public var support: Double
        public var evidence: Evidence
    }

    /// The answer text: the quotes in reading order, each followed by its `[n]`; or the refusal.
    public var text: String
    /// The quotes, in the order they appear in `text`; empty for a refusal.
    public var quotes: [Quote]
    /// The best relevance of any sentence of any source (cosine scale), quoted or not: the
    /// strength of the evidence, what the refusal threshold is compared with, and what the
    /// pipeline turns into a confidence. 0 when there was nothing to score.
    public var support: Double
    /// True when `support` was below `Settings.minimumSupport` and `text` is the tenant's refusal.
    public var refused: Bool
}
