/// A passage of a document small enough to embed, with what a citation needs to point back at it.
public struct Chunk: Sendable, Equatable {
    /// 0-based position of the chunk in its document.
    public var ordinal: Int
    public var text: String
    /// First and last page the chunk's text comes from (PDF); nil for formats without pages.
    public var pageStart: Int?
    public var pageEnd: Int?
    /// The headings above the chunk's first block, outermost first.
    public var headingPath: [String]
    /// Offsets, in Unicode scalars, of the chunk's text in the document's extracted text: the
    /// blocks' texts joined by "\n\n". Overlapping chunks have overlapping ranges.
    public var charStart: Int
    public var charEnd: Int
    /// Model tokens in `text` (without the [CLS]/[SEP] the encoder adds).
    public var tokenCount: Int

    public init(ordinal: Int, text: String, pageStart: Int? = nil, pageEnd: Int? = nil, headingPath: [String] = [],
                charStart: Int, charEnd: Int, tokenCount: Int) {
        self.ordinal = ordinal
        self.text = text
        self.pageStart = pageStart
        self.pageEnd = pageEnd
        self.headingPath = headingPath
        self.charStart = charStart
        self.charEnd = charEnd
        self.tokenCount = tokenCount
    }
}
