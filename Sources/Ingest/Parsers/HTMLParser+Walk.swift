internal import CXML2

/// One pass over a parsed HTML tree, in document order, without recursion: it follows
/// first-child, next-sibling and parent links, calling `enter` on the way down and `leave` on the
/// way back up for every element it descended into. Block elements push a `Frame` (so text knows
/// its block kind and whether it sits in a table cell); the frame stack is heap memory, bounded
/// by the tree's depth.
struct HTMLWalk {
    private enum Role {
        /// Not content: skipped with everything inside.
        case drop
        case head
        case block(Block.Kind?)
        case table, row, cell(header: Bool)
        case lineBreak
        case inline
    }

    private struct Frame {
        var kind: Block.Kind
        /// Text here belongs to the innermost table's open cell.
        var inCell: Bool
    }

    private struct Table {
        var rows: MarkupTable
        /// The table sits in a cell of an outer table: its rows go into that cell.
        var nestedInCell: Bool
        var headerCells = 0
        var dataCells = 0
    }

    private let document: htmlDocPtr
    private var frames: [Frame] = []
    private var tables: [Table] = []
    private var text = MarkupTextBuffer()
    /// Open `<article>`/`<main>` elements: a header or footer inside them is content, not chrome.
    private var sectioningDepth = 0
    private var emitted = 0

    private static let roles: [String: Role] = {
        var roles: [String: Role] = [:]
        for name in ["script", "style", "noscript", "template", "svg", "iframe", "nav", "aside", "form", "button",
                     "select", "textarea", "object", "embed", "canvas", "title", "math"] {
            roles[name] = .drop
        }
        for name in ["p", "div", "section", "article", "main", "blockquote", "ul", "ol", "dl", "dt", "dd", "figure",
                     "figcaption", "address", "body", "html", "center", "details", "summary", "fieldset", "legend",
                     "caption", "hr", "header", "footer", "thead", "tbody", "tfoot", "option", "label"] {
            roles[name] = .block(nil)
        }
        for level in 1...6 { roles["h\(level)"] = .block(.heading(level: level)) }
        roles["li"] = .block(.listItem)
        roles["pre"] = .block(.preformatted)
        roles["listing"] = .block(.preformatted)
        roles["head"] = .head
        roles["table"] = .table
        roles["tr"] = .row
        roles["td"] = .cell(header: false)
        roles["th"] = .cell(header: true)
        roles["br"] = .lineBreak
        return roles
    }()

    init(document: htmlDocPtr) {
        self.document = document
    }

    /// Emits the page's blocks; returns how many.
    mutating func run(emit: (Block) throws -> Void) throws -> Int {
        let root = UnsafeMutableRawPointer(document)
        let hasH1 = Self.containsH1(document)
        var node = document.pointee.children
        while let current = node {
            if try enter(current, hasH1: hasH1, emit: emit), let child = current.pointee.children {
                node = child
                continue
            }
            // Done with `current` (a leaf, a skipped subtree or an empty element): move on to its
            // next sibling, leaving every ancestor whose children are finished.
            var finished = current
            var descended = isDescended(current)
            node = nil
            while true {
                if descended { try leave(finished, emit: emit) }
                if let sibling = finished.pointee.next {
                    node = sibling
                    break
                }
                guard let parent = finished.pointee.parent, UnsafeMutableRawPointer(parent) != root else { break }
                finished = parent
                descended = true
            }
        }
        try flush(emit: emit)
        return emitted
    }

    /// Whether `enter` let the walk into this element, so `leave` must undo what it pushed. It
    /// is decided again from the element itself, and `sectioningDepth` has the same value here as
    /// it had in `enter`, because everything `enter` changes inside the element is undone before.
    private func isDescended(_ node: xmlNodePtr) -> Bool {
        guard node.pointee.type == XML_ELEMENT_NODE else { return false }
        switch role(node) {
        case .drop, .head, .lineBreak: return false
        default: return true
        }
    }

    private func role(_ node: xmlNodePtr) -> Role {
        guard let name = node.pointee.name else { return .inline }
        let role = Self.roles[String(cString: name)] ?? .inline
        if case .drop = role { return .drop }
        if Self.isHidden(node) { return .drop }
        if case .block = role, sectioningDepth == 0,
           XMLName.equals(name, "header") || XMLName.equals(name, "footer") {
            return .drop
        }
        return role
    }

    private mutating func enter(_ node: xmlNodePtr, hasH1: Bool, emit: (Block) throws -> Void) throws -> Bool {
        switch node.pointee.type {
        case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
            if let content = node.pointee.content { appendText(XMLName.buffer(content)) }
            return false
        case XML_ELEMENT_NODE:
            break
        default:
            return false
        }
        let inCell = frames.last?.inCell ?? false
        switch role(node) {
        case .drop:
            return false
        case .head:
            if !hasH1, let title = Self.title(in: node) { try emitBlock(.heading(level: 1), title, emit: emit) }
            return false
        case .lineBreak:
            if inCell { tables[tables.count - 1].rows.cell.appendSeparator() } else { text.appendBreak(0x0A) }
            return false
        case .inline:
            return true
        case .block(let kind):
            try boundary(emit: emit)
            if XMLName.equals(node.pointee.name, "article") || XMLName.equals(node.pointee.name, "main") {
                sectioningDepth += 1
            }
            frames.append(Frame(kind: kind ?? frames.last?.kind ?? .paragraph, inCell: inCell))
        case .table:
            try boundary(emit: emit)
            tables.append(Table(rows: MarkupTable(guessesHeader: false), nestedInCell: inCell))
            frames.append(Frame(kind: .paragraph, inCell: false))
        case .row:
            if !tables.isEmpty {
                tables[tables.count - 1].headerCells = 0
                tables[tables.count - 1].dataCells = 0
            }
            frames.append(Frame(kind: .paragraph, inCell: false))
        case .cell(let header):
            guard !tables.isEmpty else {
                // A stray cell outside any table reads as a paragraph.
                try boundary(emit: emit)
                frames.append(Frame(kind: .paragraph, inCell: false))
                return true
            }
            tables[tables.count - 1].rows.openCell()
            if header { tables[tables.count - 1].headerCells += 1 } else { tables[tables.count - 1].dataCells += 1 }
            frames.append(Frame(kind: .paragraph, inCell: true))
        }
        return true
    }

