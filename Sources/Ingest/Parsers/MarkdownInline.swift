/// Reduces Markdown inline markup to the text a reader sees: `[text](url)` and `[text][ref]`
/// become text, images `![alt](src)` their alt text, autolinks `<https://…>` the address;
/// emphasis (`*`, `**`, `_`, `__`) and strikethrough (`~~`) markers and inline HTML tags are
/// dropped; code spans keep their content verbatim; backslash escapes are resolved.
///
/// Works on UTF-8 bytes in one pass with no recursion: a link's text is scanned in place and the
/// scan jumps over its `](url)` tail when it gets there. Every look-ahead is bounded, so the cost
/// stays linear-ish on hostile input (a paragraph of ten thousand `[`).
enum MarkdownInline {
    /// How far a closing `]`, `)`, backtick run or `>` is looked for.
    private static let lookahead = 2_048

    static func reduce(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        // Positions where a link's text ends, each with where its tail ends; innermost last.
        var tails: [(close: Int, end: Int)] = []
        var index = 0
        let count = text.count
        while index < count {
            if let tail = tails.last, tail.close <= index {
                // Reached the link text's end: skip its tail. (A code span may have run past it;
                // then the tail is text.)
                tails.removeLast()
                if tail.close == index { index = tail.end }
                continue
            }
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "\\"):
                if index + 1 < count, isPunctuation(text[index + 1]) {
                    out.append(text[index + 1])
                    index += 2
                } else {
                    out.append(byte)
                    index += 1
                }
            case UInt8(ascii: "`"):
                let run = runLength(text, at: index)
                if let close = closingBackticks(text, from: index + run, length: run) {
                    var start = index + run
                    var end = close
                    if end - start >= 2, text[start] == 0x20, text[end - 1] == 0x20 { start += 1; end -= 1 }
                    out += text[start..<end]
                    index = close + run
                } else {
                    out += text[index..<index + run]
                    index += run
                }
            case UInt8(ascii: "!") where index + 1 < count && text[index + 1] == UInt8(ascii: "["):
                if let link = link(text, at: index + 1, limit: tails.last?.close ?? count) {
                    tails.append(link)
                    index += 2
                } else {
                    out.append(byte)
                    index += 1
                }
            case UInt8(ascii: "["):
                if let link = link(text, at: index, limit: tails.last?.close ?? count) {
                    tails.append(link)
                } else {
                    out.append(byte)
                }
                index += 1
            case UInt8(ascii: "<"):
                index = angle(text, at: index, into: &out)
            case UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "~"):
                let run = runLength(text, at: index)
                if !isEmphasisDelimiter(text, at: index, run: run) { out += text[index..<index + run] }
                index += run
            default:
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    // MARK: - Links

    /// A link or image whose text starts after the `[` at `open`: where its text closes, and where
    /// its `(destination)` or `[reference]` tail ends. Nil for plain brackets ("[x]", "[ ]").
    private static func link(_ text: [UInt8], at open: Int, limit: Int) -> (close: Int, end: Int)? {
        guard let close = matching(text, from: open + 1, opening: UInt8(ascii: "["), closing: UInt8(ascii: "]"),
                                   limit: limit) else { return nil }
        let after = close + 1
        guard after < text.count else { return nil }
        switch text[after] {
        case UInt8(ascii: "("):
            guard let end = matching(text, from: after + 1, opening: UInt8(ascii: "("), closing: UInt8(ascii: ")"),
                                     limit: text.count) else { return nil }
            return (close, end + 1)
        case UInt8(ascii: "["):
            guard let end = matching(text, from: after + 1, opening: UInt8(ascii: "["), closing: UInt8(ascii: "]"),
                                     limit: text.count) else { return nil }
            return (close, end + 1)
        default:
            return nil
        }
    }

    /// The index of the `closing` byte that balances an `opening` just before `start`, skipping
    /// escaped bytes; nil past the look-ahead or `limit`.
    private static func matching(_ text: [UInt8], from start: Int, opening: UInt8, closing: UInt8, limit: Int) -> Int? {
        var depth = 0
        var index = start
        let end = min(limit, text.count, start + lookahead)
        while index < end {
            let byte = text[index]
            if byte == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if byte == opening {
                depth += 1
            } else if byte == closing {
                if depth == 0 { return index }
                depth -= 1
            }
            index += 1
        }
        return nil
    }

    // MARK: - Code spans, tags, emphasis

    private static func runLength(_ text: [UInt8], at index: Int) -> Int {
        var end = index
        while end < text.count, text[end] == text[index] { end += 1 }
        return end - index
    }

    /// The start of the next backtick run of exactly `length`, within the look-ahead.
    private static func closingBackticks(_ text: [UInt8], from start: Int, length: Int) -> Int? {
        var index = start
        let end = min(text.count, start + lookahead)
        while index < end {
            guard text[index] == UInt8(ascii: "`") else {
                index += 1
                continue
            }
            let run = runLength(text, at: index)
            if run == length { return index }
            index += run
        }
        return nil
    }

    /// `<https://example.com>` keeps the address, `<b>` and `</span>` are dropped, any other `<`
    /// is text. Returns where scanning resumes.
    private static func angle(_ text: [UInt8], at index: Int, into out: inout [UInt8]) -> Int {
        let next = index + 1
        let isTagStart = next < text.count && (isLetter(text[next]) || text[next] == UInt8(ascii: "/"))
        if isTagStart, let close = text[next..<min(text.count, next + lookahead)].firstIndex(of: UInt8(ascii: ">")) {
            let inner = text[next..<close]
            let isAutolink = !inner.contains(0x20) && (inner.contains(UInt8(ascii: ":")) || inner.contains(UInt8(ascii: "@")))
            if isAutolink { out += inner }
            return close + 1
        }
        out.append(UInt8(ascii: "<"))
        return next
    }

    /// Whether a run of `*`, `_` or `~` marks emphasis rather than being text: it must touch a
    /// word on one side (`2 * 3` stays); `_` must also sit at a word edge (`snake_case` stays);
    /// only `~~` is strikethrough.
    private static func isEmphasisDelimiter(_ text: [UInt8], at index: Int, run: Int) -> Bool {
        let marker = text[index]
        if marker == UInt8(ascii: "~") && run != 2 { return false }
        let before: UInt8? = index > 0 ? text[index - 1] : nil
        let after: UInt8? = index + run < text.count ? text[index + run] : nil
        let leftFlanking = after.map { !BlockText.isSpace($0) } ?? false
        let rightFlanking = before.map { !BlockText.isSpace($0) } ?? false
        guard marker == UInt8(ascii: "_") else { return leftFlanking || rightFlanking }
        let opens = leftFlanking && !(before.map(isWordByte) ?? false)
        let closes = rightFlanking && !(after.map(isWordByte) ?? false)
        return opens || closes
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    /// Letters, digits, and any byte of a non-ASCII character (words in other scripts).
    private static func isWordByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte >= 0x80
    }

    private static func isPunctuation(_ byte: UInt8) -> Bool {
        (0x21...0x2F).contains(byte) || (0x3A...0x40).contains(byte) || (0x5B...0x60).contains(byte)
            || (0x7B...0x7E).contains(byte)
    }
}
