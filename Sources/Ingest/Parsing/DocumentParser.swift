/// Turns one format's bytes into blocks. Parsers are stateless values: one instance may serve any
/// number of documents, one at a time per thread.
public protocol DocumentParser: Sendable {
    /// Reads the whole document from `source`, handing each block to `emit` in reading order.
    /// Throws `ParseFailure` with a reason a tenant admin can act on ("encrypted PDF"); errors
    /// thrown by `emit` pass through unchanged.
    func parse(_ source: inout some ByteSource, emit: (Block) throws -> Void) throws -> ParseSummary
}

/// Why a document cannot be ingested, in words for the tenant's admin. It is stored on the failed
/// document as its reason, so it names the problem, not the code path ("encrypted PDF", "not a
/// DOCX: zip has no word/document.xml", "CSV row 7: unterminated quoted field").
public struct ParseFailure: Error, Equatable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
