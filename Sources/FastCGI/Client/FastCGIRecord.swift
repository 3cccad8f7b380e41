/// One FastCGI record (protocol version 1): an 8-byte header, up to 65,535 content bytes and up to
/// 255 padding bytes.
///
/// The worker side uses libfcgi for the wire; this type exists for the client half of the module
/// (`fastCGIRoundTrip`, `parley doctor`, tests), which must speak the protocol without libfcgi's
/// server-only API. Value type, `Sendable`, owns its content bytes.
public struct FastCGIRecord: Equatable, Sendable {
    /// Record types from the FastCGI 1.0 specification. A struct rather than an enum so that an
    /// unknown type decodes instead of failing: the spec says peers answer it with UNKNOWN_TYPE.
    public struct RecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public static let beginRequest = RecordType(rawValue: 1)
        public static let abortRequest = RecordType(rawValue: 2)
        public static let endRequest = RecordType(rawValue: 3)
        public static let params = RecordType(rawValue: 4)
        public static let stdin = RecordType(rawValue: 5)
        public static let stdout = RecordType(rawValue: 6)
        public static let stderr = RecordType(rawValue: 7)
        public static let data = RecordType(rawValue: 8)
        public static let getValues = RecordType(rawValue: 9)
        public static let getValuesResult = RecordType(rawValue: 10)
        public static let unknownType = RecordType(rawValue: 11)

        public var description: String {
            let names = ["", "BEGIN_REQUEST", "ABORT_REQUEST", "END_REQUEST", "PARAMS", "STDIN", "STDOUT",
                         "STDERR", "DATA", "GET_VALUES", "GET_VALUES_RESULT", "UNKNOWN_TYPE"]
            let index = Int(rawValue)
            return index > 0 && index < names.count ? names[index] : "type \(rawValue)"
        }
    }

    public static let version: UInt8 = 1
    public static let headerLength = 8
    public static let maxContentLength = 65_535

    /// Roles in BEGIN_REQUEST; Parley only ever uses `responder`.
    public static let roleResponder: UInt16 = 1
    /// BEGIN_REQUEST flag asking the application to keep the connection open after the response.
    public static let flagKeepConnection: UInt8 = 1

    public var type: RecordType
    public var requestID: UInt16
    public var content: [UInt8]
    public var paddingLength: UInt8

    /// `paddingLength: nil` pads the record to a multiple of 8 bytes, as the spec recommends.
    public init(type: RecordType, requestID: UInt16, content: [UInt8] = [], paddingLength: UInt8? = nil)
        throws(FastCGIRecordError)
    {
        guard content.count <= Self.maxContentLength else { throw .oversize(content.count) }
        self.type = type
        self.requestID = requestID
        self.content = content
        self.paddingLength = paddingLength ?? UInt8((8 - content.count % 8) % 8)
    }

    /// Header, content and zeroed padding, ready to write.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        encode(into: &bytes)
        return bytes
    }

    public func encode(into bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + Self.headerLength + content.count + Int(paddingLength))
        bytes += [
            Self.version, type.rawValue,
            UInt8(requestID >> 8), UInt8(requestID & 0xFF),
            UInt8(content.count >> 8), UInt8(content.count & 0xFF),
            paddingLength, 0,
        ]
        bytes += content
        bytes += repeatElement(0, count: Int(paddingLength))
    }

    /// A whole stream (PARAMS, STDIN...) as records of at most 65,528 bytes each, followed by the
    /// empty record that ends the stream.
    public static func stream(_ type: RecordType, requestID: UInt16, bytes: [UInt8]) -> [FastCGIRecord] {
        // 65,528 keeps every chunk 8-aligned, so no chunk but the last needs padding.
        let chunkLength = 65_528
        var records: [FastCGIRecord] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + chunkLength, bytes.count)
            records.append(FastCGIRecord(unchecked: type, requestID: requestID, content: Array(bytes[start..<end])))
            start = end
        }
        records.append(FastCGIRecord(unchecked: type, requestID: requestID, content: []))
        return records
    }

    /// For callers that already bounded `content`.
    init(unchecked type: RecordType, requestID: UInt16, content: [UInt8]) {
        self.type = type
        self.requestID = requestID
        self.content = content
        self.paddingLength = UInt8((8 - content.count % 8) % 8)
    }
}

extension FastCGIRecord {
    /// BEGIN_REQUEST for the responder role.
    public static func beginRequest(requestID: UInt16, keepConnection: Bool) -> FastCGIRecord {
        let flags = keepConnection ? flagKeepConnection : 0
        let role = roleResponder
        return FastCGIRecord(
            unchecked: .beginRequest, requestID: requestID,
            content: [UInt8(role >> 8), UInt8(role & 0xFF), flags, 0, 0, 0, 0, 0])
    }

    /// END_REQUEST as an application sends it: 4-byte app status, 1-byte protocol status.
    public static func endRequest(requestID: UInt16, appStatus: UInt32, protocolStatus: UInt8) -> FastCGIRecord {
        FastCGIRecord(
            unchecked: .endRequest, requestID: requestID,
            content: [
                UInt8(appStatus >> 24), UInt8((appStatus >> 16) & 0xFF), UInt8((appStatus >> 8) & 0xFF),
                UInt8(appStatus & 0xFF), protocolStatus, 0, 0, 0,
            ])
    }

    /// The (appStatus, protocolStatus) pair of an END_REQUEST record.
    public func endRequestBody() throws(FastCGIRecordError) -> (appStatus: UInt32, protocolStatus: UInt8) {
        guard type == .endRequest, content.count == 8 else {
            throw .malformedBody(type: type.rawValue, length: content.count)
        }
        let appStatus = UInt32(content[0]) << 24 | UInt32(content[1]) << 16 | UInt32(content[2]) << 8
            | UInt32(content[3])
        return (appStatus, content[4])
    }

    /// The (role, keepConnection) pair of a BEGIN_REQUEST record.
    public func beginRequestBody() throws(FastCGIRecordError) -> (role: UInt16, keepConnection: Bool) {
        guard type == .beginRequest, content.count == 8 else {
            throw .malformedBody(type: type.rawValue, length: content.count)
        }
        return (UInt16(content[0]) << 8 | UInt16(content[1]), content[2] & Self.flagKeepConnection != 0)
    }
}

/// Why bytes are not valid FastCGI. Thrown by the decoder and the record helpers; the decoder
/// keeps throwing the same error after the first one, because the stream has lost framing.
public enum FastCGIRecordError: Error, Equatable, Sendable {
    /// Only version 1 exists.
    case unsupportedVersion(UInt8)
    /// The input ended inside a record (`bufferedBytes` were left over).
    case truncated(bufferedBytes: Int)
    /// Content longer than the wire allows (65,535) or than the decoder was told to accept.
    case oversize(Int)
    /// A name-value pair whose lengths run past the end of the content.
    case malformedNameValuePair
    /// BEGIN_REQUEST / END_REQUEST content that is not the fixed 8 bytes.
    case malformedBody(type: UInt8, length: Int)
}
