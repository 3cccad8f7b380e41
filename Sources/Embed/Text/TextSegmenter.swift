/// Finds where a block's text may be cut: sentence ends, line ends, word boundaries. It works on
/// the text's UTF-8 bytes and reports every piece both as a byte range (to slice the text without
/// re-scanning it) and as a Unicode-scalar range (the unit of `Chunk.charStart`/`charEnd`), so the
/// chunker never walks a String character by character.
///
/// Pieces never start or end with ASCII whitespace and are never empty. All functions are pure and
/// linear in the bytes they are given; nothing here recurses or allocates more than the result.
///
/// It lives in Embed, not Ingest, because two modules cut text the same way: the chunker (Ingest)
/// and the sentence vectors and extractive answers (`sentences(in:)`, used by Ingest and Answer).
public enum TextSegmenter {
    /// A span of one block's text.
    public struct Piece: Equatable, Sendable {
        /// UTF-8 offsets into the block's text.
        public var bytes: Range<Int>
        /// Unicode-scalar offsets into the block's text.
        public var scalars: Range<Int>

        public init(bytes: Range<Int>, scalars: Range<Int>) {
            self.bytes = bytes
            self.scalars = scalars
        }
    }

    /// How finely to cut, coarsest first: the chunker tries each level in turn on a piece that is
    /// still larger than a chunk.
    public enum Level: Sendable {
        case sentence
        case line
        case word
    }

    public static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    public static func isContinuation(_ byte: UInt8) -> Bool {
        byte & 0xC0 == 0x80
    }

    /// Scalars in the whole buffer: every byte that does not continue a multi-byte sequence.
    public static func scalarCount(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        for byte in text where !isContinuation(byte) { count &+= 1 }
        return count
    }

    /// `piece` without leading and trailing ASCII whitespace, or nil when nothing else is left.
    /// Whitespace is one byte and one scalar, so both ranges shrink by the same amounts.
    public static func trimmed(_ text: UnsafeBufferPointer<UInt8>, _ piece: Piece) -> Piece? {
        var lower = piece.bytes.lowerBound
        var upper = piece.bytes.upperBound
        while lower < upper, isSpace(text[lower]) { lower += 1 }
        while upper > lower, isSpace(text[upper - 1]) { upper -= 1 }
        guard lower < upper else { return nil }
        let head = lower - piece.bytes.lowerBound
        let tail = piece.bytes.upperBound - upper
        return Piece(bytes: lower..<upper, scalars: (piece.scalars.lowerBound + head)..<(piece.scalars.upperBound - tail))
    }

    /// Cuts `piece` at every boundary of `level`, trimming whitespace off each part.
    public static func split(_ text: UnsafeBufferPointer<UInt8>, _ piece: Piece, at level: Level) -> [Piece] {
        var parts: [Piece] = []
        var startByte = piece.bytes.lowerBound
        var startScalar = piece.scalars.lowerBound
        var scalar = piece.scalars.lowerBound
        var index = piece.bytes.lowerBound
        let end = piece.bytes.upperBound

        func cut(at byte: Int, scalar: Int) {
            if byte > startByte,
               let part = trimmed(text, Piece(bytes: startByte..<byte, scalars: startScalar..<scalar)) {
                parts.append(part)
            }
            startByte = byte
            startScalar = scalar
        }

        while index < end {
            let byte = text[index]
            switch level {
            case .line:
                if byte == 0x0A { cut(at: index + 1, scalar: scalar + 1) }
            case .word:
                if isSpace(byte) { cut(at: index + 1, scalar: scalar + 1) }
            case .sentence:
                if let after = sentenceEnd(text, at: index, start: startByte, end: end) {
                    // Everything up to `after` is the sentence; count the scalars it adds.
                    var s = scalar
                    for i in index..<after where !isContinuation(text[i]) { s += 1 }
                    cut(at: after, scalar: s)
                    scalar = s
                    index = after
                    continue
                }
            }
            if !isContinuation(byte) { scalar += 1 }
            index += 1
        }
        cut(at: end, scalar: piece.scalars.upperBound)
        return parts
    }

    // MARK: Sentences

