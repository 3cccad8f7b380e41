/// One piece of a document's structure, as a parser found it, in reading order. Parsers emit
/// blocks; the chunker packs them into chunks, keeping headings as the path of later blocks.
public struct Block: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A heading, level 1 (title) to 6. Its text becomes part of the heading path of the
        /// blocks after it until a heading of the same or a higher level.
        case heading(level: Int)
        case paragraph
        case listItem
        /// One table row. With a header row known, the text is `header: value` lines; otherwise
        /// the cells joined by " | ". The chunker never splits a row when it can avoid it.
        case tableRow
        /// One record of a data file (CSV/TSV row, JSON object): `field: value` lines. Never split
        /// when avoidable, like a table row.
        case record
        /// Preformatted text (code blocks): kept verbatim, split only at line ends.
        case preformatted
    }

    public var kind: Kind
    /// Normalized text: no leading or trailing whitespace, never empty.
    public var text: String
    /// 1-based page number for formats that have pages (PDF); nil otherwise.
    public var page: Int?

    public init(_ kind: Kind, _ text: String, page: Int? = nil) {
        self.kind = kind
        self.text = text
        self.page = page
    }
}

/// What a parser reports besides its blocks.
public struct ParseSummary: Sendable, Equatable {
    /// Pages in the document (PDF); nil for formats without pages.
    public var pages: Int?

    public init(pages: Int? = nil) { self.pages = pages }
}
