import Testing
@testable import FastCGI

@Suite struct FastCGIResponseTests {
    @Test func statusComesFromTheCGIStatusHeader() throws {
        let response = try FastCGIResponse.parse(
            stdout: Array("Status: 404 Not Found\r\nContent-Type: text/plain\r\nX-A:b\r\n\r\nmissing".utf8))
        #expect(response.status == 404)
        #expect(response.header("content-type") == "text/plain")
        #expect(response.header("X-A") == "b")
        #expect(response.headers.count == 2)
        #expect(response.bodyText == "missing")
    }

    @Test func missingStatusMeans200AndBareLineFeedsAreAccepted() throws {
        let response = try FastCGIResponse.parse(stdout: Array("Content-Type: text/plain\n\nok\r\n\r\n".utf8))
        #expect(response.status == 200)
        #expect(response.bodyText == "ok\r\n\r\n")
    }

    @Test func outputWithoutHeadIsMalformed() {
        #expect(throws: FastCGIClientError.malformedResponseHead) {
            try FastCGIResponse.parse(stdout: Array("no head at all".utf8))
        }
        #expect(throws: FastCGIClientError.malformedResponseHead) {
            try FastCGIResponse.parse(stdout: Array("Status: abc\r\n\r\n".utf8))
        }
    }

    @Test func responseHeadIsWellFormedAndCannotBeSplit() {
        let head = String(decoding: ResponseHead.encode(status: 201, headers: [
            ("Content-Type", "application/json"),
            ("X-Evil\r\nSet-Cookie", "a\r\nSet-Cookie: stolen=1"),
            ("\r\n", "dropped"),
        ]), as: UTF8.self)
        #expect(head == "Status: 201 Created\r\nContent-Type: application/json\r\n"
            + "X-EvilSet-Cookie: a  Set-Cookie: stolen=1\r\n\r\n")
        #expect(String(decoding: ResponseHead.encode(status: 7, headers: []), as: UTF8.self)
            == "Status: 500 Internal Server Error\r\n\r\n")
        #expect(ResponseHead.reasonPhrase(413) == "Content Too Large")
    }
}
