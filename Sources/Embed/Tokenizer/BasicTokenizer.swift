// `String._nfd` is the standard library's own NFD (the one behind String's canonical equivalence),
// exposed as SPI. FoundationEssentials has no `decomposedStringWithCanonicalMapping` on Linux and
// full Foundation would pull ICU into the server for this one call; the Unicode.Scalar properties
// API has no decomposition mappings. If this SPI ever goes away, the fallback is a generated
// decomposition table.
@_spi(_Unicode) import Swift

/// BERT's text normalization and pre-tokenization, as the Hugging Face `BertNormalizer` and
/// `BertPreTokenizer` do them (the fast tokenizer sentence-transformers uses), in their order:
/// 1. clean: drop NUL, U+FFFD and control, format and private-use scalars (Cc, Cf, Co) except
///    \t \n \r (unassigned ones stay: the reference keeps U+0378 and U+FAFF);
///    map White_Space scalars to a space;
/// 2. surround CJK ideographs with spaces;
/// 3. strip accents: NFD, then drop non-spacing marks (Mn);
/// 4. lower-case each scalar with its full mapping ("İ" → "i̇"; after step 3, so that dot stays);
/// 5. split on whitespace, and make every punctuation scalar a word of its own.
///
/// A value type with no state; Sendable. Works on `Unicode.Scalar`s and emits words as UTF-8.
struct BasicTokenizer: Sendable {
    var cleanText = true
    var handleChineseCharacters = true
    var stripAccents = true
    var lowercase = true

    /// Normalizes `text` and calls `body` with each word's UTF-8 bytes, in order, until it
    /// returns false. The buffer is only valid during the call.
    func forEachWord(in text: Substring, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) {
        forEachWord(in: text, trackingOffsets: false) { word, _ in body(word) }
    }

    /// Like `forEachWord(in:_:)`, and also gives each word's source: the UTF-8 byte range in
    /// `text` (relative to its start) from the first to the last scalar the word came from. Only
    /// computed when `trackingOffsets` is true (the range is empty otherwise), so plain
    /// tokenization pays nothing for it.
    func forEachWord(in text: Substring, trackingOffsets: Bool,
                     _ body: (UnsafeBufferPointer<UInt8>, Range<Int>) -> Bool) {
        var origins: [Range<Int>]? = trackingOffsets ? [] : nil
        let scalars = normalize(text, origins: &origins)
        var word: [UInt8] = []
        word.reserveCapacity(64)
        var wordStart = 0
        var wordEnd = 0
        // Returns false when the caller wants no more words.
        func flush() -> Bool {
            guard !word.isEmpty else { return true }
            defer { word.removeAll(keepingCapacity: true) }
            return word.withUnsafeBufferPointer { body($0, wordStart..<max(wordStart, wordEnd)) }
        }
        func extend(_ index: Int) {
            guard let origins else { return }
            if word.isEmpty { wordStart = origins[index].lowerBound }
            wordEnd = origins[index].upperBound
        }
        for (index, scalar) in scalars.enumerated() {
            if Self.isWhitespace(scalar) {
                guard flush() else { return }
            } else if Self.isPunctuation(scalar) {
                guard flush() else { return }
                extend(index)
                word.append(contentsOf: UTF8.encode(scalar)!)
                guard flush() else { return }
            } else if scalar.isASCII {
                extend(index)
                word.append(UInt8(truncatingIfNeeded: scalar.value))
            } else {
                extend(index)
                word.append(contentsOf: UTF8.encode(scalar)!)
            }
        }
        _ = flush()
    }

    /// Steps 1–4: the normalized scalars.
    func normalize(_ text: Substring) -> [Unicode.Scalar] {
        var origins: [Range<Int>]? = nil
        return normalize(text, origins: &origins)
    }

