import Embed

/// Reads the sentence vectors ingestion stored with each chunk (`chunks.sentence_vectors`, layout
/// in `SentenceVectorCoding`) for the chunks a search returned, so the extractive generator can
/// score sentences without running the model at question time.
public enum SentenceVectors {
    /// A stored `sentence_vectors` value as the generator's sentences; nil for a layout this build
    /// does not know.
    public static func decode(_ bytes: [UInt8]) -> [SentenceVector]? {
        SentenceVectorCoding.decode(bytes)?.map {
            SentenceVector(start: $0.range.lowerBound, end: $0.range.upperBound, vector: $0.vector)
        }
    }
}
