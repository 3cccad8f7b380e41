import Embed

/// What ingestion stores for one chunk: its vector and, when the provider can pool spans, its
/// sentence vectors in `SentenceVectorCoding`'s layout (the `chunks.sentence_vectors` column).
struct ChunkEmbedding {
    let vector: [Float]
    /// Nil for a remote provider (no token states) or a chunk none of whose sentences the model saw.
    let sentences: [UInt8]?
}

/// Embeds chunks, with their sentences when the provider can ("late chunking", see
/// `LocalEmbedder.embed(texts:spans:kind:)`): the sentences come from the same forward pass as
/// the chunk, so they cost no extra model time, and each sentence's vector has seen the rest of
/// its chunk (a "this" or "it" resolves against its neighbours).
enum SentenceEmbedding {
    /// `texts[i]` is what the model sees for `chunks[i]`: the chunk's text, possibly after a
    /// prefix (its headings); sentences are found in the chunk's text and shifted past the prefix,
    /// and stored with offsets in the chunk's text.
    static func embed(_ chunks: [Chunk], texts: [String], with embedder: any EmbeddingProvider) throws -> [ChunkEmbedding] {
        guard let local = embedder as? any SpanEmbeddingProvider else {
            return try embedder.embed(texts: texts, kind: .passage).map { ChunkEmbedding(vector: $0, sentences: nil) }
        }
        let sentences = chunks.map { TextSegmenter.sentences(in: $0.text) }
        let spans = zip(zip(chunks, texts), sentences).map { pair, ranges in
            let prefix = pair.1.utf8.count - pair.0.text.utf8.count
            return ranges.map { ($0.lowerBound + prefix)..<($0.upperBound + prefix) }
        }
        let embedded = try local.embed(texts: texts, spans: spans, kind: .passage)
        return zip(embedded, sentences).map { embedding, ranges in
            var kept: [SentenceVectorCoding.Sentence] = []
            kept.reserveCapacity(ranges.count)
            for (range, vector) in zip(ranges, embedding.spans) {
                if let vector { kept.append(SentenceVectorCoding.Sentence(range: range, vector: vector)) }
            }
            return ChunkEmbedding(vector: embedding.vector, sentences: kept.isEmpty ? nil : SentenceVectorCoding.encode(kept))
        }
    }
}
