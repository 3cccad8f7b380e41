/// The RFC 4180 state machine under `DelimitedParser`: splits normalized UTF-8 (see
/// `TextDecoder`, so line ends are LF only) into records of fields, across piece boundaries.
///
/// It works on bytes: the delimiter, the quote and LF are ASCII, so they never occur inside a
/// multi-byte character. Unquoted runs are copied in bulk, not byte by byte, which keeps a
/// 100 MB file well above 100 MB/s. One record is held at a time, capped at `maxRecordBytes`, so
/// a wrong delimiter or a stray quote fails with a reason instead of eating memory.
///
/// Lenient where real exports are sloppy: a quote inside an unquoted field is kept as text, and
/// text after a closing quote is appended to the field (`"a"b` reads `ab`).
struct DelimitedScanner {
    /// One record: all its fields' bytes back to back, and where each field ends.
    struct Record {
        var bytes: [UInt8] = []
        var fieldEnds: [Int] = []
        /// Some field was quoted, so values may hold line ends.
        var hadQuotes = false

        var fieldCount: Int { fieldEnds.count }

        func field(_ index: Int) -> ArraySlice<UInt8> {
            let start = index == 0 ? 0 : fieldEnds[index - 1]
            return bytes[start..<fieldEnds[index]]
        }
    }

    private enum State {
        case fieldStart
        case unquoted
        case quoted
        /// A quote seen inside a quoted field: doubled (a literal quote) or the closing one.
        case quoteInQuoted
    }

    let delimiter: UInt8
    let maxRecordBytes: Int
    let formatName: String
    private var state = State.fieldStart
    private var record = Record()
    /// 1-based number of the record being read, the header being record 1.
    private(set) var recordNumber = 1

    init(delimiter: UInt8, maxRecordBytes: Int, formatName: String) {
        self.delimiter = delimiter
        self.maxRecordBytes = maxRecordBytes
        self.formatName = formatName
        record.bytes.reserveCapacity(4096)
        record.fieldEnds.reserveCapacity(64)
    }

    /// Scans one piece, calling `onRecord` for each record it completes. The record is lent: it
    /// is reused for the next one.
    mutating func feed(_ piece: [UInt8], onRecord: (Record) throws -> Void) throws {
        let quote = UInt8(ascii: "\"")
        let newline: UInt8 = 0x0A
        let delimiter = self.delimiter
        try piece.withUnsafeBufferPointer { buffer in
            let count = buffer.count
            var index = 0
            while index < count {
                switch state {
                case .fieldStart:
                    if buffer[index] == quote {
                        state = .quoted
                        record.hadQuotes = true
                        index += 1
                    } else {
                        state = .unquoted
                    }
                case .unquoted:
                    let runStart = index
                    while index < count {
                        let byte = buffer[index]
                        if byte == delimiter || byte == newline { break }
                        index += 1
                    }
                    try append(UnsafeBufferPointer(rebasing: buffer[runStart..<index]))
                    guard index < count else { break }
                    let isEndOfRecord = buffer[index] == newline
                    index += 1
                    try endField()
                    state = .fieldStart
                    if isEndOfRecord { try endRecord(onRecord) }
                case .quoted:
                    let runStart = index
                    while index < count, buffer[index] != quote { index += 1 }
                    try append(UnsafeBufferPointer(rebasing: buffer[runStart..<index]))
                    if index < count {
                        state = .quoteInQuoted
                        index += 1
                    }
                case .quoteInQuoted:
                    if buffer[index] == quote {
                        try append(UnsafeBufferPointer(rebasing: buffer[index..<index + 1]))
                        state = .quoted
                        index += 1
                    } else {
                        state = .unquoted
                    }
                }
            }
        }
    }

    /// Ends the input: completes a last record with no line end, or fails on an open quote.
    mutating func finish(onRecord: (Record) throws -> Void) throws {
        switch state {
        case .quoted:
            throw ParseFailure("\(formatName) row \(recordNumber): a quoted field is never closed")
        case .unquoted, .quoteInQuoted:
            try endField()
            try endRecord(onRecord)
        case .fieldStart:
            // After a delimiter the record has an empty last field; after a line end, nothing.
            if !record.fieldEnds.isEmpty {
                try endField()
                try endRecord(onRecord)
            }
        }
        state = .fieldStart
    }

    /// Delimiters count toward the record's size too: a line of a million commas is as wrong
    /// as a million letters.
    private mutating func endField() throws {
        guard record.bytes.count + record.fieldEnds.count < maxRecordBytes else { throw tooLarge() }
        record.fieldEnds.append(record.bytes.count)
    }

    private func tooLarge() -> ParseFailure {
        ParseFailure("\(formatName) row \(recordNumber) is larger than \(maxRecordBytes >> 20) MB; is the delimiter right?")
    }

    @inline(__always)
    private mutating func append(_ run: UnsafeBufferPointer<UInt8>) throws {
        guard !run.isEmpty else { return }
        guard record.bytes.count + record.fieldEnds.count + run.count <= maxRecordBytes else { throw tooLarge() }
        record.bytes.append(contentsOf: run)
    }

    private mutating func endRecord(_ onRecord: (Record) throws -> Void) throws {
        try onRecord(record)
        record.bytes.removeAll(keepingCapacity: true)
        record.fieldEnds.removeAll(keepingCapacity: true)
        record.hadQuotes = false
        recordNumber += 1
    }
}
