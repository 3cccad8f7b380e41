internal import CPoppler

/// One line of a page's text as poppler laid it out: a byte range of the page's UTF-8 text, its
/// vertical extent on the page (points from the top) and its dominant font size.
struct PDFLine {
    var start: Int
    var end: Int
    /// Top and bottom of the line's glyphs; nil when poppler's layout did not line up with the
    /// text (then only blank lines and font changes separate paragraphs).
    var top: Double?
    var bottom: Double?
    /// Font size of most of the line's characters; 0 when unknown.
    var size: Double
}

/// The text of one page, copied out of poppler so nothing poppler owns outlives the page.
struct PDFPageText {
    /// UTF-8 text, lines separated by "\n".
    var bytes: [UInt8] = []
    var lines: [PDFLine] = []
    /// Characters per font size (in half points) on this page, for the document's body size.
    var charactersBySize: [Int: Int] = [:]

    /// Whether the page has any character other than whitespace.
    var hasText: Bool { bytes.contains { $0 > 0x20 } }

    /// Extracts the text of `page`. Poppler's text, its per-character rectangles and its
    /// attribute ranges all count one position per character, plus one for the space between
    /// words and one for each line end, so a line's character range indexes both.
    init(_ page: OpaquePointer) {
        guard let text = poppler_page_get_text(page) else { return }
        defer { g_free(text) }
        let length = strlen(text)
        bytes = text.withMemoryRebound(to: UInt8.self, capacity: length) { pointer in
            Array(UnsafeBufferPointer(start: pointer, count: length))
        }
        guard hasText else { return }

        var rectangles: UnsafeMutablePointer<PopplerRectangle>?
        var rectangleCount: guint = 0
        if poppler_page_get_text_layout(page, &rectangles, &rectangleCount) == 0 { rectangleCount = 0 }
        defer { g_free(rectangles) }
        let attributes = poppler_page_get_text_attributes(page)
        defer { poppler_page_free_text_attributes(attributes) }
        let runs = Self.sizeRuns(attributes)

        // Split into lines, counting characters (UTF-8 lead bytes) alongside bytes.
        var characterRanges: [Range<Int>] = []
        var lineStart = 0
        var character = 0
        var lineCharacterStart = 0
        for (offset, byte) in bytes.enumerated() {
            if byte == 0x0A {
                lines.append(PDFLine(start: lineStart, end: offset, size: 0))
                characterRanges.append(lineCharacterStart..<character)
                lineStart = offset + 1
                lineCharacterStart = character + 1
            }
            if byte & 0xC0 != 0x80 { character += 1 }
        }
        if lineStart < bytes.count {
            lines.append(PDFLine(start: lineStart, end: bytes.count, size: 0))
            characterRanges.append(lineCharacterStart..<character)
        }

        // Trust positions only when poppler's layout covers the text (it may stop one short,
        // without the final line end); otherwise leave them unknown rather than misplace them.
        let aligned = rectangleCount > 0 && abs(Int(rectangleCount) - character) <= 1
        var run = 0
        for index in lines.indices {
            let range = characterRanges[index]
            if aligned, let rectangles {
                var top = Double.infinity
                var bottom = -Double.infinity
                for position in range where position < Int(rectangleCount) {
                    let rectangle = rectangles[position]
                    top = min(top, rectangle.y1, rectangle.y2)
                    bottom = max(bottom, rectangle.y1, rectangle.y2)
                }
                if top <= bottom {
                    lines[index].top = top
                    lines[index].bottom = bottom
                }
            }
            if aligned {
                lines[index].size = dominantSize(in: range, runs: runs, from: &run)
            }
        }
    }

    /// Picks the size covering most of `range` from the runs (sorted, inclusive ends), starting at
    /// `run` and leaving it at the first run that may overlap the next line. Counts the characters
    /// per size for the document's body size on the way.
    private mutating func dominantSize(in range: Range<Int>, runs: [SizeRun], from run: inout Int) -> Double {
        while run < runs.count, runs[run].last < range.lowerBound { run += 1 }
        var best = 0.0
        var bestCount = 0
        var index = run
        while index < runs.count, runs[index].first < range.upperBound {
            let overlap = min(runs[index].last + 1, range.upperBound) - max(runs[index].first, range.lowerBound)
            if overlap > bestCount {
                bestCount = overlap
                best = runs[index].size
            }
            if overlap > 0 {
                charactersBySize[Self.halfPoints(runs[index].size), default: 0] += overlap
            }
            index += 1
        }
        return best
    }

    /// A font size to the nearest half point, the resolution at which sizes are compared.
    static func halfPoints(_ size: Double) -> Int {
        guard size.isFinite, size > 0, size < 10_000 else { return 0 }
        return Int((size * 2).rounded())
    }

    private struct SizeRun {
        var first: Int
        var last: Int
        var size: Double
    }

    /// Copies the size and character range of each attribute run out of poppler's list.
    private static func sizeRuns(_ list: UnsafeMutablePointer<GList>?) -> [SizeRun] {
        var runs: [SizeRun] = []
        var node = list
        while let current = node {
            if let data = current.pointee.data {
                let attributes = data.assumingMemoryBound(to: PopplerTextAttributes.self).pointee
                let first = Int(attributes.start_index)
                let last = Int(attributes.end_index)
                if first >= 0, last >= first, attributes.font_size.isFinite, attributes.font_size > 0 {
                    runs.append(SizeRun(first: first, last: last, size: attributes.font_size))
                }
            }
            node = current.pointee.next
        }
        // Poppler returns them in text order; sort anyway so the line walk stays linear.
        if !runs.isSorted(by: { $0.first <= $1.first }) { runs.sort { $0.first < $1.first } }
        return runs
    }
}

extension Array {
    fileprivate func isSorted(by ordered: (Element, Element) -> Bool) -> Bool {
        var index = 1
        while index < count {
            if !ordered(self[index - 1], self[index]) { return false }
            index += 1
        }
        return true
    }
}
