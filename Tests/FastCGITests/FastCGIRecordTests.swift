import Testing
@testable import FastCGI

@Suite struct FastCGIRecordTests {
    @Test func recordRoundTripsThroughDecoder() throws {
        let records = [
            FastCGIRecord.beginRequest(requestID: 1, keepConnection: true),
            try FastCGIRecord(type: .params, requestID: 1, content: Array("abc".utf8)),
            try FastCGIRecord(type: .stdin, requestID: 1),
            try FastCGIRecord(type: .stdout, requestID: 258, content: Array(repeating: 7, count: 1000)),
            FastCGIRecord.endRequest(requestID: 258, appStatus: 0x0102_0304, protocolStatus: 3),
        ]
        var decoder = FastCGIRecordDecoder()
        decoder.feed(records.flatMap { $0.encoded() })
        var decoded: [FastCGIRecord] = []
        while let record = try decoder.nextRecord() { decoded.append(record) }
        try decoder.finish()
        #expect(decoded == records)
        #expect(try decoded[0].beginRequestBody() == (role: 1, keepConnection: true))
        let end = try decoded[4].endRequestBody()
        #expect(end.appStatus == 0x0102_0304 && end.protocolStatus == 3)
    }

    @Test func headerLayoutMatchesSpecification() throws {
        let record = try FastCGIRecord(type: .stdout, requestID: 0x1234, content: [1, 2, 3, 4, 5])
        #expect(record.encoded() == [1, 6, 0x12, 0x34, 0, 5, 3, 0, 1, 2, 3, 4, 5, 0, 0, 0])
    }

    @Test func paddingAlignsToEightBytesAndExplicitPaddingIsSkipped() throws {
        #expect(try FastCGIRecord(type: .stdout, requestID: 1, content: Array(repeating: 0, count: 8)).paddingLength == 0)
        #expect(try FastCGIRecord(type: .stdout, requestID: 1, content: Array(repeating: 0, count: 9)).paddingLength == 7)
        let padded = try FastCGIRecord(type: .stdout, requestID: 1, content: [9], paddingLength: 200)
        #expect(padded.encoded().count == 8 + 1 + 200)
        var decoder = FastCGIRecordDecoder()
        decoder.feed(padded.encoded() + FastCGIRecord.endRequest(requestID: 1, appStatus: 0, protocolStatus: 0).encoded())
        #expect(try decoder.nextRecord()?.content == [9])
        #expect(try decoder.nextRecord()?.type == .endRequest)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func nameValueLengthsSwitchToFourBytesAt128() throws {
        let short = FastCGIRecord.encodeNameValuePairs([("A", String(repeating: "x", count: 127))])
        #expect(Array(short.prefix(2)) == [1, 127])
        #expect(short.count == 2 + 1 + 127)

        let long = FastCGIRecord.encodeNameValuePairs([("A", String(repeating: "x", count: 128))])
        #expect(Array(long.prefix(5)) == [1, 0x80, 0, 0, 128])
        #expect(long.count == 5 + 1 + 128)

        let longName = String(repeating: "N", count: 300)
        let huge = String(repeating: "v", count: 70_000)
        let bytes = FastCGIRecord.encodeNameValuePairs([(longName, huge)])
        #expect(Array(bytes.prefix(8)) == [0x80, 0, 0x01, 0x2C, 0x80, 0x01, 0x11, 0x70])

        let pairs = [("", ""), ("A", String(repeating: "x", count: 127)), ("B", String(repeating: "y", count: 128)),
                     (longName, huge), ("HTTP_ACCEPT", "text/héllo")]
        let decoded = try FastCGIRecord.decodeNameValuePairs(FastCGIRecord.encodeNameValuePairs(pairs))
        #expect(decoded.map(\.0) == pairs.map(\.0))
        #expect(decoded.map(\.1) == pairs.map(\.1))
    }

