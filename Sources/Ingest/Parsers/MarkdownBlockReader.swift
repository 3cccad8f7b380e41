/// The line-by-line state machine under `MarkdownParser`: finds headings, paragraphs, list
/// items, fenced code, pipe tables and block quotes, and queues the blocks in `ready`.
///
/// Holds at most one open block: a paragraph or list item (flushed at `maxParagraphBytes`, at a
/// line end), a code block (flushed in parts at `maxCodeBytes`), or a table's header names.
/// No recursion except one level for a block quote's content.
///
/// Deliberately simpler than CommonMark where documents rarely depend on it: indented code blocks
/// read as paragraphs, a list item's lazy and indented continuation lines join the item, and
/// HTML blocks are read as text with their tags dropped.
struct MarkdownBlockReader {
    static let maxParagraphBytes = 4_000
    static let maxCodeBytes = 16_384
    /// YAML front matter longer than this is taken to be an unclosed `---` and read as text.
    static let maxFrontMatterBytes = 65_536

    /// Blocks found so far; the parser hands them on and empties this.
    var ready: [Block] = []
    private var linesSeen = 0
    /// Front matter lines held until its closing line, with the opening line first.
    private var frontMatter: [[UInt8]]?
    private var frontMatterBytes = 0
    private var fence: MarkdownSyntax.Fence?
    private var code: [UInt8] = []
    private var inComment = false
    private var paragraph: [UInt8] = []
    private var paragraphKind = Block.Kind.paragraph
    /// Where the paragraph's last line starts: a pipe table's header row, once a separator row
    /// follows.
    private var lastLineStart = 0
    private var tableHeader: [String]?
    private var continuesPart = false

    mutating func take(_ line: ArraySlice<UInt8>, isPartial: Bool) {
        defer { continuesPart = isPartial }
        linesSeen += 1
        if var held = frontMatter {
            if isPartial {
                replayFrontMatter()
            } else if linesSeen > 1, isFrontMatterEnd(line) {
                frontMatter = nil
                return
            } else {
                held.append(Array(line))
                frontMatterBytes += line.count
                frontMatter = held
                if frontMatterBytes > Self.maxFrontMatterBytes { replayFrontMatter() }
                return
            }
        }
        if continuesPart {
            if fence != nil {
                code += line
            } else {
                paragraph += line
                if paragraph.count >= Self.maxParagraphBytes { flushParagraph(keepingKind: true) }
            }
            return
        }
        if linesSeen == 1, !isPartial, isFrontMatterStart(line) {
            frontMatter = [Array(line)]
            return
        }
        process(line)
    }

    /// Ends the document: an unclosed front matter is read as text, an unclosed code block keeps
    /// what it has.
    mutating func finish() {
        if frontMatter != nil { replayFrontMatter() }
        if fence != nil { flushCode() }
        fence = nil
        endBlock()
    }

    // MARK: - Lines

    private mutating func process(_ line: ArraySlice<UInt8>) {
        if let open = fence {
            if MarkdownSyntax.isFence(line, closing: open) {
                flushCode()
                fence = nil
            } else {
                var start = line.startIndex
                while start < line.endIndex, start - line.startIndex < open.indent, line[start] == 0x20 { start += 1 }
                code += line[start...]
                code.append(0x0A)
                if code.count >= Self.maxCodeBytes { flushCode() }
            }
            return
        }
        guard let cleaned = withoutComments(line) else { return }
        processBlock(cleaned, quoted: false)
    }

    private mutating func processBlock(_ line: ArraySlice<UInt8>, quoted: Bool) {
        var start = line.startIndex
        var indent = 0
        while start < line.endIndex, line[start] == 0x20 || line[start] == 0x09 {
            indent += line[start] == 0x09 ? 4 : 1
            start += 1
        }
        let content = line[start...]
        if BlockText.isBlank(content) {
            endBlock()
            return
        }
        if let header = tableHeader {
            if content.contains(UInt8(ascii: "|")) {
                emitRow(MarkdownSyntax.cells(content), header: header)
                return
            }
            tableHeader = nil
        }
        if indent < 4 {
            if !quoted, content.first == UInt8(ascii: ">") {
                var inner = content
                while inner.first == UInt8(ascii: ">") {
                    inner = inner.dropFirst()
                    while inner.first == 0x20 || inner.first == 0x09 { inner = inner.dropFirst() }
                }
                processBlock(inner, quoted: true)
                return
            }
            if !quoted, let opened = MarkdownSyntax.fenceStart(content, indent: indent) {
                endBlock()
                fence = opened
                return
            }
            if let (level, text) = MarkdownSyntax.atxHeading(content) {
                endBlock()
                emitHeading(level: level, text)
                return
            }
            if paragraphKind == .paragraph, !paragraph.isEmpty {
                if startTable(separator: content) { return }
                if let level = MarkdownSyntax.setextLevel(content) {
                    let text = paragraph
                    paragraph.removeAll(keepingCapacity: true)
                    lastLineStart = 0
                    emitHeading(level: level, text[...])
                    return
                }
            }
            if MarkdownSyntax.isThematicBreak(content) {
                endBlock()
                return
            }
        }
        if let marker = ListMarker.find(in: line) {
            endBlock()
            paragraphKind = .listItem
            appendLine(line[marker.contentStart...])
            return
        }
        if paragraph.isEmpty, indent < 4, MarkdownSyntax.isReferenceDefinition(content) { return }
        appendLine(content)
    }

