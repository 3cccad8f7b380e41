internal import CXML2

/// Web pages (.html): libxml2's forgiving HTML parser builds the tree, then an iterative walk
/// turns headings, paragraphs, list items, table rows and `<pre>` into blocks, leaving out what
/// is not content (scripts, styles, navigation, headers and footers, forms, hidden elements).
///
/// Memory and depth: the page is read whole up to `maxDocumentBytes`; the tree is freed
/// (`xmlFreeDoc`) before `parse` returns. The walk follows child/sibling/parent links with no
/// recursion, so nesting depth cannot overflow the stack (libxml2 itself stops building the
/// tree at 256 levels). Stateless: one value serves any number of pages, one per thread at a time.
public struct HTMLParser: DocumentParser {
    /// The largest page accepted.
    public var maxDocumentBytes: Int

    public init(maxDocumentBytes: Int = 64 << 20) {
        self.maxDocumentBytes = maxDocumentBytes
    }

    public func parse(_ source: inout some ByteSource, emit: (Block) throws -> Void) throws -> ParseSummary {
        let bytes = try source.readAll(limit: min(maxDocumentBytes, XMLRuntime.maxInputBytes))
        XMLRuntime.prepare()
        let encoding = HTMLCharset.encoding(of: bytes)
        // An encoding iconv does not know makes libxml2 give up: read it as UTF-8 instead.
        guard let document = Self.read(bytes, encoding: encoding) ?? Self.read(bytes, encoding: "UTF-8") else {
            throw ParseFailure("the HTML page has no readable text")
        }
        defer { xmlFreeDoc(document) }
        var walk = HTMLWalk(document: document)
        let emitted = try walk.run(emit: emit)
        guard emitted > 0 else { throw ParseFailure("the HTML page has no readable text") }
        return ParseSummary()
    }

    /// `encoding` nil lets libxml2 detect it (from a UTF-16 byte-order mark).
    private static func read(_ bytes: [UInt8], encoding: String?) -> htmlDocPtr? {
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                            | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOBLANKS.rawValue | HTML_PARSE_COMPACT.rawValue)
        return bytes.withUnsafeBufferPointer { buffer -> htmlDocPtr? in
            let empty: [CChar] = [0]
            return empty.withUnsafeBufferPointer { fallback in
                let base = buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
                    ?? fallback.baseAddress
                guard let base else { return nil }
                return htmlReadMemory(base, Int32(buffer.count), nil, encoding, options)
            }
        }
    }
}

/// The charset a page declares in its first bytes (`<meta charset>` or the `http-equiv` form),
/// found before parsing so libxml2 decodes with it from the first byte. Labels that browsers
/// treat as Windows-1252 (latin1, iso-8859-1, us-ascii) are read as Windows-1252, as the WHATWG
/// Encoding standard says.
enum HTMLCharset {
    /// Browsers look this far for a meta charset; so do we.
    private static let prescanBytes = 4096

    /// The encoding to decode `bytes` with: nil means "let libxml2 detect it" (UTF-16 byte-order
    /// marks); a page that declares nothing is UTF-8.
    static func encoding(of bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return "UTF-8" }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) { return nil }
        let window = bytes.prefix(prescanBytes)
        // XHTML served as HTML may declare its encoding in the XML declaration instead.
        if window.starts(with: Array("<?xml".utf8)), let label = label(after: "encoding", in: window.prefix(200)) {
            return normalized(label)
        }
        return label(after: "charset", in: window).map(normalized) ?? "UTF-8"
    }

    /// The value after the first `name=` (quotes and spaces skipped), matched ASCII-case-insensitively.
    private static func label(after name: String, in window: ArraySlice<UInt8>) -> String? {
        let needle = Array(name.utf8)
        var index = window.startIndex
        while index + needle.count < window.endIndex {
            defer { index += 1 }
            guard Self.matches(window, at: index, needle) else { continue }
            var cursor = index + needle.count
            while cursor < window.endIndex, window[cursor] == 0x20 { cursor += 1 }
            guard cursor < window.endIndex, window[cursor] == UInt8(ascii: "=") else { continue }
            cursor += 1
            while cursor < window.endIndex, window[cursor] == 0x20 || window[cursor] == 0x22 || window[cursor] == 0x27 {
                cursor += 1
            }
            var end = cursor
            while end < window.endIndex, Self.isLabelByte(window[end]) { end += 1 }
            return end > cursor ? String(decoding: window[cursor..<end], as: UTF8.self) : nil
        }
        return nil
    }

    private static func normalized(_ label: String) -> String {
        switch label.lowercased() {
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "us-ascii", "ascii", "cp819", "ibm819":
            "windows-1252"
        default:
            label
        }
    }

    private static func matches(_ window: ArraySlice<UInt8>, at index: Int, _ needle: [UInt8]) -> Bool {
        for offset in 0..<needle.count where window[index + offset] | 0x20 != needle[offset] { return false }
        return true
    }

    private static func isLabelByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }
}
