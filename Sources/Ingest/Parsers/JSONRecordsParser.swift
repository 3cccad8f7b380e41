/// JSON and JSON Lines: each record (an object, usually) becomes one `.record` block of
/// `key: value` lines (see `JSONRecordWriter`), so a record retrieved alone says what its values
/// mean.
///
/// JSON Lines streams: one line is held at a time (at most `maxLineBytes`), blank lines are
/// skipped, and each line is one record. A JSON document is read whole, up to
/// `maxDocumentBytes`, and its shape decides the records: a top-level array gives one per
/// element; an object whose only member is an array of objects (`{"products": [...]}`) gives one
/// per element of that array; any other object, or a lone scalar, is one record. The document is
/// checked in full before the first record is emitted, so a syntax error never leaves half a
/// document ingested. A stateless value; one instance may parse any number of documents.
public struct JSONRecordsParser: DocumentParser {
    /// JSON Lines rather than one JSON document.
    public let lines: Bool
    /// A whole document is held in memory (twice, briefly, while decoding): 64 MiB bounds that.
    public static let maxDocumentBytes = 64 << 20
    public static let maxLineBytes = 8 << 20

    public init(lines: Bool) {
        self.lines = lines
    }

    public func parse(_ source: inout some ByteSource, emit: (Block) throws -> Void) throws -> ParseSummary {
        var records = 0
        var writer = JSONRecordWriter()
        func record(_ text: String) throws {
            records += 1
            try emit(Block(.record, text))
        }
        if lines {
            try parseLines(&source, writer: &writer, emit: record)
            guard records > 0 else { throw ParseFailure("the JSON Lines file has no records: it is empty or every value is empty") }
        } else {
            try parseDocument(&source, writer: &writer, emit: record)
            guard records > 0 else { throw ParseFailure("the JSON document has no records: it holds only empty values") }
        }
        return ParseSummary()
    }

    private func parseLines(_ source: inout some ByteSource, writer: inout JSONRecordWriter,
                            emit: (String) throws -> Void) throws {
        var reader = LineReader(maxLineBytes: Self.maxLineBytes)
        while let line = try reader.next(from: &source) {
            guard !line.isPartial else {
                throw ParseFailure("JSON Lines line \(line.number) is larger than \(Self.maxLineBytes >> 20) MB")
            }
            guard !BlockText.isBlank(line.bytes) else { continue }
            var json = JSONReader(Array(line.bytes))
            do {
                guard let first = try json.next() else { continue }
                try writer.write(first: first, from: &json, emit: emit)
                guard try json.next() == nil else { throw JSONReader.SyntaxError(offset: 0) }
            } catch let error as JSONReader.SyntaxError {
                throw ParseFailure(error.tooDeep
                    ? "JSON Lines line \(line.number) is nested more than \(JSONReader.maxDepth) levels deep"
                    : "JSON Lines line \(line.number) is not valid JSON")
            }
        }
    }

    private func parseDocument(_ source: inout some ByteSource, writer: inout JSONRecordWriter,
                               emit: (String) throws -> Void) throws {
        let raw: [UInt8]
        do {
            raw = try source.readAll(limit: Self.maxDocumentBytes)
        } catch is ParseFailure {
            throw ParseFailure("the JSON document is larger than \(Self.maxDocumentBytes >> 20) MB; "
                + "split it, or upload it as JSON Lines (one record per line), which has no size limit")
        }
        var decoder = TextDecoder()
        var bytes = decoder.decode(raw)
        bytes += decoder.finish()
        do {
            let shape = try DocumentShape(of: bytes)
            var reader = JSONReader(bytes)
            switch shape {
            case .empty:
                throw ParseFailure("the JSON document is empty")
            case .array, .wrappedArray:
                if shape == .wrappedArray {
                    _ = try reader.next()  // {
                    _ = try reader.next()  // "key":
                }
                _ = try reader.next()  // [
                while let event = try reader.next(), event != .arrayEnd {
                    try writer.write(first: event, from: &reader, emit: emit)
                }
            case .single:
                if let first = try reader.next() { try writer.write(first: first, from: &reader, emit: emit) }
            }
        } catch let error as JSONReader.SyntaxError {
            if error.tooDeep { throw ParseFailure("the JSON document is nested more than \(JSONReader.maxDepth) levels deep") }
            let line = bytes[..<min(error.offset, bytes.count)].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            throw ParseFailure("the JSON document is not valid JSON (the error is on line \(line))")
        }
    }
}

/// Where a JSON document's records are, found by reading it once in full (which also checks
/// its syntax before anything is emitted).
private enum DocumentShape {
    case empty
    /// A top-level array: one record per element.
    case array
    /// An object whose only member is a non-empty array of objects: one record per element.
    case wrappedArray
    /// Any other object, or a scalar: one record.
    case single

    init(of bytes: [UInt8]) throws(JSONReader.SyntaxError) {
        var reader = JSONReader(bytes)
        guard let first = try reader.next() else {
            self = .empty
            return
        }
        var depth = first == .objectStart || first == .arrayStart ? 1 : 0
        var keys = 0
        var firstValueIsArray = false
        var elements = 0
        var allObjects = true
        var previous = first
        while let event = try reader.next() {
            if depth == 1, first == .objectStart {
                if case .key = event { keys += 1 }
                if keys == 1, case .key = previous { firstValueIsArray = event == .arrayStart }
            }
            if depth == 2, keys == 1, firstValueIsArray {
                switch event {
                case .objectStart: elements += 1
                case .arrayEnd, .objectEnd: break
                default: allObjects = false
                }
            }
            switch event {
            case .objectStart, .arrayStart: depth += 1
            case .objectEnd, .arrayEnd: depth -= 1
            default: break
            }
            previous = event
        }
        switch first {
        case .arrayStart: self = .array
        case .objectStart: self = keys == 1 && firstValueIsArray && elements > 0 && allObjects ? .wrappedArray : .single
        default: self = .single
        }
    }
}
