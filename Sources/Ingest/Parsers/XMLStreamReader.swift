internal import CXML2

/// A libxml2 `xmlTextReader` over bytes in memory: a forward-only walk that never builds the
/// document tree, so memory stays flat however long the DOCX part is.
///
/// Ownership: the reader is created and freed (`xmlFreeTextReader`) inside `read(_:_:)`, and it
/// points into the caller's bytes without copying them, which is why it is only lent to a
/// closure that runs while those bytes are pinned. One thread, one reader.
///
/// Safety options: `XML_PARSE_NONET` (no network fetches for DTDs), no `XML_PARSE_NOENT` (entities
/// are not substituted beyond the predefined ones), no `XML_PARSE_HUGE` (libxml2 keeps its default
/// limits: 256 levels of nesting, bounded text nodes, entity-expansion amplification checks).
/// Errors are captured, not printed on stderr.
final class XMLStreamReader {
    /// Node types from libxml2's `xmlReaderTypes`.
    enum NodeType: Int32 {
        case element = 1, text = 3, cdata = 4, whitespace = 13, significantWhitespace = 14, endElement = 15
    }

    /// Where the document stopped being well-formed XML.
    struct Malformed: Error {
        let line: Int
        /// libxml2 refused to nest deeper than its limit (256 levels), rather than bad syntax.
        var tooDeep = false
    }

    private let reader: OpaquePointer
    private let errors: ErrorLog

    private final class ErrorLog {
        var line: Int?
        var tooDeep = false
    }

    private init(reader: OpaquePointer, errors: ErrorLog) {
        self.reader = reader
        self.errors = errors
    }

    deinit {
        xmlFreeTextReader(reader)
    }

    /// Lends a reader over `bytes` to `body`. Throws `Malformed` when the bytes are not
    /// well-formed XML (reported by `next()`); errors thrown by `body` pass through.
    static func read<R>(_ bytes: [UInt8], _ body: (XMLStreamReader) throws -> R) throws -> R {
        XMLRuntime.prepare()
        guard bytes.count <= XMLRuntime.maxInputBytes else { throw Malformed(line: 0) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
                            | XML_PARSE_COMPACT.rawValue)
        return try bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
            guard let base, let handle = xmlReaderForMemory(base, Int32(buffer.count), nil, "UTF-8", options) else {
                throw Malformed(line: 1)
            }
            let log = ErrorLog()
            let reader = XMLStreamReader(reader: handle, errors: log)
            xmlTextReaderSetStructuredErrorHandler(handle, { context, error in
                guard let context, let error else { return }
                let log = Unmanaged<ErrorLog>.fromOpaque(context).takeUnretainedValue()
                if log.line == nil, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue {
                    log.line = Int(error.pointee.line)
                    // The depth limit is reported as an internal error ("Excessive depth in document").
                    log.tooDeep = error.pointee.code == Int32(XML_ERR_INTERNAL_ERROR.rawValue)
                }
            }, Unmanaged.passUnretained(log).toOpaque())
            // `reader` (and with it `log`) lives until the end of this closure, past every callback.
            return try withExtendedLifetime(reader) { try body(reader) }
        }
    }

    /// Moves to the next node; false at the end of the document.
    func next() throws(Malformed) -> Bool {
        try outcome(xmlTextReaderRead(reader))
    }

    /// Skips the current element's subtree (its end is not reported).
    func skipSubtree() throws(Malformed) -> Bool {
        try outcome(xmlTextReaderNext(reader))
    }

    private func outcome(_ status: Int32) throws(Malformed) -> Bool {
        switch status {
        case 1: return true
        case 0: return false
        default:
            let line = errors.line ?? Int(xmlTextReaderGetParserLineNumber(reader))
            throw Malformed(line: max(line, 1), tooDeep: errors.tooDeep)
        }
    }

    var nodeType: NodeType? { NodeType(rawValue: xmlTextReaderNodeType(reader)) }
    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }
    var localName: UnsafePointer<xmlChar>? { xmlTextReaderConstLocalName(reader) }
    var namespaceURI: UnsafePointer<xmlChar>? { xmlTextReaderConstNamespaceUri(reader) }
    /// Text of the current text node; valid until the next move.
    var value: UnsafePointer<xmlChar>? { xmlTextReaderConstValue(reader) }

    /// The current element's attribute `localName` in `namespace`, if present.
    func attribute(_ localName: StaticString, namespace: UnsafePointer<xmlChar>) -> String? {
        guard xmlTextReaderMoveToAttributeNs(reader, localName.utf8Start, namespace) == 1 else { return nil }
        defer { xmlTextReaderMoveToElement(reader) }
        return xmlTextReaderConstValue(reader).map { String(cString: $0) }
    }
}
