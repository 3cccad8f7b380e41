/// Turns the extracted lines of a document's pages into blocks. Works on UTF-8 bytes with reused
/// buffers; a block's text becomes a String once, when it is emitted.
///
/// Headings: a short line whose font size is at least 1.15 times the document's dominant body
/// size. The distinct heading sizes, largest first, get levels 1, 2 and 3 (all smaller ones 3).
/// Without font sizes (poppler gave no attributes) every block is a paragraph.
struct PDFLayout {
    /// Lines of this many characters or more are never headings.
    static let headingMaxCharacters = 120
    static let headingRatio = 1.15

    /// The size most of the document's characters are set in, in points; 0 when unknown.
    let bodySize: Double
    /// Heading level per font size, in half points.
    let levels: [Int: Int]

    init(pages: [PDFPageText]) {
        var histogram: [Int: Int] = [:]
        for page in pages {
            for (size, characters) in page.charactersBySize { histogram[size, default: 0] += characters }
        }
        // On a tie the smaller size is the body: headings are the rarer, larger text.
        let body = histogram.filter { $0.key > 0 }.max { a, b in a.value < b.value || (a.value == b.value && a.key > b.key) }
        bodySize = Double(body?.key ?? 0) / 2

        var headingSizes = Set<Int>()
        if bodySize > 0 {
            var scratch: [UInt8] = []
            for page in pages {
                for line in page.lines where line.size >= bodySize * Self.headingRatio {
                    Self.normalize(page.bytes, line.start..<line.end, into: &scratch)
                    if Self.isHeadingText(scratch) { headingSizes.insert(PDFPageText.halfPoints(line.size)) }
                }
            }
        }
        var levels: [Int: Int] = [:]
        for (rank, size) in headingSizes.sorted(by: >).enumerated() { levels[size] = min(rank + 1, 3) }
        self.levels = levels
    }

    /// Emits the blocks of one page. Blocks never span pages.
    func blocks(of page: PDFPageText, number: Int, emit: (Block) throws -> Void) throws {
        let typical = Self.typicalPitch(page.lines)
        var block: [UInt8] = []
        block.reserveCapacity(2048)
        var blockKind = Block.Kind.paragraph
        var previous: PDFLine?
        var line: [UInt8] = []

        func flush() throws {
            previous = nil
            guard !block.isEmpty else { return }
            try emit(Block(blockKind, String(decoding: block, as: UTF8.self), page: number))
            block.removeAll(keepingCapacity: true)
        }

        for current in page.lines {
            Self.normalize(page.bytes, current.start..<current.end, into: &line)
            if line.isEmpty || Self.isPageNumber(line) {
                try flush()
                continue
            }
            let kind = kind(of: current, text: line)
            if let previous, kind != blockKind || startsNewBlock(after: previous, current, kind, typical) {
                try flush()
            }
            if block.isEmpty {
                blockKind = kind
                block += line
            } else {
                Self.join(line, to: &block)
            }
            previous = current
        }
        try flush()
    }

    private func kind(of line: PDFLine, text: [UInt8]) -> Block.Kind {
        guard bodySize > 0, line.size >= bodySize * Self.headingRatio,
              let level = levels[PDFPageText.halfPoints(line.size)], Self.isHeadingText(text)
        else { return .paragraph }
        return .heading(level: level)
    }

    /// A vertical gap clearly larger than the page's usual line spacing, or a move upwards (the
    /// next column), ends a paragraph. Heading lines continue a heading only when set as one
    /// block of lines.
    private func startsNewBlock(after previous: PDFLine, _ current: PDFLine, _ kind: Block.Kind, _ typical: Double?) -> Bool {
        guard let previousTop = previous.top, let previousBottom = previous.bottom, let top = current.top else {
            return false
        }
        let height = max(previousBottom - previousTop, 1)
        let pitch = top - previousTop
        if pitch < -0.5 * height { return true }
        let unit = current.size > 0 ? current.size : height
        let threshold: Double
        if case .heading = kind {
            threshold = 1.7 * unit
        } else if let typical {
            threshold = typical * 1.3 + 0.5
        } else {
            threshold = 1.7 * unit
        }
        return pitch > threshold
    }

    /// The usual distance between the tops of consecutive lines of the same size on a page (the
    /// lower median), or nil with fewer than three samples to judge by.
    static func typicalPitch(_ lines: [PDFLine]) -> Double? {
        var pitches: [Double] = []
        var previous: PDFLine?
        for line in lines {
            guard let top = line.top else { continue }
            if let previous, let previousTop = previous.top,
               PDFPageText.halfPoints(previous.size) == PDFPageText.halfPoints(line.size), top > previousTop {
                pitches.append(top - previousTop)
            }
            previous = line
        }
        guard pitches.count >= 3 else { return nil }
        pitches.sort()
        return pitches[(pitches.count - 1) / 2]
    }

