@testable import Ingest
import TestSupport
import Testing

@Suite struct PDFParserTests {
    private struct Parsed {
        var blocks: [Block] = []
        var summary = ParseSummary()
    }

    private func parse(_ pdf: [UInt8], parser: PDFParser = PDFParser()) throws -> Parsed {
        var source = MemorySource(pdf, pieceSize: 4096)
        var parsed = Parsed()
        parsed.summary = try parser.parse(&source) { parsed.blocks.append($0) }
        return parsed
    }

    private func failure(_ pdf: [UInt8]) -> String? {
        do {
            _ = try parse(pdf)
            return nil
        } catch let failure as ParseFailure {
            return failure.reason
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func twoPageDocumentKeepsPageNumbersHeadingsAndParagraphs() throws {
        let parsed = try parse(PDFBuilder.sample())
        #expect(parsed.summary == ParseSummary(pages: 2))
        #expect(parsed.blocks == [
            Block(.heading(level: 1), "Getting Started", page: 1),
            Block(.paragraph, "Parley answers questions from your documents. It reads every example you upload and keeps the page numbers.", page: 1),
            Block(.paragraph, "Uploads are processed in the background (usually within a minute).", page: 1),
            Block(.heading(level: 2), "Billing and Plans", page: 2),
            Block(.paragraph, "Invoices are sent on the first day of each month.", page: 2),
        ])
    }

    @Test func linesOfOneSizeWithoutGapsStayOneParagraphAndNoHeading() throws {
        let parsed = try parse(PDFBuilder.document(pages: [[
            PDFBuilder.Line("First line of a paragraph that goes on"),
            PDFBuilder.Line("and ends on the second line."),
        ]]))
        #expect(parsed.blocks == [
            Block(.paragraph, "First line of a paragraph that goes on and ends on the second line.", page: 1),
        ])
    }

    @Test func winAnsiTextAndEscapedCharactersComeBackIntact() throws {
        let text = #"Café – naïve (100%) back\slash “quoted” €5"#
        let parsed = try parse(PDFBuilder.document(pages: [[PDFBuilder.Line(text)]]))
        #expect(parsed.blocks.map(\.text) == [text])
    }

    @Test func encryptedPDFFailsAskingForAnUnprotectedCopy() {
        let reason = failure(PDFBuilder.encrypted())
        #expect(reason == "encrypted PDF: it needs a password; upload an unprotected copy")
    }

    @Test(arguments: [0.1, 0.3, 0.6, 0.9, 0.99])
    func truncatedPDFFailsAsCorruptOrTruncated(fraction: Double) {
        let reason = failure(PDFBuilder.truncated(PDFBuilder.sample(), keeping: fraction))
        #expect(reason?.hasPrefix("corrupt or truncated PDF") == true, "\(reason ?? "parsed")")
    }

    @Test func damagedPDFReportsPopplersMessage() {
        let reason = failure(Array("%PDF-1.4\nthis is not a PDF body at all\n%%EOF\n".utf8))
        #expect(reason?.hasPrefix("corrupt or truncated PDF (") == true, "\(reason ?? "parsed")")
    }

    @Test func middleOfAPDFCutOutNeverCrashes() {
        let pdf = PDFBuilder.document(pages: (1...5).map { [PDFBuilder.Line("Page \($0) text")] })
        for cut in stride(from: 20, to: pdf.count - 40, by: 37) {
            var damaged = pdf
            damaged.removeSubrange(cut..<(cut + 30))
            // Either poppler recovers the text or the parser names the damage; it never crashes.
            if let reason = failure(damaged) {
                #expect(!reason.hasPrefix("unexpected"), "\(reason)")
            }
        }
    }

    @Test func imageOnlyPDFFailsForWantOfATextLayer() {
        #expect(failure(PDFBuilder.imageOnly(pages: 2)) == "the PDF has no text layer (scanned images?); Parley does not do OCR")
    }

    @Test func garbageAndEmptyFilesFail() {
        var generator = SystemRandomNumberGenerator()
        let garbage = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(failure(garbage) == "not a PDF: the file does not start with a %PDF header")
        #expect(failure([]) == "the file is empty, not a PDF")
    }

    @Test func documentLargerThanTheLimitFails() {
        var source = MemorySource(PDFBuilder.sample())
        #expect(throws: ParseFailure.self) {
            _ = try PDFParser(limit: 100).parse(&source) { _ in }
        }
    }

    @Test func errorsThrownByEmitPassThrough() {
        struct Stop: Error {}
        var source = MemorySource(PDFBuilder.sample())
        #expect(throws: Stop.self) {
            _ = try PDFParser().parse(&source) { _ in throw Stop() }
        }
    }

    @Test func fiftyPagesParseWithEveryPagesText() throws {
        let pages = (1...50).map { number in
            [PDFBuilder.Line("Section \(number)", size: 16), PDFBuilder.Line.gap]
                + (1...30).map { PDFBuilder.Line("Page \(number) line \($0) says something worth finding.") }
                + [PDFBuilder.Line.gap, PDFBuilder.Line("\(number)")]
        }
        let parsed = try parse(PDFBuilder.document(pages: pages))
        #expect(parsed.summary == ParseSummary(pages: 50))
        for number in 1...50 {
            let blocks = parsed.blocks.filter { $0.page == number }
            #expect(blocks.first == Block(.heading(level: 1), "Section \(number)", page: number))
            let body = blocks.dropFirst().map(\.text).joined(separator: " ")
            #expect(blocks.count == 2)
            for line in 1...30 {
                #expect(body.contains("Page \(number) line \(line) says something worth finding."))
            }
            #expect(!body.hasSuffix(" \(number)"), "page number line kept on page \(number)")
        }
    }

    @Test func separateDocumentsParseConcurrently() async throws {
        let pdf = PDFBuilder.sample()
        let expected = try parse(pdf).blocks
        let parser = PDFParser()
        try await withThrowingTaskGroup(of: [Block].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var source = MemorySource(pdf)
                    var blocks: [Block] = []
                    _ = try parser.parse(&source) { blocks.append($0) }
                    return blocks
                }
            }
            for try await blocks in group { #expect(blocks == expected) }
        }
    }

    @Test(arguments: ["12", "- 12 -", "Page 3", "page 3 of 40", "3 / 40", "xii", "— 7 —"])
    func pageNumberLinesAreRecognized(line: String) {
        #expect(PDFLayout.isPageNumber(Array(line.utf8)))
    }

    @Test(arguments: ["12 apples", "Page", "mix", "Chapter 3", "2024-05-01", "123456"])
    func contentLinesAreNotPageNumbers(line: String) {
        #expect(!PDFLayout.isPageNumber(Array(line.utf8)))
    }

    @Test(arguments: [
        ("exam-", "ple text", "example text"),
        ("well-", "Known", "well- Known"),
        ("costs 5 -", "minus", "costs 5 - minus"),
        ("soft\u{AD}", "ware", "software"),
        ("plain", "next", "plain next"),
    ])
    func linesJoinWithASpaceOrRejoinAHyphenatedWord(block: String, line: String, joined: String) {
        var bytes = Array(block.utf8)
        PDFLayout.join(Array(line.utf8), to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == joined)
    }

    @Test func normalizingCollapsesWhitespaceAndTrims() {
        var out: [UInt8] = []
        let bytes = Array("  a\t\tb \u{A0} c \r".utf8)
        PDFLayout.normalize(bytes, 0..<bytes.count, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "a b c")
    }
}
