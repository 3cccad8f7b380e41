/// Word documents (.docx): a ZIP of XML parts, of which `word/document.xml` holds the text and
/// `word/styles.xml` tells headings and list styles apart.
///
/// Memory: the upload is read whole (ZIP needs its central directory at the end) up to
/// `maxFileBytes`; parts are inflated with the archive's zip-bomb limit, then walked with a
/// streaming XML reader, so no document tree is built. Stateless: one value serves any number of
/// documents, one per thread at a time.
public struct DocxParser: DocumentParser {
    /// The largest .docx file accepted.
    public var maxFileBytes: Int
    /// The most all parts together may expand to when decompressed (see `ZipArchive`).
    public var maxExpandedBytes: Int

    public init(maxFileBytes: Int = 100 << 20, maxExpandedBytes: Int = ZipArchive.defaultTotalLimit) {
        self.maxFileBytes = maxFileBytes
        self.maxExpandedBytes = maxExpandedBytes
    }

    public func parse(_ source: inout some ByteSource, emit: (Block) throws -> Void) throws -> ParseSummary {
        let bytes = try source.readAll(limit: maxFileBytes)
        // Password-protected .docx files (and old .doc files) are OLE compound files, not ZIPs.
        if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            throw ParseFailure("not a DOCX: this is a password-protected Word file or an old .doc file; "
                + "save it as .docx without a password")
        }
        var archive: ZipArchive
        do {
            archive = try ZipArchive(bytes, totalLimit: maxExpandedBytes)
        } catch {
            throw error.failure(format: "DOCX")
        }
        let documentPart = "word/document.xml"
        guard archive.entry(named: documentPart) != nil else {
            throw ParseFailure("not a DOCX: zip has no \(documentPart)")
        }
        var styles = DocxStyles()
        do {
            if archive.entry(named: "word/styles.xml") != nil {
                styles = DocxStyles.parse(try archive.extract("word/styles.xml", limit: .max))
            }
            let document = try archive.extract(documentPart, limit: .max)
            var body = DocxBody(styles: styles)
            try XMLStreamReader.read(document) { reader in try body.walk(reader, emit: emit) }
        } catch let error as ZipError {
            throw error.failure(format: "DOCX")
        } catch let error as XMLStreamReader.Malformed where error.tooDeep {
            throw ParseFailure("corrupt DOCX: \(documentPart) nests elements more than 256 levels deep (line \(error.line))")
        } catch let error as XMLStreamReader.Malformed {
            throw ParseFailure("corrupt DOCX: \(documentPart) is not well-formed XML (line \(error.line))")
        }
        return ParseSummary()
    }
}

/// The elements of WordprocessingML the parser acts on (transitional and strict namespaces),
/// plus `mc:Fallback`, whose content duplicates its `mc:Choice`, and the tracked-change records
/// of old properties (`w:pPrChange`, `w:trPrChange`), which describe the past, not the text: both
/// are skipped whole.
enum WordTag {
    case paragraph, paragraphProperties, paragraphStyle, numbering, numberingID, outlineLevel
    case text, tab, lineBreak, carriageReturn, noBreakHyphen
    case table, row, tableHeader, cell
    case style, styleName, basedOn
    case fallback, propertyChange

    init?(_ reader: XMLStreamReader) {
        let namespace = reader.namespaceURI
        let name = reader.localName
        if XMLName.equals(namespace, "http://schemas.openxmlformats.org/wordprocessingml/2006/main")
            || XMLName.equals(namespace, "http://purl.oclc.org/ooxml/wordprocessingml/main") {
            guard let tag = Self.wordTag(name) else { return nil }
            self = tag
        } else if XMLName.equals(namespace, "http://schemas.openxmlformats.org/markup-compatibility/2006"),
                  XMLName.equals(name, "Fallback") {
            self = .fallback
        } else {
            return nil
        }
    }

    /// Most frequent first: every element of the document is looked up here.
    private static let names: [(StaticString, WordTag)] = [
        ("t", .text), ("p", .paragraph), ("pPr", .paragraphProperties), ("pStyle", .paragraphStyle),
        ("tab", .tab), ("br", .lineBreak), ("tc", .cell), ("tr", .row), ("tbl", .table),
        ("numPr", .numbering), ("numId", .numberingID), ("outlineLvl", .outlineLevel), ("cr", .carriageReturn),
        ("noBreakHyphen", .noBreakHyphen), ("tblHeader", .tableHeader),
        ("style", .style), ("name", .styleName), ("basedOn", .basedOn),
        ("pPrChange", .propertyChange), ("trPrChange", .propertyChange),
        ]

    private static func wordTag(_ name: UnsafePointer<UInt8>?) -> WordTag? {
        for (literal, tag) in names where XMLName.equals(name, literal) { return tag }
        return nil
    }
}

/// The walk over `word/document.xml`, in document order. Paragraphs and tables nest (a table in a
/// cell, a text box's paragraphs inside a paragraph), so both live on stacks whose depth libxml2
/// already bounds (256 levels without XML_PARSE_HUGE); `containers` records which is innermost.
struct DocxBody {
    let styles: DocxStyles

    private struct Paragraph {
        var text = MarkupTextBuffer()
        var styleID: String?
        var numbered = false
        var outlineLevel: Int?
    }

    private enum Container { case paragraph, table }

    private var paragraphs: [Paragraph] = []
    private var tables: [MarkupTable] = []
    private var rowIsHeader: [Bool] = []
    private var containers: [Container] = []
    private var inText = false
    private var inParagraphProperties = false

