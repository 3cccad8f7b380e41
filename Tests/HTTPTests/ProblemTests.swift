import FoundationEssentials
import Glibc
import Testing
@testable import HTTP

@Suite struct ProblemTests {
    struct Body: Decodable {
        let name: String
        let scopes: [String]
        let nested: Nested?
        struct Nested: Decodable { let count: Int }
    }

    func detail(_ json: String) -> String? {
        do {
            _ = try JSON.decode(Body.self, from: Array(json.utf8))
            return nil
        } catch {
            #expect(error.status == 400)
            #expect(error.type == "malformed-json")
            return error.detail
        }
    }

    @Test func decodingErrorsNameTheField() {
        #expect(detail(#"{"scopes": []}"#) == "Field 'name' is required.")
        #expect(detail(#"{"name": 5, "scopes": []}"#) == "Field 'name' has the wrong type: expected a string.")
        #expect(detail(#"{"name": "a", "scopes": [1]}"#) == "Field 'scopes[0]' has the wrong type: expected a string.")
        #expect(detail(#"{"name": "a", "scopes": [], "nested": {"count": "x"}}"#) == "Field 'nested.count' has the wrong type: expected an integer.")
        #expect(detail(#"{"name": null, "scopes": []}"#) == "Field 'name' must not be null: expected a string.")
        #expect(detail("{not json") == "The request body is not valid JSON.")
        #expect(detail("") == "The request body is empty; a JSON object was expected.")
        #expect(detail(#"{"name": "a", "scopes": []}"#) == nil)
    }

    @Test func problemRendersAsProblemJSONWithTheRequestID() throws {
        let response = Problem.methodNotAllowed("PUT", allowed: ["GET", "POST"]).response(requestID: "req-1", instance: "/v1/keys")
        #expect(response.status == 405)
        #expect(response.header("content-type") == "application/problem+json")
        #expect(response.header("Allow") == "GET, POST")
        let object = try JSONDecoder().decode(JSONValue.self, from: Data(response.bodyBytes))
        #expect(object["type"] == "/problems/method-not-allowed")
        #expect(object["status"] == 405)
        #expect(object["request_id"] == "req-1")
        #expect(object["instance"] == "/v1/keys")
        #expect(object["allowed_methods"] == ["GET", "POST"])
    }

    @Test func jsonValueEscapesControlCharactersAndQuotes() throws {
        let value: JSONValue = ["text": "a\"b\\c\nd\u{01}é", "n": 1.5, "i": 3, "list": [true, nil]]
        let text = String(decoding: value.serialized(), as: UTF8.self)
        #expect(text == #"{"text":"a\"b\\c\nd\u0001é","n":1.5,"i":3,"list":[true,null]}"#)
        let parsed = try JSONDecoder().decode(JSONValue.self, from: Data(value.serialized()))
        #expect(parsed["text"] == "a\"b\\c\nd\u{01}é")
    }

    @Test func requestLogLineIsOneJSONObjectWithoutSecrets() throws {
        let log = RequestLog(time: "2026-01-01T00:00:00.000Z", requestID: "r1", tenantID: nil, method: "GET",
                             route: "/v1/keys/{id}", status: 503, durationMilliseconds: 1.23456)
        let line = log.line
        #expect(line.last == 0x0a)
        #expect(line.filter { $0 == 0x0a }.count == 1)
        let object = try JSONDecoder().decode(JSONValue.self, from: Data(line.dropLast()))
        #expect(object["level"] == "error")
        #expect(object["route"] == "/v1/keys/{id}")
        #expect(object["duration_ms"] == 1.235)
        #expect(object["tenant_id"] == .null)
    }

    @Test func rfc3339TimestampsAreUTCWithMilliseconds() {
        #expect(Clock.rfc3339(0) == "1970-01-01T00:00:00.000Z")
        #expect(Clock.rfc3339(1_700_000_000.25) == "2023-11-14T22:13:20.250Z")
    }
}

@Suite struct LogBufferTests {
    /// Reads what has reached the pipe so far (non-blocking).
    func drain(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func linesWaitForAFlushThenLeaveWholeAndInOrder() {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        let buffer = LogBuffer(fd: fds[1])
        buffer.append(Array("one\n".utf8), now: 10)
        buffer.append(Array("two\n".utf8), now: 10.05)
        #expect(drain(fds[0]) == "", "batched, not written per line")
        buffer.flush()
        #expect(drain(fds[0]) == "one\ntwo\n")
        buffer.append(Array("old\n".utf8), now: 20)
        buffer.append(Array("new\n".utf8), now: 20.2)
        #expect(drain(fds[0]) == "old\nnew\n", "a line older than 100 ms forces the batch out")
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 2000) + [0x0a]
        buffer.append(long, now: 30)
        buffer.append(long, now: 30)
        #expect(drain(fds[0]).count == 2001, "the batch never grows past the pipe-atomic size")
        buffer.flush()
        #expect(drain(fds[0]).count == 2001)
    }
}
