/// A FastCGI responder's answer, as the client half of this module sees it.
public struct FastCGIResponse: Sendable {
    /// From the CGI `Status:` header; 200 when the application sent none (the CGI default).
    public var status: Int
    /// Response headers in order, without `Status`.
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Anything the application wrote to FCGI_STDERR (nginx would log it).
    public var stderr: [UInt8]
    /// END_REQUEST's application status (libfcgi sends 0).
    public var appStatus: UInt32

    public init(status: Int, headers: [(String, String)], body: [UInt8], stderr: [UInt8] = [], appStatus: UInt32 = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.stderr = stderr
        self.appStatus = appStatus
    }

    /// First header with this name, compared case-insensitively like HTTP.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.0.lowercased() == wanted }?.1
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Splits CGI output ("Name: value" lines, blank line, body). Accepts bare LF line ends, which
    /// nginx also accepts from upstreams.
    public static func parse(stdout: [UInt8], stderr: [UInt8] = [], appStatus: UInt32 = 0)
        throws(FastCGIClientError) -> FastCGIResponse
    {
        guard let (headEnd, bodyStart) = headBoundary(stdout) else { throw .malformedResponseHead }
        var status = 200
        var headers: [(String, String)] = []
        // Split on bytes: in Swift "\r\n" is one Character, so String.split(separator: "\n")
        // would not see CRLF line ends.
        for rawLine in stdout[0..<headEnd].split(separator: UInt8(ascii: "\n")) {
            let lineBytes = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
            if lineBytes.isEmpty { continue }
            let line = String(decoding: lineBytes, as: UTF8.self)
            guard let colon = line.firstIndex(of: ":") else { throw .malformedResponseHead }
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
            if name.lowercased() == "status" {
                guard let code = Int(value.prefix(3)), (100...999).contains(code) else {
                    throw .malformedResponseHead
                }
                status = code
            } else {
                headers.append((name, value))
            }
        }
        return FastCGIResponse(
            status: status, headers: headers, body: Array(stdout[bodyStart...]), stderr: stderr,
            appStatus: appStatus)
    }

    private static func headBoundary(_ bytes: [UInt8]) -> (Int, Int)? {
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n") {
                    return (index, index + 2)
                }
                if index + 2 < bytes.count && bytes[index + 1] == UInt8(ascii: "\r")
                    && bytes[index + 2] == UInt8(ascii: "\n")
                {
                    return (index, index + 3)
                }
            }
            index += 1
        }
        return nil
    }
}

/// Why a client exchange failed.
public enum FastCGIClientError: Error, Equatable, Sendable, CustomStringConvertible {
    case socketPathTooLong(String)
    case connectFailed(path: String, code: Int32)
    case timedOut
    /// The application closed the connection before END_REQUEST.
    case connectionClosed
    case io(call: String, code: Int32)
    case protocolError(FastCGIRecordError)
    /// END_REQUEST with a protocol status other than REQUEST_COMPLETE (busy, can't multiplex...).
    case requestRejected(protocolStatus: UInt8)
    case responseTooLarge(limit: Int)
    case malformedResponseHead

    public var description: String {
        switch self {
        case .socketPathTooLong(let path): return "socket path is too long: \(path)"
        case .connectFailed(let path, let code): return "cannot connect to \(path): \(errnoDescription(code))"
        case .timedOut: return "timed out waiting for the FastCGI application"
        case .connectionClosed: return "the application closed the connection before ending the request"
        case .io(let call, let code): return "\(call) failed: \(errnoDescription(code))"
        case .protocolError(let error): return "malformed FastCGI record: \(error)"
        case .requestRejected(let status): return "request rejected with FastCGI protocol status \(status)"
        case .responseTooLarge(let limit): return "response exceeds \(limit) bytes"
        case .malformedResponseHead: return "response does not start with valid CGI headers"
        }
    }
}
