/// Plain text: paragraphs separated by blank lines, hard-wrapped lines joined back together, and
/// list-like lines ("- x", "1. x") kept as list items so the chunker can keep them whole.
///
/// Streams line by line through `LineReader`: at most one paragraph is held, and a paragraph that
/// grows past `maxParagraphBytes` without a blank line (a file with no paragraph breaks) is
/// emitted at the next line end, so memory stays bounded on any input.
public struct PlainTextParser: DocumentParser {
    /// About 4,000 characters: long enough for any real paragraph, short enough that the chunker
    /// never has to split a flushed paragraph more than a few ways.
    public static let maxParagraphBytes = 4_000

    public init() {}

    public func parse(_ source: inout some ByteSource, emit: (Block) throws -> Void) throws -> ParseSummary {
        var reader = LineReader(maxLineBytes: Self.maxParagraphBytes)
        var text: [UInt8] = []
        text.reserveCapacity(Self.maxParagraphBytes + 256)
        var kind = Block.Kind.paragraph

        func flush() throws {
            if let collapsed = BlockText.collapsed(text) { try emit(Block(kind, collapsed)) }
            text.removeAll(keepingCapacity: true)
            kind = .paragraph
        }

        // The previous line was a part of an over-long line: this one continues it.
        var continuesPart = false
        while let line = try reader.next(from: &source) {
            let bytes = line.bytes
            defer { continuesPart = line.isPartial }
            if continuesPart {
                text += bytes
            } else if BlockText.isBlank(bytes) {
                try flush()
                continue
            } else if let marker = ListMarker.find(in: bytes) {
                try flush()
                kind = .listItem
                text += bytes[marker.contentStart...]
            } else if kind == .listItem, let first = bytes.first, first != 0x20 && first != 0x09 {
                // An unindented line after a list item starts a new paragraph.
                try flush()
                text += bytes
            } else {
                if !text.isEmpty { text.append(0x20) }
                text += bytes
            }
            if text.count >= Self.maxParagraphBytes {
                let continuing = kind
                try flush()
                kind = continuing
            }
        }
        try flush()
        return ParseSummary()
    }
}
