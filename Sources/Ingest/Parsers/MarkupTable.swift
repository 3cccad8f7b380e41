/// Turns the rows of one table (DOCX `w:tbl`, HTML `<table>`) into `.tableRow` texts, one row at
/// a time, so a long table is never held whole. When the first row is a header, each later row
/// becomes `header: value` lines (a row then reads on its own inside a chunk); otherwise its
/// cells are joined by " | ".
///
/// Nested tables are flattened by the parsers: an inner table's row texts go into the enclosing
/// cell, so only the outermost table emits blocks.
struct MarkupTable {
    /// Whether an unmarked first row may still be taken for a header when it looks like one
    /// (DOCX rarely marks header rows; HTML has `<th>` for that).
    let guessesHeader: Bool

    private var header: [String]?
    /// The header row's own text, emitted only if the table turns out to have no other row.
    private var headerText: String?
    private var rowsSeen = 0
    private var row: [String] = []
    /// The open cell's text; parsers append to it directly.
    var cell = MarkupTextBuffer()
    private(set) var cellOpen = false

    /// Longest cell (in UTF-8 bytes) a guessed header may have: headers are labels, not prose.
    private static let maxGuessedHeaderBytes = 80

    init(guessesHeader: Bool) {
        self.guessesHeader = guessesHeader
    }

    mutating func openCell() {
        if cellOpen { closeCell() }
        cellOpen = true
    }

    mutating func closeCell() {
        guard cellOpen else { return }
        row.append(cell.take() ?? "")
        cellOpen = false
    }

    /// Ends the current row; returns the text to emit for it, if any. `markedHeader` says the
    /// document itself calls the row a header (`w:tblHeader`, all `<th>` cells).
    mutating func closeRow(markedHeader: Bool) -> String? {
        closeCell()
        let cells = row
        row.removeAll(keepingCapacity: true)
        guard cells.contains(where: { !$0.isEmpty }) else { return nil }
        rowsSeen += 1
        if rowsSeen == 1, markedHeader || (guessesHeader && Self.looksLikeHeader(cells)) {
            header = cells
            headerText = Self.joined(cells)
            return nil
        }
        guard let header else { return Self.joined(cells) }
        headerText = nil
        var lines: [String] = []
        for (index, value) in cells.enumerated() where !value.isEmpty {
            let name = index < header.count ? header[index] : ""
            lines.append(name.isEmpty ? value : name + ": " + value)
        }
        return lines.joined(separator: "\n")
    }

    /// Ends the table; returns the header row's text if it was the only row.
    mutating func close() -> String? {
        if cellOpen || !row.isEmpty, let last = closeRow(markedHeader: false) {
            return last
        }
        defer { headerText = nil }
        return headerText
    }

    private static func joined(_ cells: [String]) -> String {
        cells.filter { !$0.isEmpty }.joined(separator: " | ")
    }

    /// At least two short, non-empty, non-numeric cells: labels rather than data.
    private static func looksLikeHeader(_ cells: [String]) -> Bool {
        guard cells.count >= 2 else { return false }
        return cells.allSatisfy { cell in
            !cell.isEmpty && cell.utf8.count <= maxGuessedHeaderBytes
                && cell.unicodeScalars.contains { $0.properties.isAlphabetic }
        }
    }
}