    private mutating func appendLine(_ content: ArraySlice<UInt8>) {
        if !paragraph.isEmpty { paragraph.append(0x20) }
        lastLineStart = paragraph.count
        paragraph += content
        if paragraph.count >= Self.maxParagraphBytes { flushParagraph(keepingKind: true) }
    }

    // MARK: - Emitting

    private mutating func endBlock() {
        flushParagraph(keepingKind: false)
        tableHeader = nil
    }

    private mutating func flushParagraph(keepingKind: Bool) {
        if !paragraph.isEmpty, let text = BlockText.collapsed(MarkdownInline.reduce(paragraph)) {
            ready.append(Block(paragraphKind, text))
        }
        paragraph.removeAll(keepingCapacity: true)
        lastLineStart = 0
        if !keepingKind { paragraphKind = .paragraph }
    }

    private mutating func flushCode() {
        if let text = BlockText.trimmed(code) { ready.append(Block(.preformatted, text)) }
        code.removeAll(keepingCapacity: true)
    }

    private mutating func emitHeading(level: Int, _ text: ArraySlice<UInt8>) {
        if let text = BlockText.collapsed(MarkdownInline.reduce(Array(text))) {
            ready.append(Block(.heading(level: level), text))
        }
    }

    // MARK: - Tables

    /// A separator row (`| --- | :-: |`) under a paragraph line with pipes and as many cells turns
    /// that line into a table header; lines before it stay a paragraph.
    private mutating func startTable(separator: ArraySlice<UInt8>) -> Bool {
        guard MarkdownSyntax.isTableSeparator(separator) else { return false }
        let headerLine = paragraph[lastLineStart...]
        guard headerLine.contains(UInt8(ascii: "|")) else { return false }
        let names = MarkdownSyntax.cells(headerLine)
        guard names.count == MarkdownSyntax.cells(separator).count else { return false }
        let header = names.enumerated().map { index, cell in
            BlockText.collapsed(MarkdownInline.reduce(Array(cell))) ?? "column \(index + 1)"
        }
        paragraph.removeSubrange(max(0, lastLineStart - 1)...)
        flushParagraph(keepingKind: false)
        tableHeader = header
        return true
    }

    /// One body row as `header: value` lines; cells past the header are `column N`, empty cells
    /// are left out, and a row of empty cells is skipped.
    private mutating func emitRow(_ cells: [ArraySlice<UInt8>], header: [String]) {
        var lines: [String] = []
        for (index, cell) in cells.enumerated() {
            guard let value = BlockText.collapsed(MarkdownInline.reduce(Array(cell))) else { continue }
            let name = index < header.count ? header[index] : "column \(index + 1)"
            lines.append("\(name): \(value)")
        }
        if !lines.isEmpty { ready.append(Block(.tableRow, lines.joined(separator: "\n"))) }
    }

    // MARK: - Front matter and comments

    private func isFrontMatterStart(_ line: ArraySlice<UInt8>) -> Bool {
        let trimmed = line[BlockText.trimRange(line)]
        return trimmed.elementsEqual("---".utf8) || trimmed.elementsEqual("+++".utf8)
    }

    private func isFrontMatterEnd(_ line: ArraySlice<UInt8>) -> Bool {
        let trimmed = line[BlockText.trimRange(line)]
        let opener = frontMatter?.first ?? []
        return trimmed.elementsEqual(opener[BlockText.trimRange(opener[...])])
            || (opener.contains(UInt8(ascii: "-")) && trimmed.elementsEqual("...".utf8))
    }

    /// A `---` first line that never closed was a thematic break or a heading underline, not
    /// front matter: read the held lines as Markdown.
    private mutating func replayFrontMatter() {
        guard let held = frontMatter else { return }
        frontMatter = nil
        frontMatterBytes = 0
        for line in held { process(line[...]) }
    }

    /// The line with HTML comments removed (they may span lines); nil when nothing but comment
    /// and whitespace is left, so a comment between paragraphs does not split or join them.
    private mutating func withoutComments(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        if !inComment, find(Self.commentOpen, in: line) == nil { return line }
        var rest = line
        var kept: [UInt8] = []
        if inComment {
            guard let end = find(Self.commentClose, in: rest) else { return nil }
            rest = rest[(end + 3)...]
            inComment = false
        }
        while let start = find(Self.commentOpen, in: rest) {
            kept += rest[..<start]
            if let end = find(Self.commentClose, in: rest[(start + 4)...]) {
                rest = rest[(end + 3)...]
            } else {
                inComment = true
                rest = rest[rest.endIndex...]
            }
        }
        kept += rest
        return BlockText.isBlank(kept[...]) ? nil : kept[...]
    }

    private static let commentOpen = Array("<!--".utf8)
    private static let commentClose = Array("-->".utf8)

    private func find(_ needle: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        var index = bytes.startIndex
        while let candidate = bytes[index...].firstIndex(of: needle[0]) {
            guard candidate + needle.count <= bytes.endIndex else { return nil }
            if bytes[candidate..<candidate + needle.count].elementsEqual(needle) { return candidate }
            index = candidate + 1
        }
        return nil
    }
}