    /// Steps 1–4; when `origins` is non-nil, also appends to it, for each normalized scalar, the
    /// UTF-8 byte range in `text` of the scalar it came from (a CJK space, a decomposed accent or
    /// a multi-scalar lower-case mapping inherits its source's range).
    func normalize(_ text: Substring, origins: inout [Range<Int>]?) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.utf8.count + 8)
        var allASCII = true
        var offset = 0
        for scalar in text.unicodeScalars {
            let origin = offset..<(offset + UTF8.width(scalar))
            offset = origin.upperBound
            if scalar.isASCII {
                let v = scalar.value
                // ASCII controls other than \t \n \r (and NUL) are Cc: dropped.
                if cleanText && v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D { continue }
                if cleanText && v == 0x7F { continue }
                out.append(cleanText && v < 0x20 ? " " : scalar)
                origins?.append(origin)
                continue
            }
            allASCII = false
            if cleanText {
                if scalar.value == 0xFFFD || Self.isOther(scalar) { continue }
                if scalar.properties.isWhitespace {
                    out.append(" ")
                    origins?.append(origin)
                    continue
                }
            }
            if handleChineseCharacters && Self.isChineseCharacter(scalar) {
                out.append(" ")
                out.append(scalar)
                out.append(" ")
                origins?.append(contentsOf: repeatElement(origin, count: 3))
            } else {
                out.append(scalar)
                origins?.append(origin)
            }
        }
        if allASCII {
            if lowercase {
                for i in out.indices where out[i].value >= 0x41 && out[i].value <= 0x5A {
                    out[i] = Unicode.Scalar(UInt8(out[i].value) | 0x20)
                }
            }
            return out
        }
        if stripAccents {
            // NFD only the non-ASCII runs: ASCII scalars neither decompose nor take part in
            // mark reordering (combining class 0), so NFD(ascii + run) == ascii + NFD(run), and
            // short runs fit a small String, which does not allocate.
            var stripped: [Unicode.Scalar] = []
            stripped.reserveCapacity(out.count)
            var strippedOrigins: [Range<Int>]? = origins == nil ? nil : []
            var i = 0
            while i < out.count {
                if out[i].isASCII {
                    stripped.append(out[i])
                    if let sources = origins { strippedOrigins?.append(sources[i]) }
                    i += 1
                    continue
                }
                var j = i + 1
                while j < out.count && !out[j].isASCII { j += 1 }
                if let sources = origins {
                    // Tracking: NFD each starter with the marks after it, so every output scalar
                    // knows its source. Canonical reordering only moves marks among the marks
                    // after one starter, so this equals NFD of the whole run.
                    var s = i
                    while s < j {
                        var e = s + 1
                        while e < j && out[e].properties.canonicalCombiningClass != .notReordered { e += 1 }
                        let added = Self.appendStripped(out[s..<e], to: &stripped)
                        let origin = sources[s].lowerBound..<sources[e - 1].upperBound
                        strippedOrigins?.append(contentsOf: repeatElement(origin, count: added))
                        s = e
                    }
                } else {
                    _ = Self.appendStripped(out[i..<j], to: &stripped)
                }
                i = j
            }
            out = stripped
            origins = strippedOrigins
        }
        if lowercase {
            var lowered: [Unicode.Scalar] = []
            lowered.reserveCapacity(out.count)
            var loweredOrigins: [Range<Int>]? = origins == nil ? nil : []
            loweredOrigins?.reserveCapacity(out.count)
            for (i, scalar) in out.enumerated() {
                let before = lowered.count
                if scalar.isASCII {
                    let v = scalar.value
                    lowered.append(v >= 0x41 && v <= 0x5A ? Unicode.Scalar(UInt8(v) | 0x20) : scalar)
                } else if scalar.properties.changesWhenLowercased {
                    lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                } else {
                    lowered.append(scalar)
                }
                if let sources = origins {
                    loweredOrigins?.append(contentsOf: repeatElement(sources[i], count: lowered.count - before))
                }
            }
            out = lowered
            origins = loweredOrigins
        }
        return out
    }

    /// Appends NFD(`scalars`) without its non-spacing marks; returns how many scalars it added.
    private static func appendStripped(_ scalars: ArraySlice<Unicode.Scalar>, to out: inout [Unicode.Scalar]) -> Int {
        var run = String.UnicodeScalarView()
        run.append(contentsOf: scalars)
        let before = out.count
        for scalar in String(run)._nfd where scalar.properties.generalCategory != .nonspacingMark {
            out.append(scalar)
        }
        return out.count - before
    }

    // MARK: Character classes

    /// Rust's `char::is_whitespace` (the White_Space property), which the reference uses.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D: return true
        case 0..<0x80: return false
        default: return scalar.properties.isWhitespace
        }
    }

    /// What the reference's clean step drops: control, format and private use. Not unassigned
    /// (Cn), although its comments say so: tokens.json checks U+0378, U+FAFF and U+10FFFE survive.
    /// Surrogates cannot occur in a Swift string.
    static func isOther(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .privateUse: return true
        default: return false
        }
    }

    /// All of ASCII 33–47, 58–64, 91–96, 123–126 (which includes symbols such as "$", "+", "^"
    /// that Unicode does not call punctuation), plus every Unicode P* category.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 {
            return (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v)
                || (123...126).contains(v)
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK ranges of the Hugging Face `tokenizers` BertNormalizer. They differ from Google's
    /// original BERT in one place, Extension E starts at U+2B920 rather than U+2B820, and we
    /// follow the reference (tokens.json has a U+2B820 case that tells them apart).
    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
