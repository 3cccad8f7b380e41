/// Turns a byte stream into records, fed incrementally as bytes arrive from a socket.
///
/// Rejects a bad version or an over-limit content length as soon as the header is in, so a peer
/// that is not speaking FastCGI (an HTTP server on the wrong socket, say) fails fast instead of
/// making us buffer. Memory is bounded by one record (8 + 65,535 + 255 bytes). After the first
/// error every call throws it again: framing is lost and the connection must be dropped.
public struct FastCGIRecordDecoder: Sendable {
    public let maxContentLength: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var failure: FastCGIRecordError?

    public init(maxContentLength: Int = FastCGIRecord.maxContentLength) {
        self.maxContentLength = maxContentLength
    }

    /// Bytes received but not yet returned as a record.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete record, or nil when more bytes are needed.
    public mutating func nextRecord() throws(FastCGIRecordError) -> FastCGIRecord? {
        if let failure { throw failure }
        let available = buffer.count - readIndex
        guard available >= 1 else { return nil }
        guard buffer[readIndex] == FastCGIRecord.version else {
            return try fail(.unsupportedVersion(buffer[readIndex]))
        }
        guard available >= FastCGIRecord.headerLength else { return nil }
        let header = readIndex
        let contentLength = Int(buffer[header + 4]) << 8 | Int(buffer[header + 5])
        guard contentLength <= maxContentLength else { return try fail(.oversize(contentLength)) }
        let paddingLength = Int(buffer[header + 6])
        let total = FastCGIRecord.headerLength + contentLength + paddingLength
        guard available >= total else { return nil }
        let contentStart = header + FastCGIRecord.headerLength
        let record = FastCGIRecord(
            decodedType: .init(rawValue: buffer[header + 1]),
            requestID: UInt16(buffer[header + 2]) << 8 | UInt16(buffer[header + 3]),
            content: Array(buffer[contentStart..<contentStart + contentLength]),
            paddingLength: UInt8(paddingLength))
        readIndex += total
        return record
    }

    /// Call at end of input: throws `.truncated` when a partial record is left over.
    public func finish() throws(FastCGIRecordError) {
        if let failure { throw failure }
        if bufferedByteCount > 0 { throw .truncated(bufferedBytes: bufferedByteCount) }
    }

    private mutating func fail(_ error: FastCGIRecordError) throws(FastCGIRecordError) -> FastCGIRecord? {
        failure = error
        throw error
    }
}

extension FastCGIRecord {
    /// Memberwise init for the decoder, whose lengths are already bounded by the header.
    fileprivate init(decodedType type: RecordType, requestID: UInt16, content: [UInt8], paddingLength: UInt8) {
        self.init(unchecked: type, requestID: requestID, content: content)
        self.paddingLength = paddingLength
    }
}
