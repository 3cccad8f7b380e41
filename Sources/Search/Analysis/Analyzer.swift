import FoundationEssentials

/// Why an analyzer could not be made.
public enum AnalyzerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// libstemmer has no algorithm by that name; `supported` lists the ones it has.
    case unsupportedLanguage(String, supported: [String])

    public var description: String {
        switch self {
        case .unsupportedLanguage(let name, let supported):
            "unsupported analyzer language \"\(name)\"; supported: \(supported.joined(separator: ", "))"
        }
    }
}

/// Turns text into BM25 terms: tokenize, lowercase, drop stop words, stem (Snowball).
///
/// The same analyzer (same language) must build a tenant's index and analyze its queries, or terms
/// will not meet. Rules, modelled on Lucene's `EnglishAnalyzer` so scores compare with Anserini:
/// - A token is a run of letters (Unicode Alphabetic), digits (any Unicode number) and combining
///   marks; everything else separates tokens, so "e-mail" is "e", "mail" and "3.14" is "3", "14".
/// - Each ideograph (Han) and each Hiragana letter is a token of its own, as Lucene's
///   StandardTokenizer does: CJK text has no spaces, and a whole sentence would be one
///   unsearchable (and usually over-long) token. Katakana, Hangul, Thai etc. stay runs.
/// - Lowercasing is Unicode's full lowercase mapping per scalar ("É" → "é", "İ" → "i̇");
///   no accent folding and no normalization to NFC (the index and queries get the same bytes).
/// - English only: an apostrophe (' or ’) between two letters stays inside the token (UAX #29
///   MidLetter), as "don't" and "o'neil"; then a trailing "'s" is dropped (Lucene's
///   EnglishPossessiveFilter), so "John's" is "john". Other languages split at apostrophes, so
///   French "l'homme" gives "l", "homme" (Lucene would elide the "l'": a later refinement).
/// - Tokens longer than `maxTokenBytes` UTF-8 bytes (after lowercasing) are dropped: they are
///   hashes, base64 or URLs glued together, and would only bloat the index.
/// - Stop words (see `StopWords`) are removed before stemming, after the possessive is dropped.
///
/// Speed: one pass over the UTF-8 bytes; ASCII bytes are classified with arithmetic, only other
/// scalars pay for Unicode property lookups. The token is built in a stack buffer, and stems
/// come out of libstemmer's own buffer; terms of at most 15 bytes are small Strings with no heap
/// allocation.
///
/// Ownership and threads: owns one `Stemmer` (one `sb_stemmer`), freed when the analyzer is.
/// Deliberately NOT Sendable: libstemmer keeps each result inside the stemmer object, so one
/// analyzer must never be used by two threads at once. Make one per thread (they are cheap:
/// one small C allocation) and keep it for the thread's life.
public final class Analyzer {
    /// Canonical libstemmer name of this analyzer's language.
    public let language: String
    /// Longest token kept, in UTF-8 bytes.
    public static let maxTokenBytes = 64

    /// Languages libstemmer offers (canonical names, sorted), e.g. english, french, german.
    public static var languages: [String] { Stemmer.languages }

    private let stemmer: Stemmer
    private let stopWords: StopWords
    /// English keeps inner apostrophes and strips "'s"; other languages split at apostrophes.
    private let joinsApostrophes: Bool

    /// Token buffer size: the limit plus room for one more scalar's lowercase mapping (at most
    /// three scalars, 12 bytes), so an append never has to be split.
    private static let tokenCapacity = maxTokenBytes + 16

    /// - Parameter language: a libstemmer algorithm name, case-insensitive ("english" is
    ///   Porter2, "porter" is the original Porter algorithm, also with English stop words).
    /// - Throws: `AnalyzerError.unsupportedLanguage` naming the supported languages.
    public init(language: String = "english") throws {
        let name = language.lowercased()
        guard let stemmer = Stemmer(language: name) else {
            throw AnalyzerError.unsupportedLanguage(language, supported: Stemmer.languages)
        }
        self.language = name
        self.stemmer = stemmer
        self.stopWords = StopWords(language: name)
        self.joinsApostrophes = name == "english" || name == "porter"
    }

    /// The terms of `text`, in order, with repeats: stop words removed, stemmed.
    public func terms(_ text: String) -> [String] {
        var out: [String] = []
        out.reserveCapacity(text.utf8.count / 6 + 1)
        forEachTerm(in: text) { term, _ in out.append(String(decoding: term, as: UTF8.self)) }
        return out
    }

    /// Each distinct term with its count, and `length`, the number of terms kept (BM25's
    /// document length): what the index builder stores per chunk.
    public func termCounts(_ text: String) -> (counts: [String: Int], length: Int) {
        var counts: [String: Int] = [:]
        var length = 0
        forEachTerm(in: text) { term, _ in
            counts[String(decoding: term, as: UTF8.self), default: 0] += 1
            length += 1
        }
        return (counts, length)
    }

