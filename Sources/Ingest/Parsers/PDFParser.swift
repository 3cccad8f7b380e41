internal import CPoppler

/// Reads the text of a PDF with poppler-glib, page by page, and emits paragraphs and headings
/// carrying their 1-based page numbers.
///
/// The document is read whole (PDF needs random access) up to `limit` bytes and handed to poppler
/// without a copy; every poppler object (document, pages, text, layout, attributes, errors) is
/// freed before `parse` returns, on success and on failure, so a job can parse thousands of
/// documents in one process.
///
/// Thread rule: poppler-glib documents and pages are not thread-safe and must be used by one
/// thread at a time. `parse` creates its own document and uses it only on the calling thread and
/// only for the duration of the call, so one `PDFParser` value may be used from several threads at
/// once, each parsing a different document (poppler guards its own process-wide setup).
///
/// Blocks are built in two passes: the first extracts every page's lines with their font sizes
/// and positions, the second knows the document's dominant body font size, so a line set clearly
/// larger than the body text becomes a heading. Paragraphs end at blank lines, at vertical gaps
/// larger than the page's usual line spacing, at a move upwards (a new column) and at the end of
/// a page; lines that hold only a page number are dropped.
public struct PDFParser: DocumentParser {
    /// The largest document accepted, in bytes; larger ones fail before poppler sees them.
    public var limit: Int

    public init(limit: Int = 512 << 20) {
        self.limit = limit
    }

    public func parse(_ source: inout some ByteSource, emit: (Block) throws -> Void) throws -> ParseSummary {
        let bytes = try source.readAll(limit: limit)
        try Self.checkEnvelope(bytes)
        let pages = try bytes.withUnsafeBufferPointer { buffer in
            try Self.extractPages(buffer)
        }
        guard pages.contains(where: { $0.hasText }) else {
            throw ParseFailure("the PDF has no text layer (scanned images?); Parley does not do OCR")
        }
        let layout = PDFLayout(pages: pages)
        for (index, page) in pages.enumerated() {
            try layout.blocks(of: page, number: index + 1, emit: emit)
        }
        return ParseSummary(pages: pages.count)
    }

    /// Cheap checks poppler is lenient about: it opens files without a header and rebuilds the
    /// cross-reference table of files cut short, which would ingest half a document silently.
    static func checkEnvelope(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else {
            throw ParseFailure("the file is empty, not a PDF")
        }
        guard bytes.firstRange(of: Array("%PDF-".utf8), in: 0..<min(bytes.count, 1024)) != nil else {
            throw ParseFailure("not a PDF: the file does not start with a %PDF header")
        }
        // Writers end the file with %%EOF (incremental updates add more, the last one counts).
        // Allow trailing whitespace or padding after it, as some upload tools add.
        var end = bytes.count
        while end > 0, bytes[end - 1] <= 0x20 { end -= 1 }
        guard bytes.firstRange(of: Array("%%EOF".utf8), in: max(0, end - 1024)..<end) != nil else {
            throw ParseFailure("corrupt or truncated PDF (the file ends before its end-of-file marker; upload it again in full)")
        }
    }

    /// Opens the document over `buffer` (borrowed: the document is freed before this returns, so
    /// poppler never holds the pointer longer than the caller keeps the bytes) and extracts the
    /// text of every page.
    private static func extractPages(_ buffer: UnsafeBufferPointer<UInt8>) throws -> [PDFPageText] {
        guard let base = buffer.baseAddress, let data = g_bytes_new_static(base, gsize(buffer.count)) else {
            throw ParseFailure("the file is empty, not a PDF")
        }
        defer { g_bytes_unref(data) }
        var error: UnsafeMutablePointer<GError>?
        guard let document = poppler_document_new_from_bytes(data, nil, &error) else {
            throw openFailure(error)
        }
        defer { g_object_unref(UnsafeMutableRawPointer(document)) }
        if let error { g_error_free(error) }

        let count = Int(poppler_document_get_n_pages(document))
        guard count > 0 else {
            throw ParseFailure("the PDF has no pages")
        }
        var pages: [PDFPageText] = []
        pages.reserveCapacity(count)
        for index in 0..<count {
            guard let page = poppler_document_get_page(document, Int32(index)) else {
                throw ParseFailure("corrupt or truncated PDF (page \(index + 1) of \(count) cannot be read)")
            }
            defer { g_object_unref(UnsafeMutableRawPointer(page)) }
            pages.append(PDFPageText(page))
        }
        return pages
    }

    /// Turns poppler's GError into a reason for the tenant admin, and frees it.
    private static func openFailure(_ error: UnsafeMutablePointer<GError>?) -> ParseFailure {
        guard let error else {
            return ParseFailure("corrupt or truncated PDF (poppler could not open it)")
        }
        defer { g_error_free(error) }
        let isPoppler = error.pointee.domain == poppler_error_quark()
        if isPoppler, UInt32(bitPattern: error.pointee.code) == POPPLER_ERROR_ENCRYPTED.rawValue {
            return ParseFailure("encrypted PDF: it needs a password; upload an unprotected copy")
        }
        let message = error.pointee.message.map { String(cString: $0) } ?? "unknown error"
        return ParseFailure("corrupt or truncated PDF (\(message))")
    }
}

extension Array where Element == UInt8 {
    /// The first occurrence of `needle` inside `range`, searched on bytes.
    fileprivate func firstRange(of needle: [UInt8], in range: Range<Int>) -> Range<Int>? {
        guard let first = needle.first, range.count >= needle.count else { return nil }
        var index = range.lowerBound
        let last = range.upperBound - needle.count
        while index <= last {
            if self[index] == first {
                var matched = true
                for offset in 1..<needle.count where self[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index..<(index + needle.count) }
            }
            index += 1
        }
        return nil
    }
}
