/// What `word/styles.xml` says about paragraph styles, reduced to what blocks need: which style
/// ids are headings (and at which level) and which are list styles.
///
/// Word stores built-in style names in English ("heading 1") even in localized documents whose
/// ids read "berschrift1", so names decide first; ids ("Heading2", "Title") are the fallback when
/// styles.xml is missing. `basedOn` chains are followed a bounded number of hops.
struct DocxStyles: Sendable {
    private var headingLevels: [String: Int] = [:]
    private var listStyles: Set<String> = []
    /// Style ids styles.xml declares, so an unknown id falls back to its spelling.
    private var known: Set<String> = []

    private static let maxBasedOnHops = 10

    func headingLevel(_ styleID: String) -> Int? {
        if let level = headingLevels[styleID] { return level }
        return known.contains(styleID) ? nil : Self.level(named: styleID)
    }

    func isList(_ styleID: String) -> Bool { listStyles.contains(styleID) }

    /// Reads styles.xml. The part is optional and only refines the output, so a damaged one
    /// gives no styles rather than failing the document.
    static func parse(_ bytes: [UInt8]) -> DocxStyles {
        var raw: [String: RawStyle] = [:]
        _ = try? XMLStreamReader.read(bytes) { reader in
            var current: RawStyle?
            var inParagraphProperties = false
            while try reader.next() {
                switch reader.nodeType {
                case .element:
                    guard let tag = WordTag(reader) else { continue }
                    let namespace = reader.namespaceURI
                    switch tag {
                    case .style where !reader.isEmptyElement:
                        current = RawStyle(id: namespace.flatMap { reader.attribute("styleId", namespace: $0) } ?? "")
                    case .styleName:
                        current?.name = namespace.flatMap { reader.attribute("val", namespace: $0) }
                    case .basedOn:
                        current?.basedOn = namespace.flatMap { reader.attribute("val", namespace: $0) }
                    case .paragraphProperties:
                        inParagraphProperties = !reader.isEmptyElement
                    case .outlineLevel where inParagraphProperties:
                        current?.outlineLevel = namespace.flatMap { reader.attribute("val", namespace: $0) }
                            .flatMap { Int($0) }
                    case .numbering where inParagraphProperties:
                        current?.numbered = true
                    default:
                        break
                    }
                case .endElement:
                    switch WordTag(reader) {
                    case .style:
                        if let style = current, !style.id.isEmpty, raw[style.id] == nil { raw[style.id] = style }
                        current = nil
                    case .paragraphProperties:
                        inParagraphProperties = false
                    default:
                        break
                    }
                default:
                    break
                }
            }
        }
        return resolve(raw)
    }

    private struct RawStyle {
        var id: String
        var name: String?
        var basedOn: String?
        var outlineLevel: Int?
        var numbered = false

        var ownLevel: Int? {
            if let name, let level = DocxStyles.level(named: name) { return level }
            if let outlineLevel, (0...8).contains(outlineLevel) { return min(outlineLevel + 1, 6) }
            return name == nil ? DocxStyles.level(named: id) : nil
        }

        var ownList: Bool {
            numbered || (name?.lowercased().hasPrefix("list") ?? false)
        }
    }

    private static func resolve(_ raw: [String: RawStyle]) -> DocxStyles {
        var styles = DocxStyles()
        styles.known = Set(raw.keys)
        for (id, style) in raw {
            var cursor: RawStyle? = style
            var hops = 0
            var level: Int?
            var list = false
            while let current = cursor, hops <= maxBasedOnHops {
                level = level ?? current.ownLevel
                list = list || current.ownList
                if level != nil { break }
                cursor = current.basedOn.flatMap { raw[$0] }
                hops += 1
            }
            if let level { styles.headingLevels[id] = level }
            if list { styles.listStyles.insert(id) }
        }
        return styles
    }

    /// "heading 2" / "Heading2" -> 2, "Title" -> 1, capped at 6 (Word has nine levels).
    static func level(named name: String) -> Int? {
        let lower = name.lowercased()
        if lower == "title" { return 1 }
        guard lower.hasPrefix("heading") else { return nil }
        let digits = lower.dropFirst("heading".count).drop { $0 == " " }
        guard let level = Int(digits), (1...9).contains(level) else { return nil }
        return min(level, 6)
    }
}
