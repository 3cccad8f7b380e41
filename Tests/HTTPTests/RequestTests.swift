import Testing
@testable import HTTP

@Suite struct RequestTests {
    @Test func cgiParametersBecomeLowercasedHeadersPathAndQuery() {
        let request = Request(cgi: [
            "REQUEST_METHOD": "POST", "DOCUMENT_URI": "/v1/keys", "QUERY_STRING": "a=1&b=two%20words&c=x+y&a=3",
            "HTTP_X_API_KEY": "k", "HTTP_ACCEPT_LANGUAGE": "en", "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": "12", "REQUEST_ID": "abc123", "REMOTE_ADDR": "127.0.0.1",
        ], makeRequestID: { "generated" })
        #expect(request.method == "POST")
        #expect(request.path == "/v1/keys")
        #expect(request.query == ["a": "3", "b": "two words", "c": "x y"])
        #expect(request.header("X-API-Key") == "k")
        #expect(request.header("accept-language") == "en")
        #expect(request.header("content-type") == "application/json")
        #expect(request.contentLength == 12)
        #expect(request.requestID == "abc123")
    }

    @Test func hostileRequestIDsAreReplacedNotEchoed() {
        for hostile in ["", "a b", "x\r\nSet-Cookie: y", String(repeating: "a", count: 200), "<script>"] {
            let request = Request(cgi: ["REQUEST_ID": hostile], makeRequestID: { "generated" })
            #expect(request.requestID == "generated", "\(hostile)")
        }
    }

    @Test func malformedPercentEscapesAreDropped() {
        #expect(QueryString.parse("a=%zz&b=%41") == ["b": "A"])
        #expect(QueryString.parse("=x&&c") == ["c": ""])
        #expect(QueryString.percentDecoded("%E2%82%AC") == "€")
        #expect(QueryString.percentDecoded("%FF") == nil)
    }
}