    private mutating func leave(_ node: xmlNodePtr, emit: (Block) throws -> Void) throws {
        guard node.pointee.type == XML_ELEMENT_NODE else { return }
        switch role(node) {
        case .drop, .head, .lineBreak, .inline:
            return
        case .block:
            try boundary(emit: emit)
            if XMLName.equals(node.pointee.name, "article") || XMLName.equals(node.pointee.name, "main") {
                sectioningDepth -= 1
            }
        case .table:
            try boundary(emit: emit)
            if var table = tables.popLast() {
                _ = frames.popLast()
                if let last = table.rows.close() { try deliver(last, nestedInCell: table.nestedInCell, emit: emit) }
                return
            }
        case .row:
            if let table = tables.last {
                let marked = table.headerCells > 0 && table.dataCells == 0
                if let row = tables[tables.count - 1].rows.closeRow(markedHeader: marked) {
                    try deliver(row, nestedInCell: table.nestedInCell, emit: emit)
                }
            }
        case .cell:
            if tables.isEmpty { try boundary(emit: emit) } else { tables[tables.count - 1].rows.closeCell() }
        }
        _ = frames.popLast()
    }

    private mutating func appendText(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let frame = frames.last else {
            text.appendCollapsing(bytes)
            return
        }
        if frame.inCell, !tables.isEmpty {
            tables[tables.count - 1].rows.cell.appendCollapsing(bytes)
        } else if frame.kind == .preformatted {
            text.appendVerbatim(bytes)
        } else {
            text.appendCollapsing(bytes)
        }
    }

    /// A block element starts or ends: the text so far is one block (or, in a cell, a word gap).
    private mutating func boundary(emit: (Block) throws -> Void) throws {
        if let frame = frames.last, frame.inCell, !tables.isEmpty {
            tables[tables.count - 1].rows.cell.appendSeparator()
        } else {
            try flush(emit: emit)
        }
    }

    private mutating func flush(emit: (Block) throws -> Void) throws {
        guard let value = text.take() else { return }
        try emitBlock(frames.last?.kind ?? .paragraph, value, emit: emit)
    }

    private mutating func deliver(_ row: String, nestedInCell: Bool, emit: (Block) throws -> Void) throws {
        if nestedInCell, !tables.isEmpty, tables[tables.count - 1].rows.cellOpen {
            tables[tables.count - 1].rows.cell.appendSeparator()
            tables[tables.count - 1].rows.cell.appendCollapsing(row)
        } else {
            try emitBlock(.tableRow, row, emit: emit)
        }
    }

    private mutating func emitBlock(_ kind: Block.Kind, _ value: String, emit: (Block) throws -> Void) throws {
        try emit(Block(kind, value))
        emitted += 1
    }

    /// `hidden`, `aria-hidden="true"` and `role="navigation"` mark elements readers never see.
    private static func isHidden(_ node: xmlNodePtr) -> Bool {
        var attribute = node.pointee.properties
        while let current = attribute {
            let name = current.pointee.name
            if XMLName.equals(name, "hidden") { return true }
            let value = current.pointee.children?.pointee.content
            if XMLName.equals(name, "role"), XMLName.equalsIgnoringCase(value, "navigation") { return true }
            if XMLName.equals(name, "aria-hidden"), XMLName.equalsIgnoringCase(value, "true") { return true }
            attribute = current.pointee.next
        }
        return false
    }

    /// The text of the `<title>` among `head`'s children, whitespace collapsed.
    private static func title(in head: xmlNodePtr) -> String? {
        var child = head.pointee.children
        while let node = child {
            if node.pointee.type == XML_ELEMENT_NODE, XMLName.equals(node.pointee.name, "title") {
                var buffer = MarkupTextBuffer()
                var textNode = node.pointee.children
                while let current = textNode {
                    if let content = current.pointee.content { buffer.appendCollapsing(XMLName.buffer(content)) }
                    textNode = current.pointee.next
                }
                return buffer.take()
            }
            child = node.pointee.next
        }
        return nil
    }

    /// Whether the page has an `<h1>` anywhere, found by the same iterative walk order.
    private static func containsH1(_ document: htmlDocPtr) -> Bool {
        let root = UnsafeMutableRawPointer(document)
        var node = document.pointee.children
        while let current = node {
            if current.pointee.type == XML_ELEMENT_NODE, XMLName.equals(current.pointee.name, "h1") { return true }
            if current.pointee.type == XML_ELEMENT_NODE, let child = current.pointee.children {
                node = child
                continue
            }
            var finished = current
            node = nil
            while true {
                if let sibling = finished.pointee.next {
                    node = sibling
                    break
                }
                guard let parent = finished.pointee.parent, UnsafeMutableRawPointer(parent) != root else { break }
                finished = parent
            }
        }
        return false
    }
}
