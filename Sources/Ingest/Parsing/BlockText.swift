/// Turns parsed UTF-8 bytes into a block's text as `Block` promises it: no leading or trailing
/// whitespace, never empty. Works on bytes so parsers build text without per-character String
/// appends; the String is made once per block.
enum BlockText {
    /// Whitespace for flowing text: ASCII space, tab, LF, and the other C0 controls (form feeds
    /// and stray control bytes in exported text carry no meaning).
    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool { byte <= 0x20 || byte == 0x7F }

    /// Flowing text: every run of ASCII whitespace becomes one space, ends trimmed (Unicode
    /// spaces too). Nil when nothing is left.
    static func collapsed(_ bytes: some Collection<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var pendingSpace = false
        for byte in bytes {
            if isSpace(byte) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(byte)
            }
        }
        return trimmed(out)
    }

    /// Text whose inner layout matters (code, record lines): only the ends are trimmed. Nil when
    /// nothing is left.
    static func trimmed(_ bytes: [UInt8]) -> String? {
        let range = trimRange(bytes[...])
        return range.isEmpty ? nil : String(decoding: bytes[range], as: UTF8.self)
    }

    /// The range of `bytes` without whitespace at either end: ASCII whitespace and controls, and
    /// the Unicode White_Space characters (no-break space from Word and HTML exports, ideographic
    /// space, …). Empty when all blank.
    static func trimRange(_ bytes: ArraySlice<UInt8>) -> Range<Int> {
        var lower = bytes.startIndex
        var upper = bytes.endIndex
        while lower < upper {
            let length = spaceLength(bytes, at: lower, limit: upper)
            guard length > 0 else { break }
            lower += length
        }
        while upper > lower {
            let byte = bytes[upper - 1]
            if isSpace(byte) {
                upper -= 1
            } else if byte >= 0x80, upper - lower >= 2, spaceLength(bytes, at: upper - 2, limit: upper) == 2 {
                upper -= 2
            } else if byte >= 0x80, upper - lower >= 3, spaceLength(bytes, at: upper - 3, limit: upper) == 3 {
                upper -= 3
            } else {
                break
            }
        }
        return lower..<upper
    }

    static func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy(isSpace)
    }

    /// Bytes of the whitespace character at `index` (0 if it is not one): U+0085, U+00A0,
    /// U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, or ASCII.
    private static func spaceLength(_ bytes: ArraySlice<UInt8>, at index: Int, limit: Int) -> Int {
        let first = bytes[index]
        if isSpace(first) { return 1 }
        guard index + 1 < limit else { return 0 }
        let second = bytes[index + 1]
        if first == 0xC2 { return second == 0x85 || second == 0xA0 ? 2 : 0 }
        guard index + 2 < limit else { return 0 }
        let third = bytes[index + 2]
        switch (first, second) {
        case (0xE1, 0x9A): return third == 0x80 ? 3 : 0
        case (0xE2, 0x80): return (0x80...0x8A).contains(third) || third == 0xA8 || third == 0xA9 || third == 0xAF ? 3 : 0
        case (0xE2, 0x81): return third == 0x9F ? 3 : 0
        case (0xE3, 0x80): return third == 0x80 ? 3 : 0
        default: return 0
        }
    }
}
