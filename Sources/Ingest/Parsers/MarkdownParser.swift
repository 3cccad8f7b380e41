/// Markdown (CommonMark with the GitHub table extension): headings become heading blocks (so the
/// chunker can give later text its heading path), list items and table rows stay whole, fenced
/// code is kept verbatim, and inline markup is reduced to the words a reader sees (see
/// `MarkdownInline`). YAML front matter and HTML comments are metadata, not text, and are dropped.
///
/// Streams line by line through `LineReader` and `MarkdownBlockReader`; at most one block is
/// held, so memory stays bounded. A stateless value; one instance may parse any number of
/// documents.
public struct MarkdownParser: DocumentParser {
    public init() {}

    public func parse(_ source: inout some ByteSource, emit: (Block) throws -> Void) throws -> ParseSummary {
        var reader = LineReader(maxLineBytes: MarkdownBlockReader.maxCodeBytes)
        var blocks = MarkdownBlockReader()
        while let line = try reader.next(from: &source) {
            blocks.take(line.bytes, isPartial: line.isPartial)
            for block in blocks.ready { try emit(block) }
            blocks.ready.removeAll(keepingCapacity: true)
        }
        blocks.finish()
        for block in blocks.ready { try emit(block) }
        return ParseSummary()
    }
}
