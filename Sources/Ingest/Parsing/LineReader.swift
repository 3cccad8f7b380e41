/// Splits a text document into lines of normalized UTF-8 (see `TextDecoder`) as it streams, so
/// line-based parsers (plain text, Markdown, JSON Lines) hold one line at a time, never the file.
///
/// Memory stays bounded even for a file with no line ends: a line longer than `maxLineBytes` is
/// handed out in parts, each marked `isPartial`, cut at a space near the limit when there is one
/// and never inside a UTF-8 character. Parsers that cannot accept a part (JSON Lines) fail on it.
///
/// A value type owned by one parse call; the slices it returns share its buffer and are valid
/// until the next call.
struct LineReader {
    struct Line {
        /// The line's bytes, without the LF.
        var bytes: ArraySlice<UInt8>
        /// The line goes on in the next part: it was longer than `maxLineBytes`.
        var isPartial: Bool
        /// 1-based number of the line in the document (parts of one line share it).
        var number: Int
    }

    private(set) var decoder = TextDecoder()
    private let maxLineBytes: Int
    private var buffer: [UInt8] = []
    /// Start of the next line in `buffer`.
    private var start = 0
    /// Where the search for the next LF resumes (bytes before it, from `start`, hold none).
    private var searched = 0
    private var exhausted = false
    private var lineNumber = 1

    init(maxLineBytes: Int) {
        self.maxLineBytes = max(16, maxLineBytes)
    }

    /// The charset the decoder settled on, once it has.
    var charset: TextDecoder.Charset? { decoder.charset }

    mutating func next(from source: inout some ByteSource) throws -> Line? {
        while true {
            if let newline = buffer[searched...].firstIndex(of: 0x0A) {
                // A decoded piece can hold a whole over-long line: still hand it out in parts.
                if newline - start > maxLineBytes {
                    searched = newline
                    return part()
                }
                let line = Line(bytes: buffer[start..<newline], isPartial: false, number: lineNumber)
                lineNumber += 1
                start = newline + 1
                searched = start
                return line
            }
            searched = buffer.count
            if buffer.count - start > maxLineBytes { return part() }
            if exhausted {
                guard start < buffer.count else { return nil }
                let line = Line(bytes: buffer[start...], isPartial: false, number: lineNumber)
                lineNumber += 1
                start = buffer.count
                searched = start
                return line
            }
            guard let text = try decoder.nextText(from: &source) else {
                exhausted = true
                continue
            }
            if start == buffer.count {
                buffer = text
            } else {
                // Keep only the unfinished line; it is at most `maxLineBytes` long.
                var joined = [UInt8]()
                joined.reserveCapacity(buffer.count - start + text.count)
                joined += buffer[start...]
                joined += text
                buffer = joined
            }
            searched -= start
            start = 0
        }
    }

    /// The next `maxLineBytes` or so of an over-long line.
    private mutating func part() -> Line {
        let end = Self.cut(buffer, from: start, limit: maxLineBytes)
        let part = Line(bytes: buffer[start..<end], isPartial: true, number: lineNumber)
        start = end
        return part
    }

    /// Where to end a part of an over-long line: after the last space or tab in the final
    /// quarter of the limit, else at the limit moved back to the start of a UTF-8 character.
    private static func cut(_ buffer: [UInt8], from start: Int, limit: Int) -> Int {
        let end = start + limit
        var index = end
        let floor = end - limit / 4
        while index > floor {
            let byte = buffer[index - 1]
            if byte == 0x20 || byte == 0x09 { return index }
            index -= 1
        }
        index = end
        while index > start + 1, buffer[index] & 0xC0 == 0x80 { index -= 1 }
        return index
    }
}
