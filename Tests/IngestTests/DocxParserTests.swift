import Ingest
import TestSupport
import Testing

@Suite struct DocxParserTests {
    private func parse(_ bytes: [UInt8], parser: DocxParser = DocxParser()) throws -> [Block] {
        var source = MemorySource(bytes, pieceSize: 4096)
        var blocks: [Block] = []
        _ = try parser.parse(&source) { blocks.append($0) }
        return blocks
    }

    private func failure(_ bytes: [UInt8], parser: DocxParser = DocxParser()) -> String? {
        do {
            _ = try parse(bytes, parser: parser)
            return nil
        } catch let failure as ParseFailure {
            return failure.reason
        } catch {
            return "unexpected \(error)"
        }
    }

    private func paragraph(_ text: String, style: String? = nil, numbered: Bool = false) -> String {
        let style = style.map { "<w:pStyle w:val=\"\($0)\"/>" } ?? ""
        let numbering = numbered ? "<w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"3\"/></w:numPr>" : ""
        return "<w:p><w:pPr>\(style)\(numbering)</w:pPr><w:r><w:t xml:space=\"preserve\">\(text)</w:t></w:r></w:p>"
    }

    private func row(_ cells: [String]) -> String {
        "<w:tr>" + cells.map { "<w:tc><w:tcPr/>\(paragraph($0))</w:tc>" }.joined() + "</w:tr>"
    }

