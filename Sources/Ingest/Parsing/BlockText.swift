/// Turns parsed UTF-8 bytes into a block's text as `Block` promises it: no leading or trailing
/// whitespace, never empty. Works on bytes so parsers build text without per-character String
/// appends; the String is made once per block.
enum BlockText {
    /// Whitespace for flowing text: ASCII space, tab, LF, and the other C0 controls (form feeds
    /// and stray control bytes in exported text carry no meaning).
    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool { byte <= 0x20 || byte == 0x7F }

    /// Flowing text: every run of whitespace becomes one space, ends trimmed. Nil when nothing
    /// is left.
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
        return out.isEmpty ? nil : String(decoding: out, as: UTF8.self)
    }

    /// Text whose inner layout matters (code, record lines): only the ends are trimmed. Nil when
    /// nothing is left.
    static func trimmed(_ bytes: some BidirectionalCollection<UInt8>) -> String? {
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) }) else { return nil }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// The range of `bytes` without ASCII whitespace at either end (empty when all blank).
    static func trimRange(_ bytes: ArraySlice<UInt8>) -> Range<Int> {
        var lower = bytes.startIndex
        var upper = bytes.endIndex
        while lower < upper, isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, isSpace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    static func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy(isSpace)
    }
}