    /// Calls `body` with each kept term (stemmed UTF-8 bytes) and the UTF-8 byte range in `text`
    /// of the word it came from (a possessive "'s" included). The term buffer belongs to the
    /// stemmer: valid only during the call, and `body` must not use this analyzer.
    func forEachTerm(in text: String, _ body: (UnsafeBufferPointer<UInt8>, Range<Int>) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.tokenCapacity) { token in
                scan(bytes, token: token, body)
            }
        }
    }

    /// The tokenizer's state machine over valid UTF-8 (String guarantees it; every read is still
    /// bounds-checked so a bad length cannot read past the buffer).
    private func scan(_ bytes: UnsafeBufferPointer<UInt8>, token: UnsafeMutableBufferPointer<UInt8>,
                      _ body: (UnsafeBufferPointer<UInt8>, Range<Int>) -> Void) {
        let count = bytes.count
        var length = 0          // bytes in `token`
        var overflow = false    // token outgrew the buffer: it will be dropped
        var start = -1          // byte offset where the current token began; -1 outside a token
        var lastIsLetter = false

        @inline(__always) func append(_ byte: UInt8) {
            if length < token.count { token[length] = byte; length += 1 } else { overflow = true }
        }
        func flush(_ end: Int) {
            guard start >= 0 else { return }
            defer { start = -1; length = 0; overflow = false; lastIsLetter = false }
            guard !overflow, length > 0, length <= Self.maxTokenBytes else { return }
            var kept = length
            if joinsApostrophes, kept >= 2, token[kept - 2] == 0x27, token[kept - 1] == 0x73 { kept -= 2 }
            guard kept > 0 else { return }
            let word = UnsafeBufferPointer(rebasing: token[0..<kept])
            if stopWords.contains(word) { return }
            stemmer.stem(word) { body($0, start..<end) }
        }

        var index = 0
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                let folded = byte | 0x20
                if folded &- 0x61 < 26 {                      // A-Z, a-z
                    if start < 0 { start = index }
                    append(folded)
                    lastIsLetter = true
                } else if byte &- 0x30 < 10 {                 // 0-9
                    if start < 0 { start = index }
                    append(byte)
                    lastIsLetter = false
                } else if byte == 0x27, joinsApostrophes, start >= 0, lastIsLetter,
                          letterFollows(bytes, at: index + 1) {
                    append(0x27)
                    lastIsLetter = false
                } else {
                    flush(index)
                }
                index += 1
                continue
            }
            guard let (scalar, width) = Self.decode(bytes, at: index) else {
                flush(index)
                index += 1
                continue
            }
            let value = scalar.value
            if value == 0x2019 || value == 0x02BC {                // ’ and ʼ: apostrophes
                if joinsApostrophes, start >= 0, lastIsLetter, letterFollows(bytes, at: index + width) {
                    append(0x27)
                    lastIsLetter = false
                } else {
                    flush(index)
                }
                index += width
                continue
            }
            let properties = scalar.properties
            if properties.isAlphabetic {
                if properties.isIdeographic || (0x3040...0x309F).contains(value) {
                    flush(index)                                  // a token of its own
                    start = index
                    for offset in 0..<width { append(bytes[index + offset]) }
                    flush(index + width)
                } else {
                    if start < 0 { start = index }
                    appendLowercased(scalar, properties, bytes, index, width, append)
                    lastIsLetter = true
                }
            } else if properties.numericType != nil {
                if start < 0 { start = index }
                appendLowercased(scalar, properties, bytes, index, width, append)
                lastIsLetter = false
            } else if start >= 0, Self.isMark(properties.generalCategory) {
                for offset in 0..<width { append(bytes[index + offset]) }   // keeps "e\u{301}" whole
            } else {
                flush(index)
            }
            index += width
        }
        flush(count)
    }

    @inline(__always)
    private func appendLowercased(_ scalar: Unicode.Scalar, _ properties: Unicode.Scalar.Properties,
                                  _ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, _ width: Int,
                                  _ append: (UInt8) -> Void) {
        if properties.changesWhenLowercased {
            for byte in properties.lowercaseMapping.utf8 { append(byte) }
        } else {
            for offset in 0..<width { append(bytes[index + offset]) }
        }
    }

    /// Whether a letter starts at `index` (false at the end): an apostrophe joins only letters.
    private func letterFollows(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard index < bytes.count else { return false }
        let byte = bytes[index]
        if byte < 0x80 { return (byte | 0x20) &- 0x61 < 26 }
        guard let (scalar, _) = Self.decode(bytes, at: index) else { return false }
        return scalar.properties.isAlphabetic
    }

    private static func isMark(_ category: Unicode.GeneralCategory) -> Bool {
        category == .nonspacingMark || category == .spacingMark || category == .enclosingMark
    }

    /// Decodes the multi-byte scalar starting at `index`; nil on a stray or truncated sequence.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[index]
        let width: Int
        var value: UInt32
        switch lead {
        case 0xC0...0xDF: width = 2; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: width = 3; value = UInt32(lead & 0x0F)
        case 0xF0...0xF7: width = 4; value = UInt32(lead & 0x07)
        default: return nil
        }
        guard index + width <= bytes.count else { return nil }
        for offset in 1..<width {
            let next = bytes[index + offset]
            guard next & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(next & 0x3F)
        }
        guard let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, width)
    }
}
