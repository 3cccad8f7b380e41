extension LocalEmbedder {
    /// Each text's vector and, from the same forward pass, one vector per span of it: the mean of
    /// the final hidden states of the tokens whose word starts inside the span, scaled to unit
    /// length. `[CLS]` counts with the span holding the first token of the text and `[SEP]` with
    /// the one holding the last, so a span over the whole text gives the text's own vector (for
    /// models without a prompt; with one, the prompt's tokens belong to no span).
    ///
    /// A span the model did not fully see, because the text was cut at max_seq_length, gets nil:
    /// a vector of half a sentence would score as if it were the whole one.
    public func embed(texts: [String], spans: [[Range<Int>]], kind: EmbeddingKind = .passage) throws -> [SpanEmbedding] {
        let (prompt, promptTokens) = self.prompt(for: kind)
        let promptBytes = prompt.utf8.count
        var results: [SpanEmbedding] = []
        results.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let end = min(start + batchSize, texts.count)
            var batch: [[Int32]] = []
            var positions: [[Range<Int>]] = []
            batch.reserveCapacity(end - start)
            positions.reserveCapacity(end - start)
            for index in start..<end {
                var tokens = tokenizer.encodeWithOffsets(prompt + texts[index])
                if fitPositionTable(&tokens.ids) {
                    fitPositionTable(&tokens.offsets)
                    tokens.truncated = true
                }
                let textSpans = index < spans.count ? spans[index] : []
                positions.append(textSpans.map { span in
                    Self.positions(of: (span.lowerBound + promptBytes)..<(span.upperBound + promptBytes),
                                   in: tokens, textStart: promptBytes)
                })
                batch.append(tokens.ids)
            }
            for encoded in try encoder.encode(batch, promptTokens: promptTokens, spans: positions) {
                // Same contract as `embed(texts:kind:)`: unit vectors whatever the model's modules.
                results.append(SpanEmbedding(vector: UnitVector.normalized(encoded.vector) ?? encoded.vector,
                                             spans: encoded.spans))
            }
            start = end
        }
        return results
    }

    /// The token positions (within the sequence, `[CLS]` = 0) that make up `span`, a byte range
    /// of the tokenized string; empty when none do or when the span runs past a truncation.
    static func positions(of span: Range<Int>, in tokens: TokenizedText, textStart: Int) -> Range<Int> {
        let offsets = tokens.offsets
        // Text tokens are 1..<count-1, their starts non-decreasing: binary-search both ends.
        let textTokens = 1..<max(1, offsets.count - 1)
        guard !textTokens.isEmpty, !span.isEmpty else { return 0..<0 }
        let lastEnd = offsets[textTokens.upperBound - 1].upperBound
        if tokens.truncated && span.upperBound > lastEnd { return 0..<0 }
        let first = firstIndex(in: offsets, textTokens) { $0.lowerBound >= span.lowerBound }
        let end = firstIndex(in: offsets, textTokens) { $0.lowerBound >= span.upperBound }
        guard first < end else { return 0..<0 }
        // The specials join the sentences at the text's edges (not a prompt's first token).
        let firstTextToken = firstIndex(in: offsets, textTokens) { $0.lowerBound >= textStart }
        let lower = first == firstTextToken && textStart == 0 ? 0 : first
        let upper = end == textTokens.upperBound && !tokens.truncated ? end + 1 : end
        return lower..<upper
    }

    /// The first index in `range` whose offset satisfies `isAtOrAfter` (monotone), or its end.
    private static func firstIndex(in offsets: [Range<Int>], _ range: Range<Int>,
                                   where isAtOrAfter: (Range<Int>) -> Bool) -> Int {
        var low = range.lowerBound
        var high = range.upperBound
        while low < high {
            let mid = (low + high) / 2
            if isAtOrAfter(offsets[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
