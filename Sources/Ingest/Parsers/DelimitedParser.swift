/// CSV and TSV: each data row becomes one `.record` block of `header: value` lines, so a row
/// retrieved alone still says what its values mean ("city: Lyon" rather than "Lyon").
///
/// The first record that has any value is the header. Blank or repeated header names, and cells
/// beyond the header, are named `column N` (1-based). Empty values are left out, and rows with no
/// values at all are skipped. A value's line ends (from a quoted multi-line cell) become spaces
/// so each value stays on its own `header: value` line.
///
/// Streams: bytes are decoded piece by piece (`TextDecoder`, so Latin-1 exports read right) and
/// scanned by `DelimitedScanner`; one record is held at a time. A stateless value; one instance
/// may parse any number of documents.
public struct DelimitedParser: DocumentParser {
    public let delimiter: UInt8
    /// One record (with its delimiters) may not pass this: no real row is a megabyte, and a
    /// wrong delimiter or an unbalanced quote otherwise reads the whole file as one row.
    public static let maxRecordBytes = 1 << 20

    public init(delimiter: UInt8) {
        self.delimiter = delimiter
    }

    /// "TSV" for tab-separated files, "CSV" for everything else, in failure reasons.
    private var formatName: String { delimiter == 0x09 ? "TSV" : "CSV" }

    public func parse(_ source: inout some ByteSource, emit: (Block) throws -> Void) throws -> ParseSummary {
        var decoder = TextDecoder()
        var scanner = DelimitedScanner(delimiter: delimiter, maxRecordBytes: Self.maxRecordBytes, formatName: formatName)
        var rows = RowFormatter()
        func handle(_ record: DelimitedScanner.Record) throws {
            if let text = rows.take(record) { try emit(Block(.record, text)) }
        }
        while let text = try decoder.nextText(from: &source) {
            try scanner.feed(text, onRecord: handle)
        }
        try scanner.finish(onRecord: handle)
        guard rows.emitted > 0 else {
            throw ParseFailure(rows.hasHeader
                ? "the \(formatName) file has a header row but no data rows"
                : "the \(formatName) file is empty: it has no rows")
        }
        return ParseSummary()
    }
}

/// Names a data row's values after the header row and writes them as `header: value` lines.
private struct RowFormatter {
    private var names: [[UInt8]] = []
    private(set) var hasHeader = false
    private(set) var emitted = 0
    private var text: [UInt8] = []

    /// The header is taken from the first record with a value; later records become text (nil
    /// when the row has no values).
    mutating func take(_ record: DelimitedScanner.Record) -> String? {
        guard hasHeader else {
            setHeader(record)
            return nil
        }
        text.removeAll(keepingCapacity: true)
        for index in 0..<record.fieldCount {
            let field = record.field(index)
            let value = BlockText.trimRange(field)
            guard !value.isEmpty else { continue }
            if !text.isEmpty { text.append(0x0A) }
            text += index < names.count ? names[index] : Self.placeholder(index)
            text.append(UInt8(ascii: ":"))
            text.append(0x20)
            if record.hadQuotes {
                for byte in field[value] { text.append(byte == 0x0A || byte == 0x09 ? 0x20 : byte) }
            } else {
                text += field[value]
            }
        }
        guard !text.isEmpty else { return nil }
        emitted += 1
        return String(decoding: text, as: UTF8.self)
    }

    private mutating func setHeader(_ record: DelimitedScanner.Record) {
        var anyName = false
        var seen = Set<[UInt8]>()
        for index in 0..<record.fieldCount {
            let field = record.field(index)
            var name = Array(field[BlockText.trimRange(field)])
            if record.hadQuotes { name = name.map { $0 == 0x0A || $0 == 0x09 ? 0x20 : $0 } }
            if !name.isEmpty { anyName = true }
            if name.isEmpty || !seen.insert(name).inserted { name = Self.placeholder(index) }
            names.append(name)
        }
        if anyName { hasHeader = true } else { names = [] }
    }

    private static func placeholder(_ index: Int) -> [UInt8] {
        Array("column \(index + 1)".utf8)
    }
}