    @Test func headingsParagraphsListsAndTableBecomeBlocks() throws {
        let body = paragraph("Quarterly report", style: "Title")
            + paragraph("Overview", style: "Heading1")
            + "<w:p><w:r><w:t xml:space=\"preserve\">Sales grew </w:t></w:r><w:r><w:rPr><w:b/></w:rPr>"
            + "<w:t>fast</w:t><w:tab/><w:t>this year.</w:t><w:br/><w:t>Second line.</w:t></w:r></w:p>"
            + "<w:p/><w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr></w:p>"
            + paragraph("First point", numbered: true)
            + paragraph("Second point", style: "ListBullet")
            + paragraph("Details", style: "Heading2")
            + "<w:tbl><w:tblPr/>" + row(["Region", "Revenue"]) + row(["North", "10"]) + row(["South", "12"]) + "</w:tbl>"
            + "<w:sectPr/>"
        let blocks = try parse(ZipWriter.docx(bodyXML: body))
        #expect(blocks == [
            Block(.heading(level: 1), "Quarterly report"),
            Block(.heading(level: 1), "Overview"),
            Block(.paragraph, "Sales grew fast\tthis year.\nSecond line."),
            Block(.listItem, "First point"),
            Block(.listItem, "Second point"),
            Block(.heading(level: 2), "Details"),
            Block(.tableRow, "Region: North\nRevenue: 10"),
            Block(.tableRow, "Region: South\nRevenue: 12"),
        ])
    }

    @Test func headingStylesAreGuessedFromIdsWithoutStylesPart() throws {
        let body = paragraph("Intro", style: "Heading3") + paragraph("Text")
        let blocks = try parse(ZipWriter.docx(bodyXML: body, styles: false))
        #expect(blocks == [Block(.heading(level: 3), "Intro"), Block(.paragraph, "Text")])
    }

    @Test func localizedStyleIdsUseTheirEnglishNames() throws {
        let styles = """
            <w:styles xmlns:w="\(ZipWriter.wordNamespace)"><w:style w:type="paragraph" w:styleId="berschrift2">\
            <w:name w:val="heading 2"/></w:style></w:styles>
            """
        var entries = [(name: String, bytes: [UInt8], deflate: Bool)]()
        entries.append(("word/styles.xml", Array(styles.utf8), true))
        let bytes = ZipWriter.docx(bodyXML: paragraph("Einleitung", style: "berschrift2"), styles: false, extraEntries: entries)
        #expect(try parse(bytes) == [Block(.heading(level: 2), "Einleitung")])
    }

    @Test func tableWithoutHeaderJoinsCellsAndNestedTablesFlatten() throws {
        let inner = "<w:tbl>" + row(["5", "6"]) + row(["7", "8"]) + "</w:tbl>"
        let body = "<w:tbl>" + row(["1", "2"]) + "<w:tr><w:tc>\(paragraph("x"))\(inner)</w:tc><w:tc/></w:tr>" + "</w:tbl>"
        let blocks = try parse(ZipWriter.docx(bodyXML: body))
        #expect(blocks == [Block(.tableRow, "1 | 2"), Block(.tableRow, "x 5 | 6 7 | 8")])
    }

    @Test func markedHeaderRowIsUsedEvenWhenNumeric() throws {
        let header = "<w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc>\(paragraph("2023"))</w:tc><w:tc>\(paragraph("2024"))</w:tc></w:tr>"
        let blocks = try parse(ZipWriter.docx(bodyXML: "<w:tbl>\(header)\(row(["5", "7"]))</w:tbl>"))
        #expect(blocks == [Block(.tableRow, "2023: 5\n2024: 7")])
    }

    @Test func fallbackContentIsNotRepeated() throws {
        let body = "<w:p><w:r><w:t>Before</w:t></w:r><mc:AlternateContent><mc:Choice Requires=\"wps\">"
            + "<w:t>choice</w:t></mc:Choice><mc:Fallback><w:t>fallback</w:t></mc:Fallback></mc:AlternateContent></w:p>"
        #expect(try parse(ZipWriter.docx(bodyXML: body)) == [Block(.paragraph, "Beforechoice")])
    }

    @Test func trackedChangesKeepCurrentStyleAndDropDeletedText() throws {
        let body = "<w:p><w:pPr><w:pStyle w:val=\"Heading2\"/><w:pPrChange w:id=\"1\"><w:pPr><w:pStyle w:val=\"Normal\"/>"
            + "</w:pPr></w:pPrChange></w:pPr><w:del><w:r><w:delText>Old</w:delText></w:r></w:del>"
            + "<w:ins><w:r><w:t>New</w:t></w:r></w:ins></w:p>"
        #expect(try parse(ZipWriter.docx(bodyXML: body)) == [Block(.heading(level: 2), "New")])
    }

    @Test func zipWithoutDocumentPartIsNotADocx() {
        let bytes = ZipWriter.archive([("hello.txt", Array("hi".utf8), true)])
        #expect(failure(bytes) == "not a DOCX: zip has no word/document.xml")
    }

    @Test func malformedDocumentXMLNamesTheLine() {
        let body = paragraph("fine") + "\n\n<w:p><w:r><w:t>broken</w:r></w:p>"
        let reason = failure(ZipWriter.docx(bodyXML: body))
        #expect(reason == "corrupt DOCX: word/document.xml is not well-formed XML (line 4)")
    }

    @Test func nestingPastTheXMLDepthLimitFailsClearly() {
        let body = String(repeating: "<w:tbl><w:tr><w:tc>", count: 100) + paragraph("deep")
            + String(repeating: "</w:tc></w:tr></w:tbl>", count: 100)
        let reason = failure(ZipWriter.docx(bodyXML: body)) ?? ""
        #expect(reason.hasPrefix("corrupt DOCX: word/document.xml nests elements more than 256 levels deep"))
    }

    @Test func entityExpansionBombIsRefused() {
        var lines = ["<?xml version=\"1.0\"?>", "<!DOCTYPE w:document [", "<!ENTITY a0 \"laugh\">"]
        for level in 1...12 { lines.append("<!ENTITY a\(level) \"" + String(repeating: "&a\(level - 1);", count: 10) + "\">") }
        lines.append("]><w:document xmlns:w=\"\(ZipWriter.wordNamespace)\"><w:body><w:p><w:r><w:t>&a12;</w:t></w:r></w:p></w:body></w:document>")
        let bytes = ZipWriter.archive([("word/document.xml", Array(lines.joined(separator: "\n").utf8), true)])
        let clock = ContinuousClock()
        var reason: String?
        let elapsed = clock.measure { reason = failure(bytes) }
        #expect(reason?.hasPrefix("corrupt DOCX: word/document.xml is not well-formed XML") == true)
        #expect(elapsed < .seconds(5))
    }

    @Test func garbageIsNotADocx() {
        #expect(failure(Array("%PDF-1.7 not a zip".utf8)) == "not a DOCX: the file is not a ZIP archive")
        let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + Array(repeating: 0, count: 512)
        #expect(failure(ole)?.hasPrefix("not a DOCX: this is a password-protected Word file") == true)
    }

    @Test func zipBombFailsQuicklyWithoutInflatingIt() {
        let zeros = ZipWriter.deflatedZeros(count: 300 << 20)
        #expect(zeros.data.count < 1 << 20)
        let bytes = ZipWriter.archive(raw: [
            .init(name: "word/document.xml", method: 8, data: zeros.data, crc32: zeros.crc32, uncompressedSize: 300 << 20),
        ])
        let clock = ContinuousClock()
        var reason: String?
        let elapsed = clock.measure { reason = failure(bytes) }
        #expect(reason == "DOCX expands beyond 256 MB when decompressed (zip bomb?)")
        #expect(elapsed < .seconds(2))
    }

    @Test func zipBombThatUnderstatesItsSizeIsStoppedByCounting() {
        let zeros = ZipWriter.deflatedZeros(count: 40 << 20)
        let bytes = ZipWriter.archive(raw: [
            .init(name: "word/document.xml", method: 8, data: zeros.data, crc32: zeros.crc32, uncompressedSize: 1000),
        ])
        let reason = failure(bytes, parser: DocxParser(maxExpandedBytes: 16 << 20))
        #expect(reason == "DOCX expands beyond 16 MB when decompressed (zip bomb?)")
    }

    @Test func mutatedDocumentXMLNeverCrashes() {
        let inner = "<w:tbl>" + row(["5", "6"]) + "</w:tbl>"
        let body = paragraph("Title", style: "Title") + paragraph("item", numbered: true)
            + "<w:tbl>" + row(["Name", "Value"]) + "<w:tr><w:tc>\(inner)</w:tc><w:tc/></w:tr>" + row(["a", "b"]) + "</w:tbl>"
        let xml = Array("<w:document xmlns:w=\"\(ZipWriter.wordNamespace)\"><w:body>\(body)</w:body></w:document>".utf8)
        let alphabet = Array("<>/=\"&;:wptrcbl ".utf8)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var damaged = xml
            for _ in 0..<3 {
                let index = Int.random(in: 0..<damaged.count, using: &generator)
                damaged[index] = alphabet.randomElement(using: &generator) ?? 0
            }
            let bytes = ZipWriter.archive([("word/document.xml", damaged, true)])
            var source = MemorySource(bytes)
            _ = try? DocxParser().parse(&source) { block in #expect(!block.text.isEmpty) }
        }
    }

    @Test func errorsThrownByEmitPassThrough() {
        struct Stop: Error {}
        var source = MemorySource(ZipWriter.docx(bodyXML: paragraph("one") + paragraph("two")))
        #expect(throws: Stop.self) { _ = try DocxParser().parse(&source) { _ in throw Stop() } }
    }
}