    // MARK: - Bytes

    /// Copies `range` of `bytes` into `out` with runs of whitespace and control characters
    /// (including no-break spaces) collapsed to one space and both ends trimmed.
    static func normalize(_ bytes: [UInt8], _ range: Range<Int>, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var pendingSpace = false
        var index = range.lowerBound
        let end = min(range.upperBound, bytes.count)
        while index < end {
            let byte = bytes[index]
            if byte <= 0x20 || byte == 0x7F {
                pendingSpace = !out.isEmpty
                index += 1
                continue
            }
            if byte == 0xC2, index + 1 < end, bytes[index + 1] == 0xA0 {
                pendingSpace = !out.isEmpty
                index += 2
                continue
            }
            if pendingSpace {
                out.append(0x20)
                pendingSpace = false
            }
            out.append(byte)
            index += 1
        }
    }

    /// Appends a line to a block: after a soft hyphen, or a hyphen ending a word when the line
    /// goes on in lowercase ("exam-" + "ple"), the word is rejoined; otherwise with a space.
    static func join(_ line: [UInt8], to block: inout [UInt8]) {
        let count = block.count
        if count >= 2, block[count - 2] == 0xC2, block[count - 1] == 0xAD {
            block.removeLast(2)
            block += line
            return
        }
        var hyphen = 0
        if block.last == UInt8(ascii: "-") {
            hyphen = 1
        } else if count >= 3, block[count - 3] == 0xE2, block[count - 2] == 0x80, block[count - 1] == 0x90 {
            hyphen = 3  // U+2010 HYPHEN
        }
        if hyphen > 0, count > hyphen, isLetter(block[count - hyphen - 1]), startsLowercase(line) {
            block.removeLast(hyphen)
            block += line
            return
        }
        block.append(0x20)
        block += line
    }

    /// A letter or part of a non-ASCII character (most of which, in running text, are letters).
    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte >= 0x80
    }

    private static func startsLowercase(_ line: [UInt8]) -> Bool {
        guard let first = line.first else { return false }
        if first < 0x80 { return first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z") }
        let scalar = String(decoding: line.prefix(4), as: UTF8.self).unicodeScalars.first
        return scalar?.properties.isLowercase ?? false
    }

    /// Short enough to be a heading and with at least one letter (not a rule or a number).
    static func isHeadingText(_ text: [UInt8]) -> Bool {
        var characters = 0
        var hasLetter = false
        for byte in text where byte & 0xC0 != 0x80 {
            characters += 1
            if isLetter(byte) { hasLetter = true }
        }
        return hasLetter && characters < headingMaxCharacters
    }

    /// A line holding only a page number: "12", "- 12 -", "Page 3", "page 3 of 40", "3 / 40",
    /// "xii". Such lines are running headers or footers, not content.
    static func isPageNumber(_ line: [UInt8]) -> Bool {
        var index = 0
        let count = line.count
        func skipDecoration() {
            while index < count {
                let byte = line[index]
                if byte == 0x20 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "|") {
                    index += 1
                } else if byte == 0xE2, index + 2 < count, line[index + 1] == 0x80,
                          line[index + 2] == 0x93 || line[index + 2] == 0x94 {
                    index += 3  // en and em dashes
                } else {
                    return
                }
            }
        }
        func skipNumber() -> Bool {
            let start = index
            while index < count, line[index] >= UInt8(ascii: "0"), line[index] <= UInt8(ascii: "9") { index += 1 }
            if index > start { return index - start <= 5 }
            while index < count, line[index] == UInt8(ascii: "i") || line[index] == UInt8(ascii: "v")
                || line[index] == UInt8(ascii: "x") { index += 1 }
            return index > start && index - start <= 6
        }
        func skipWord(_ word: String) -> Bool {
            let bytes = Array(word.utf8)
            guard index + bytes.count <= count else { return false }
            for (offset, byte) in bytes.enumerated() where line[index + offset] | 0x20 != byte { return false }
            index += bytes.count
            while index < count, line[index] == 0x20 { index += 1 }
            return true
        }

        skipDecoration()
        _ = skipWord("page")
        guard skipNumber() else { return false }
        while index < count, line[index] == 0x20 { index += 1 }
        if skipWord("of") || skipWord("/") {
            guard skipNumber() else { return false }
        }
        skipDecoration()
        return index == count
    }
}
