import Ingest
import Testing
import TestSupport

/// libmagic's verdict plus the file name decide the format; the name never overrides the bytes.
@Suite struct FormatDecisionTests {
    private func decide(_ bytes: [UInt8], _ name: String) throws -> Result<DocumentFormat, UploadRejection> {
        FormatDecision.decide(sniffed: try Sniffer().sniff(bytes), filename: name, byteCount: bytes.count)
    }

    private func isRefused(_ result: Result<DocumentFormat, UploadRejection>, mentioning text: String) -> Bool {
        if case .failure(.unsupported(_, let message)) = result { return message.contains(text) }
        return false
    }

    @Test func realFilesOfEveryFormatAreRecognisedByTheirBytes() throws {
        #expect(try decide(PDFBuilder.sample(), "a.pdf") == .success(.pdf))
        #expect(try decide(PDFBuilder.sample(), "no-extension") == .success(.pdf))
        #expect(try decide(ZipWriter.docx(bodyXML: "<w:p><w:r><w:t>Hi</w:t></w:r></w:p>"), "a.docx") == .success(.docx))
        #expect(try decide(Array("name,age\n\"Smith, J\",3\nBob,4\n".utf8), "people") == .success(.csv))
        #expect(try decide(Array("{\"a\": [1, 2]}".utf8), "data") == .success(.json))
        #expect(try decide(Array("<html><body><p>Hi</p></body></html>".utf8), "page") == .success(.html))
        #expect(try decide(Array("# Title\n\nText.\n".utf8), "notes.md") == .success(.markdown))
        #expect(try decide(Array("a\tb\n1\t2\n".utf8), "t.tsv") == .success(.tsv))
        #expect(try decide(Array("{\"a\":1}\n{\"a\":2}\n".utf8), "x.jsonl") == .success(.jsonl))
        #expect(try decide(Array("caf".utf8) + [0xE9, 0x0A], "menu.txt") == .success(.text))
    }

    @Test func theNameCannotDisguiseAnotherKindOfFile() throws {
        let elf: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8) + [3, 0, 0x3E, 0] + [UInt8](repeating: 0, count: 200)
        #expect(try isRefused(decide(elf, "report.pdf"), mentioning: "executable"))
        #expect(try isRefused(decide(Array("just words".utf8), "scan.pdf"), mentioning: "named '.pdf'"))
        #expect(try isRefused(decide(PDFBuilder.sample(), "notes.txt"), mentioning: "a PDF"))
        #expect(try isRefused(decide(Array("#!/bin/sh\nrm -rf /\n".utf8), "readme.txt"), mentioning: "executable"))
    }

    @Test func archivesImagesAndUnknownBinaryAreRefused() throws {
        let zip = ZipWriter.archive([(name: "a.txt", bytes: Array("hello".utf8), deflate: false)])
        #expect(try isRefused(decide(zip, "bundle.zip"), mentioning: "Archives"))
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
                            0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE]
        #expect(try isRefused(decide(png, "photo.png"), mentioning: "Images"))
        #expect(try isRefused(decide([0x00, 0xFF, 0x13, 0x88, 0x02, 0x9C, 0x00, 0x01, 0xFE, 0x00], "blob"), mentioning: "not a format"))
    }

    @Test func aZipNamedDocxGoesToTheDocxParserWhichChecksTheInside() throws {
        let zip = ZipWriter.archive([(name: "word/styles.xml", bytes: Array("<x/>".utf8), deflate: true)])
        #expect(try decide(zip, "report.docx") == .success(.docx))
    }

    @Test func emptyFilesAreTheirOwnRejection() throws {
        #expect(try decide([], "a.txt") == .failure(.empty))
    }

    @Test func extensionsAreReadFromTheLastPathComponent() {
        #expect(FormatDecision.fileExtension(of: "dir.v2/Report.PDF") == "pdf")
        #expect(FormatDecision.fileExtension(of: "README") == nil)
        #expect(FormatDecision.fileExtension(of: ".bashrc") == nil)
        #expect(FormatDecision.fileExtension(of: "trailing.") == nil)
    }
}