    @Test func longStreamsAreSplitIntoBoundedRecordsAndTerminated() {
        let records = FastCGIRecord.stream(.stdin, requestID: 1, bytes: Array(repeating: 1, count: 200_000))
        #expect(records.count == 5)
        #expect(records.allSatisfy { $0.content.count <= FastCGIRecord.maxContentLength })
        #expect(records.dropLast().reduce(0) { $0 + $1.content.count } == 200_000)
        #expect(records.last?.content.isEmpty == true)
        #expect(FastCGIRecord.stream(.params, requestID: 1, bytes: []).count == 1)
    }

    @Test func oversizeContentIsRejected() {
        #expect(throws: FastCGIRecordError.oversize(65_536)) {
            try FastCGIRecord(type: .stdout, requestID: 1, content: Array(repeating: 0, count: 65_536))
        }
        var decoder = FastCGIRecordDecoder(maxContentLength: 16)
        // Only the header has arrived: the length alone is enough to refuse.
        decoder.feed([1, 6, 0, 1, 0, 100, 0, 0])
        #expect(throws: FastCGIRecordError.oversize(100)) { try decoder.nextRecord() }
    }

    @Test func badVersionIsRejectedAndStaysRejected() {
        var decoder = FastCGIRecordDecoder()
        decoder.feed(Array("HTTP/1.1 200 OK\r\n".utf8))
        #expect(throws: FastCGIRecordError.unsupportedVersion(UInt8(ascii: "H"))) { try decoder.nextRecord() }
        decoder.feed(FastCGIRecord.endRequest(requestID: 1, appStatus: 0, protocolStatus: 0).encoded())
        #expect(throws: FastCGIRecordError.unsupportedVersion(UInt8(ascii: "H"))) { try decoder.nextRecord() }
    }

    @Test func truncatedInputIsReportedAtFinish() throws {
        let bytes = try FastCGIRecord(type: .stdout, requestID: 1, content: Array(repeating: 5, count: 20)).encoded()
        var decoder = FastCGIRecordDecoder()
        decoder.feed(bytes.dropLast(3))
        #expect(try decoder.nextRecord() == nil)
        #expect(throws: FastCGIRecordError.truncated(bufferedBytes: bytes.count - 3)) { try decoder.finish() }
    }

    @Test func malformedPairsAndBodiesAreRejected() throws {
        #expect(throws: FastCGIRecordError.malformedNameValuePair) {
            try FastCGIRecord.decodeNameValuePairs([5, 1, 65, 66])
        }
        #expect(throws: FastCGIRecordError.malformedNameValuePair) {
            try FastCGIRecord.decodeNameValuePairs([0x80, 0, 1])
        }
        #expect(throws: FastCGIRecordError.malformedNameValuePair) {
            try FastCGIRecord.decodeNameValuePairs([1])
        }
        let shortEnd = try FastCGIRecord(type: .endRequest, requestID: 1, content: [0, 0, 0, 0, 0])
        #expect(throws: FastCGIRecordError.malformedBody(type: 3, length: 5)) { try shortEnd.endRequestBody() }
    }

    @Test func bytesFedOneAtATimeYieldTheSameRecords() throws {
        let records = [
            try FastCGIRecord(type: .stdout, requestID: 1, content: Array("Status: 200 OK\r\n\r\nhi".utf8)),
            try FastCGIRecord(type: .stderr, requestID: 1, content: Array("warn".utf8)),
            FastCGIRecord.endRequest(requestID: 1, appStatus: 0, protocolStatus: 0),
        ]
        var decoder = FastCGIRecordDecoder()
        var decoded: [FastCGIRecord] = []
        for byte in records.flatMap({ $0.encoded() }) {
            decoder.feed([byte])
            while let record = try decoder.nextRecord() { decoded.append(record) }
        }
        #expect(decoded == records)
        try decoder.finish()
    }

    @Test func unknownRecordTypesDecodeInsteadOfFailing() throws {
        var decoder = FastCGIRecordDecoder()
        decoder.feed([1, 42, 0, 1, 0, 0, 0, 0])
        #expect(try decoder.nextRecord()?.type == FastCGIRecord.RecordType(rawValue: 42))
    }
}