    init(styles: DocxStyles) {
        self.styles = styles
    }

    mutating func walk(_ reader: XMLStreamReader, emit: (Block) throws -> Void) throws {
        var more = try reader.next()
        while more {
            switch reader.nodeType {
            case .element:
                let tag = WordTag(reader)
                if tag == .fallback || tag == .propertyChange, !reader.isEmptyElement {
                    more = try reader.skipSubtree()
                    continue
                }
                if let tag {
                    let empty = reader.isEmptyElement
                    try open(tag, reader, emit: emit)
                    if empty { try close(tag, emit: emit) }
                }
            case .endElement:
                if let tag = WordTag(reader) { try close(tag, emit: emit) }
            case .text, .cdata, .whitespace, .significantWhitespace:
                if inText, !paragraphs.isEmpty, let value = reader.value {
                    paragraphs[paragraphs.count - 1].text.appendCollapsing(XMLName.buffer(value))
                }
            case nil:
                break
            }
            more = try reader.next()
        }
    }

    private mutating func open(_ tag: WordTag, _ reader: XMLStreamReader, emit: (Block) throws -> Void) throws {
        let top = paragraphs.count - 1
        switch tag {
        case .paragraph:
            paragraphs.append(Paragraph())
            containers.append(.paragraph)
        case .paragraphProperties:
            inParagraphProperties = true
        case .paragraphStyle where inParagraphProperties && top >= 0:
            paragraphs[top].styleID = value(reader)
        case .numbering where inParagraphProperties && top >= 0:
            paragraphs[top].numbered = true
        case .numberingID where inParagraphProperties && top >= 0:
            // numId 0 removes numbering a style would otherwise give.
            if value(reader) == "0" { paragraphs[top].numbered = false }
        case .outlineLevel where inParagraphProperties && top >= 0:
            if let level = value(reader).flatMap({ Int($0) }), (0...8).contains(level) {
                paragraphs[top].outlineLevel = min(level + 1, 6)
            }
        case .text:
            inText = true
        case .tab where !inParagraphProperties && top >= 0:
            paragraphs[top].text.appendBreak(0x09)
        case .lineBreak where top >= 0, .carriageReturn where top >= 0:
            paragraphs[top].text.appendBreak(0x0A)
        case .noBreakHyphen where top >= 0:
            paragraphs[top].text.appendCollapsing("-")
        case .table:
            tables.append(MarkupTable(guessesHeader: true))
            rowIsHeader.append(false)
            containers.append(.table)
        case .row where !tables.isEmpty:
            rowIsHeader[rowIsHeader.count - 1] = false
        case .tableHeader where !tables.isEmpty:
            let flag = value(reader)
            rowIsHeader[rowIsHeader.count - 1] = flag == nil || flag == "1" || flag == "true" || flag == "on"
        case .cell where !tables.isEmpty:
            tables[tables.count - 1].openCell()
        default:
            break
        }
    }

    private mutating func close(_ tag: WordTag, emit: (Block) throws -> Void) throws {
        switch tag {
        case .paragraph where containers.last == .paragraph:
            containers.removeLast()
            guard let paragraph = paragraphs.popLast() else { return }
            inParagraphProperties = false
            try finish(paragraph, emit: emit)
        case .paragraphProperties:
            inParagraphProperties = false
        case .text:
            inText = false
        case .cell where !tables.isEmpty:
            tables[tables.count - 1].closeCell()
        case .row where !tables.isEmpty:
            if let row = tables[tables.count - 1].closeRow(markedHeader: rowIsHeader[rowIsHeader.count - 1]) {
                try deliver(row, below: containers.count - 1, emit: emit)
            }
        case .table where containers.last == .table:
            containers.removeLast()
            rowIsHeader.removeLast()
            guard var table = tables.popLast() else { return }
            if let last = table.close() { try deliver(last, below: containers.count, emit: emit) }
        default:
            break
        }
    }

    private mutating func finish(_ paragraph: Paragraph, emit: (Block) throws -> Void) throws {
        var paragraph = paragraph
        guard let text = paragraph.text.take() else { return }
        if containers.last == .table, tables[tables.count - 1].cellOpen {
            tables[tables.count - 1].cell.appendSeparator()
            tables[tables.count - 1].cell.appendCollapsing(text)
            return
        }
        let style = paragraph.styleID
        if let level = paragraph.outlineLevel ?? style.flatMap({ styles.headingLevel($0) }) {
            try emit(Block(.heading(level: level), text))
        } else if paragraph.numbered || style.map({ styles.isList($0) }) == true {
            try emit(Block(.listItem, text))
        } else {
            try emit(Block(.paragraph, text))
        }
    }

    /// A finished row goes into the cell of the table that holds its table, if any (nested tables
    /// are flattened into their cell), else out as a block. `below` is the index in `containers`
    /// under which to look for that holder.
    private mutating func deliver(_ row: String, below index: Int, emit: (Block) throws -> Void) throws {
        let holder = index - 1
        if holder >= 0, holder < containers.count, containers[holder] == .table, tables.count >= 1 {
            // The holding table is the innermost table that is not the row's own.
            let own = index < containers.count && containers[index] == .table ? 1 : 0
            let position = tables.count - 1 - own
            if position >= 0, tables[position].cellOpen {
                tables[position].cell.appendSeparator()
                tables[position].cell.appendCollapsing(row)
                return
            }
        }
        try emit(Block(.tableRow, row))
    }

    private func value(_ reader: XMLStreamReader) -> String? {
        reader.namespaceURI.flatMap { reader.attribute("val", namespace: $0) }
    }
}
