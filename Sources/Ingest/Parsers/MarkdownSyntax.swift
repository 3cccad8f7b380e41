/// Recognisers for Markdown's block syntax, one line at a time, for `MarkdownBlockReader`.
/// Pure functions on a line's bytes (indentation already removed unless said otherwise).
enum MarkdownSyntax {
    /// An open fenced code block: its marker (backtick or tilde), the fence length the closing
    /// fence must reach, and the indentation to remove from its lines.
    struct Fence {
        var marker: UInt8
        var length: Int
        var indent: Int
    }

    /// "```swift" or "~~~" opens a code block; a backtick fence's info string may not hold a
    /// backtick (that is inline code).
    static func fenceStart(_ content: ArraySlice<UInt8>, indent: Int) -> Fence? {
        guard let marker = content.first, marker == UInt8(ascii: "`") || marker == UInt8(ascii: "~") else { return nil }
        let length = content.prefix { $0 == marker }.count
        guard length >= 3 else { return nil }
        if marker == UInt8(ascii: "`"), content.dropFirst(length).contains(marker) { return nil }
        return Fence(marker: marker, length: length, indent: indent)
    }

    /// A closing fence: up to three spaces, at least as many markers as the opening, nothing
    /// after but whitespace. `line` still has its indentation.
    static func isFence(_ line: ArraySlice<UInt8>, closing open: Fence) -> Bool {
        var content = line
        var spaces = 0
        while content.first == 0x20, spaces < 4 {
            content = content.dropFirst()
            spaces += 1
        }
        guard spaces < 4 else { return false }
        let length = content.prefix { $0 == open.marker }.count
        return length >= open.length && BlockText.isBlank(content.dropFirst(length))
    }

    /// "## Title ##" is a level-2 heading "Title"; "#hashtag" is not a heading.
    static func atxHeading(_ content: ArraySlice<UInt8>) -> (Int, ArraySlice<UInt8>)? {
        let level = content.prefix { $0 == UInt8(ascii: "#") }.count
        guard (1...6).contains(level) else { return nil }
        var text = content.dropFirst(level)
        if let first = text.first, first != 0x20, first != 0x09 { return nil }
        text = text[BlockText.trimRange(text)]
        // A closing sequence of #s counts only after a space (or as the whole text).
        let closing = text.reversed().prefix { $0 == UInt8(ascii: "#") }.count
        if closing == text.count {
            text = text.prefix(0)
        } else if closing > 0, let before = text.dropLast(closing).last, before == 0x20 || before == 0x09 {
            text = text.dropLast(closing)
        }
        return (level, text)
    }

    /// "===" under a paragraph makes it a level-1 heading, "---" a level-2 one.
    static func setextLevel(_ content: ArraySlice<UInt8>) -> Int? {
        let trimmed = content[BlockText.trimRange(content)]
        guard let marker = trimmed.first, trimmed.allSatisfy({ $0 == marker }) else { return nil }
        switch marker {
        case UInt8(ascii: "="): return 1
        case UInt8(ascii: "-"): return 2
        default: return nil
        }
    }

    /// "***", "- - -", "___": a horizontal rule, dropped.
    static func isThematicBreak(_ content: ArraySlice<UInt8>) -> Bool {
        guard let marker = content.first,
              marker == UInt8(ascii: "-") || marker == UInt8(ascii: "*") || marker == UInt8(ascii: "_") else { return false }
        var count = 0
        for byte in content {
            if byte == marker {
                count += 1
            } else if byte != 0x20 && byte != 0x09 {
                return false
            }
        }
        return count >= 3
    }

    /// "[id]: https://…" defines a link target; it is not text.
    static func isReferenceDefinition(_ content: ArraySlice<UInt8>) -> Bool {
        guard content.first == UInt8(ascii: "["),
              let close = content.firstIndex(of: UInt8(ascii: "]")),
              close > content.startIndex + 1 else { return false }
        let after = close + 1
        return after < content.endIndex && content[after] == UInt8(ascii: ":")
    }

    /// "| --- | :---: |" or "---|---": a table's separator row.
    static func isTableSeparator(_ content: ArraySlice<UInt8>) -> Bool {
        var dashes = false
        var pipes = false
        for byte in content {
            switch byte {
            case UInt8(ascii: "-"): dashes = true
            case UInt8(ascii: "|"): pipes = true
            case UInt8(ascii: ":"), 0x20, 0x09: continue
            default: return false
            }
        }
        return dashes && (pipes || content.contains(UInt8(ascii: ":")))
    }

    /// A table row's cells, trimmed: split on pipes that are not escaped (`\|`), with the
    /// optional leading and trailing pipe removed.
    static func cells(_ content: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var row = content[BlockText.trimRange(content)]
        if row.first == UInt8(ascii: "|") { row = row.dropFirst() }
        if row.last == UInt8(ascii: "|"), row.count < 2 || row[row.endIndex - 2] != UInt8(ascii: "\\") {
            row = row.dropLast()
        }
        var cells: [ArraySlice<UInt8>] = []
        var start = row.startIndex
        var index = row.startIndex
        while index < row.endIndex {
            if row[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if row[index] == UInt8(ascii: "|") {
                cells.append(row[start..<index])
                start = index + 1
            }
            index += 1
        }
        cells.append(row[start..<row.endIndex])
        return cells.map { $0[BlockText.trimRange($0)] }
    }
}
