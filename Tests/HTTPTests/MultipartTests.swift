import Testing
@testable import HTTP

@Suite struct MultipartTests {
    let boundary = "----parleyBoundary7MA4YWxk"
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// A body with CRLF line ends, as browsers send it.
    func body(_ parts: [(headers: [String], content: [UInt8])], boundary: String? = nil, newline: String = "\r\n",
              closing: Bool = true, preamble: String = "", epilogue: String = "") -> [UInt8] {
        let boundary = boundary ?? self.boundary
        var bytes = Array(preamble.utf8)
        for part in parts {
            bytes += Array("--\(boundary)\(newline)".utf8)
            for header in part.headers { bytes += Array("\(header)\(newline)".utf8) }
            bytes += Array(newline.utf8)
            bytes += part.content
            bytes += Array(newline.utf8)
        }
        bytes += Array((closing ? "--\(boundary)--\(newline)" : "").utf8)
        bytes += Array(epilogue.utf8)
        return bytes
    }

    func field(_ name: String, _ value: String) -> (headers: [String], content: [UInt8]) {
        (["Content-Disposition: form-data; name=\"\(name)\""], Array(value.utf8))
    }

    func file(_ name: String, _ filename: String, _ content: [UInt8], type: String = "application/pdf")
        -> (headers: [String], content: [UInt8]) {
        (["Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"", "Content-Type: \(type)"], content)
    }

    func problem(_ body: [UInt8], contentType: String? = nil) -> Problem? {
        do {
            _ = try Multipart.parse(body, contentType: contentType ?? self.contentType)
            return nil
        } catch {
            return error
        }
    }

    @Test func oneFileAndFieldsKeepTheirNamesAndContentRanges() throws {
        let pdf: [UInt8] = Array("%PDF-1.7\r\n\r\nbinary\0\u{1}\r\n--not-a-boundary\n".utf8)
        let bytes = body([field("title", "Q3 report"), file("document", "report.pdf", pdf), field("tags", "")],
                         preamble: "This is the preamble.\r\n", epilogue: "and an epilogue")
        let parts = try Multipart.parse(bytes, contentType: contentType)
        #expect(parts.map(\.name) == ["title", "document", "tags"])
        #expect(parts.map(\.filename) == [nil, "report.pdf", nil])
        #expect(parts.map(\.contentType) == [nil, "application/pdf", nil])
        #expect(Array(bytes[parts[0].content]) == Array("Q3 report".utf8))
        #expect(Array(bytes[parts[1].content]) == pdf)
        #expect(parts[2].content.isEmpty)
    }

    @Test func twoFilesAreBothReturned() throws {
        let bytes = body([file("a", "one.txt", Array("first".utf8), type: "text/plain"),
                          file("b", "two.csv", Array("x,y\n1,2".utf8), type: "text/csv")])
        let parts = try Multipart.parse(bytes, contentType: contentType)
        #expect(parts.map(\.filename) == ["one.txt", "two.csv"])
        #expect(parts.map { String(decoding: bytes[$0.content], as: UTF8.self) } == ["first", "x,y\n1,2"])
    }

    @Test func quotedBoundaryWithOtherParametersIsAccepted() throws {
        let quoted = "odd:boundary=(1)"
        let bytes = body([field("q", "v")], boundary: quoted)
        let parts = try Multipart.parse(bytes, contentType: "Multipart/Form-Data; charset=utf-8; BOUNDARY=\"\(quoted)\"")
        #expect(parts.map(\.name) == ["q"])
        #expect(Array(bytes[parts[0].content]) == Array("v".utf8))
    }

    @Test func extendedFilenameIsPercentDecodedAndWins() throws {
        let part = (headers: ["content-disposition: form-data; name=\"upload\"; filename=\"fallback.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt"],
                    content: Array("x".utf8))
        let latin = (headers: ["Content-Disposition: form-data; name=\"l\"; filename*=iso-8859-1'de'Gr%FC%DFe.txt"],
                     content: Array("y".utf8))
        let parts = try Multipart.parse(body([part, latin]), contentType: contentType)
        #expect(parts.map(\.filename) == ["€ rates.txt", "Grüße.txt"])
    }

    @Test func windowsPathsAreReducedToTheFileName() throws {
        let parts = try Multipart.parse(body([file("f", #"C:\Users\ann\report.pdf"#, [1])]), contentType: contentType)
        #expect(parts.first?.filename == "report.pdf")
    }

    @Test func bareLineFeedsAreTolerated() throws {
        let bytes = body([field("a", "line one\nline two"), file("f", "x.bin", [0, 13, 10, 255])], newline: "\n")
        let parts = try Multipart.parse(bytes, contentType: contentType)
        #expect(parts.count == 2)
        #expect(String(decoding: bytes[parts[0].content], as: UTF8.self) == "line one\nline two")
        #expect(Array(bytes[parts[1].content]) == [0, 13, 10, 255])
    }

    @Test func aMissingClosingBoundaryIsRejected() {
        let error = problem(body([field("a", "b")], closing: false))
        #expect(error?.status == 400)
        #expect(error?.detail.contains("closing boundary") == true)
    }

    @Test func theBoundaryInsideContentDoesNotSplitIt() throws {
        let content = Array("text --\(boundary) more\r\nx--\(boundary)--\r\n--\(boundary)X\r\nend".utf8)
        let bytes = body([file("f", "tricky.txt", content, type: "text/plain")])
        let parts = try Multipart.parse(bytes, contentType: contentType)
        #expect(parts.count == 1)
        #expect(Array(bytes[parts[0].content]) == content)
    }

    @Test func anEmptyFilePartHasAnEmptyRange() throws {
        let parts = try Multipart.parse(body([file("f", "", []), field("after", "1")]), contentType: contentType)
        #expect(parts.first?.filename == "")
        #expect(parts.first?.content.isEmpty == true)
        #expect(parts.last?.name == "after")
    }

    @Test func tooManyPartsAreRejected() throws {
        let many = (0...Multipart.maxParts).map { field("f\($0)", "v") }
        #expect(problem(body(many))?.detail == "The form has more than 100 parts.")
        #expect(try Multipart.parse(body(Array(many.dropLast())), contentType: contentType).count == Multipart.maxParts)
    }

    @Test func oversizedHeadersAreRejected() {
        let huge = (headers: ["Content-Disposition: form-data; name=\"a\"", "X-Pad: " + String(repeating: "p", count: 20_000)],
                    content: Array("v".utf8))
        #expect(problem(body([huge]))?.detail.contains("longer than 16 KiB") == true)
    }

    @Test func malformedFormsAreBadRequestsThatSayWhy() {
        #expect(problem(body([field("a", "b")]), contentType: "multipart/form-data")?.detail
            == "The multipart/form-data Content-Type has no boundary parameter.")
        #expect(problem([], contentType: "application/json")?.status == 415)
        #expect(throws: Problem.self) { try Multipart.parse([], contentType: nil) }
        #expect(problem(body([field("a", "b")], boundary: "other"))?.detail.contains("does not contain its boundary") == true)
        #expect(problem(body([(["Content-Type: text/plain"], [1])]))?.detail == "Part 1 has no Content-Disposition header.")
        #expect(problem(body([(["Content-Disposition: form-data; filename=\"x\""], [1])]))?.detail
            == "Part 1 has no field name (Content-Disposition name=\"…\").")
        #expect(problem(body([(["Content-Disposition: attachment; name=\"x\""], [1])]))?.status == 400)
        #expect(problem(body([(["Content-Disposition: form-data; name=\"unclosed"], [1])]))?.status == 400)
        #expect(problem(body([(["Content-Disposition: form-data; name=\"x\"; filename*=UTF-8''%ZZ"], [1])]))?.status == 400)
        #expect(problem(Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\n".utf8))?.detail
            == "The multipart body ends inside the headers of part 1.")
        let long = String(repeating: "b", count: 71)
        #expect(problem([], contentType: "multipart/form-data; boundary=\(long)")?.status == 400)
    }

    @Test func aRequestExposesItsParts() throws {
        let request = Request(method: "POST", path: "/v1/documents", headers: ["content-type": contentType],
                              requestID: "r", body: body([field("a", "b")]))
        #expect(try request.multipartParts().map(\.name) == ["a"])
    }

    @Test func aLargeBodyIsParsedInOnePass() throws {
        // 50 MB of line-heavy content, including near-miss delimiters on many lines.
        var content = [UInt8]()
        let line = Array("--\(boundary.dropLast())x almost a boundary\r\n".utf8)
        content.reserveCapacity(50_000_000)
        while content.count < 50_000_000 { content += line }
        let bytes = body([file("f", "big.txt", content)])
        let start = ContinuousClock.now
        let parts = try Multipart.parse(bytes, contentType: contentType)
        #expect(parts.first?.content.count == content.count)
        #expect(ContinuousClock.now - start < .seconds(20))
    }
}