    /// If a sentence ends with the terminator at `index`, the byte offset just past it (and past any
    /// closing quotes or brackets); nil otherwise. ASCII `.`, `!`, `?` end a sentence only before
    /// whitespace or the end, and `.` not after an abbreviation or an initial. The CJK full stop,
    /// exclamation and question marks end one even without a following space, because CJK text
    /// puts none.
    public static func sentenceEnd(_ text: UnsafeBufferPointer<UInt8>, at index: Int, start: Int, end: Int) -> Int? {
        let byte = text[index]
        var after: Int
        var needsSpace = true
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "?"):
            after = index + 1
        case 0xE3 where index + 2 < end && text[index + 1] == 0x80 && text[index + 2] == 0x82: // 。
            after = index + 3
            needsSpace = false
        case 0xEF where index + 2 < end && ((text[index + 1] == 0xBC && (text[index + 2] == 0x81 || text[index + 2] == 0x9F)) // ！？
                                           || (text[index + 1] == 0xBD && text[index + 2] == 0xA1)): // ｡
            after = index + 3
            needsSpace = false
        default:
            return nil
        }
        after = skipClosers(text, from: after, end: end)
        if needsSpace {
            guard after == end || isSpace(text[after]) else { return nil }
            if byte == UInt8(ascii: "."), isAbbreviation(text, dot: index, start: start) { return nil }
        }
        return after
    }

    /// Skips closing quotes and brackets that belong to the sentence just ended: `."`, `.)`, `。」`.
    private static func skipClosers(_ text: UnsafeBufferPointer<UInt8>, from index: Int, end: Int) -> Int {
        var i = index
        while i < end {
            switch text[i] {
            case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ")"), UInt8(ascii: "]"):
                i += 1
            case 0xE2 where i + 2 < end && text[i + 1] == 0x80 && (text[i + 2] == 0x99 || text[i + 2] == 0x9D): // ’ ”
                i += 3
            case 0xE3 where i + 2 < end && text[i + 1] == 0x80 && (text[i + 2] == 0x8D || text[i + 2] == 0x8F): // 」 』
                i += 3
            case 0xEF where i + 2 < end && text[i + 1] == 0xBC && text[i + 2] == 0x89: // ）
                i += 3
            default:
                return i
            }
        }
        return i
    }

    /// Words after which a period does not end a sentence, lower-cased, without their final period.
    /// Kept short and common: a missed abbreviation only costs a cut in a slightly odd place.
    private static let abbreviations: Set<String> = [
        "e.g", "i.e", "al", "cf", "vs", "viz", "approx", "ca", "resp",
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "col", "lt", "sgt", "rev", "hon",
        "inc", "ltd", "co", "corp", "dept", "univ", "assn", "bros",
        "no", "nos", "vol", "vols", "p", "pp", "ch", "chap", "sec", "fig", "figs", "eq", "ed", "eds", "art",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "mon", "tue", "wed", "thu", "fri", "sat", "sun",
        "z.b", "d.h", "u.a", "bzw", "ggf", "vgl", "usw", "nr", "ff",
    ]

    /// Whether the period at `dot` closes an abbreviation ("e.g.", "Dr."), an initial ("J.") or a
    /// list number ("1."), judged by the word before it.
    private static func isAbbreviation(_ text: UnsafeBufferPointer<UInt8>, dot: Int, start: Int) -> Bool {
        var wordStart = dot
        while wordStart > start, !isSpace(text[wordStart - 1]) { wordStart -= 1 }
        // Opening punctuation is not part of the word: "(e.g." is "e.g".
        while wordStart < dot, text[wordStart] == UInt8(ascii: "(") || text[wordStart] == UInt8(ascii: "\"")
                || text[wordStart] == UInt8(ascii: "[") || text[wordStart] == UInt8(ascii: "'") {
            wordStart += 1
        }
        let length = dot - wordStart
        guard length > 0, length <= 8 else { return false }
        var lowered: [UInt8] = []
        lowered.reserveCapacity(length)
        var letters = 0
        var digits = 0
        var dots = 0
        for i in wordStart..<dot {
            let byte = text[i]
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): lowered.append(byte | 0x20); letters += 1
            case UInt8(ascii: "a")...UInt8(ascii: "z"): lowered.append(byte); letters += 1
            case UInt8(ascii: "0")...UInt8(ascii: "9"): lowered.append(byte); digits += 1
            case UInt8(ascii: "."): lowered.append(byte); dots += 1
            default: return false
            }
        }
        // "J." and "U.S." style initials; "1." and "12." list numbers.
        if letters == 1 && digits == 0 && dots == 0 { return true }
        if digits > 0 && letters == 0 && dots == 0 && digits <= 2 { return true }
        if dots > 0 && letters == dots + 1 && digits == 0 {
            // Every segment one letter: "u.s", "a.m", "e.g".
            var run = 0
            var single = true
            for byte in lowered {
                if byte == UInt8(ascii: ".") { if run != 1 { single = false }; run = 0 } else { run += 1 }
            }
            if single && run == 1 { return true }
        }
        return abbreviations.contains(String(decoding: lowered, as: UTF8.self))
    }
}
