/// Text of one block as it is assembled from the pieces a markup parser hands out (HTML text
/// nodes, DOCX runs), kept as UTF-8 bytes so nothing is appended character by character to a
/// `String`. Whitespace is collapsed the HTML way (any run becomes one space) except where a
/// caller asks for a line break or tab on purpose; `take()` trims and returns the text.
struct MarkupTextBuffer {
    private var bytes: [UInt8] = []
    /// A space is owed before the next visible byte; it is dropped at line starts and at the end.
    private var pendingSpace = false

    var isEmpty: Bool { bytes.isEmpty }

    /// Appends text, turning every run of whitespace into at most one space.
    mutating func appendCollapsing(_ text: UnsafeBufferPointer<UInt8>) {
        var index = 0
        let count = text.count
        while index < count {
            if Self.isSpace(text[index]) {
                pendingSpace = true
                index += 1
                continue
            }
            var end = index + 1
            while end < count, !Self.isSpace(text[end]) { end += 1 }
            flushSpace()
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[index..<end]))
            index = end
        }
    }

    mutating func appendCollapsing(_ text: String) {
        var copy = text
        copy.withUTF8 { appendCollapsing($0) }
    }

    /// Appends text as it is (preformatted blocks).
    mutating func appendVerbatim(_ text: UnsafeBufferPointer<UInt8>) {
        flushSpace()
        bytes.append(contentsOf: text)
    }

    /// A deliberate line break (`\n`) or tab (`\t`); spaces owed before it are dropped.
    mutating func appendBreak(_ byte: UInt8) {
        pendingSpace = false
        bytes.append(byte)
    }

    /// Separates what comes next from what came before (block boundaries inside a table cell).
    mutating func appendSeparator() {
        if !bytes.isEmpty { pendingSpace = true }
    }

    /// The text with leading and trailing whitespace removed, or nil when there is none; the
    /// buffer is empty afterwards, its storage kept for the next block.
    mutating func take() -> String? {
        defer {
            bytes.removeAll(keepingCapacity: true)
            pendingSpace = false
        }
        var start = 0
        var end = bytes.count
        while start < end, Self.isSpace(bytes[start]) { start += 1 }
        while end > start, Self.isSpace(bytes[end - 1]) { end -= 1 }
        guard start < end else { return nil }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private mutating func flushSpace() {
        if pendingSpace {
            if let last = bytes.last, last != 0x0A, last != 0x09 { bytes.append(0x20) }
            pendingSpace = false
        }
    }

    /// ASCII whitespace as HTML defines it (space, tab, LF, FF, CR).
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == 0x0C
    }
}
