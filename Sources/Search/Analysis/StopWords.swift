/// Stop words per analyzer language, checked on lowercased token bytes before stemming (Lucene's
/// order: tokenize, possessive filter, lowercase, stop filter, stem).
///
/// Only English has a list: Lucene's `EnglishAnalyzer.ENGLISH_STOP_WORDS_SET`, exactly, so BM25
/// figures compare with Lucene/Anserini runs. Other languages have none, on purpose: BM25's idf
/// already makes a word that occurs in most chunks nearly worthless, and a list copied from
/// memory that is wrong is worse than no list. A language gains one by adding a case to
/// `init(language:)`; the index builder must then be rerun, because stop words change the terms
/// stored in every tenant's index file.
///
/// Immutable after init: Sendable.
struct StopWords: Sendable {
    /// Lucene's English stop set (33 words).
    static let english: [String] = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
        "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
        "they", "this", "to", "was", "will", "with",
    ]

    /// Each word's bytes packed into a UInt64 (first byte lowest). Every stop word is at most
    /// 8 bytes and tokens never contain a NUL byte, so the packing is unambiguous and the check
    /// needs no String per token.
    private let packed: Set<UInt64>
    let isEmpty: Bool

    init(words: [String]) {
        var packed = Set<UInt64>()
        for word in words {
            let bytes = Array(word.utf8)
            guard !bytes.isEmpty, bytes.count <= 8 else { continue }
            packed.insert(bytes.withUnsafeBufferPointer { Self.pack($0) })
        }
        self.packed = packed
        self.isEmpty = packed.isEmpty
    }

    /// The list for a canonical libstemmer language name.
    init(language: String) {
        switch language {
        case "english", "porter": self.init(words: Self.english)
        default: self.init(words: [])
        }
    }

    /// Whether the (already lowercased) token is a stop word.
    @inline(__always)
    func contains(_ token: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !isEmpty, token.count <= 8, token.count > 0 else { return false }
        return packed.contains(Self.pack(token))
    }

    @inline(__always)
    private static func pack(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<min(bytes.count, 8) {
            value |= UInt64(bytes[index]) << (8 * UInt64(index))
        }
        return value
    }
}
