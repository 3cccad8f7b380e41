/// A text's ids with where each came from: what span pooling needs to tell which tokens belong to
/// a sentence of the text.
public struct TokenizedText: Sendable, Equatable {
    /// `[CLS]` + the text's ids + `[SEP]`, exactly as `encode` returns them.
    public var ids: [Int32]
    /// One per id: the UTF-8 byte range in the text of the word the token is a piece of. `[CLS]`
    /// is the empty range at 0 and `[SEP]` the empty range at the end of the last text token.
    public var offsets: [Range<Int>]
    /// Whether text ids were dropped to fit `maxLength`.
    public var truncated: Bool
}

extension WordPieceTokenizer {
    /// `encode` with each token's source offsets (see `TokenizedText`).
    public func encodeWithOffsets(_ text: String) -> TokenizedText {
        let budget = max(0, maxLength - 2)
        var ids: [Int32] = [clsID]
        var offsets: [Range<Int>]? = [0..<0]
        ids.reserveCapacity(min(budget, text.utf8.count) + 2)
        offsets?.reserveCapacity(min(budget, text.utf8.count) + 2)
        // One id past the budget tells a text that fits exactly from one that was cut.
        tokenize(text, into: &ids, offsets: &offsets, limit: budget + 2)
        var kept = offsets ?? []
        let truncated = ids.count > budget + 1
        if truncated {
            ids.removeLast()
            kept.removeLast()
        }
        let end = kept.last?.upperBound ?? 0
        ids.append(sepID)
        kept.append(end..<end)
        return TokenizedText(ids: ids, offsets: kept, truncated: truncated)
    }
}
