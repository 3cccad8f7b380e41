import FastCGI

/// HTTP methods Parley routes on. Anything else is answered 405 (or 501 for unknown tokens) by the router.
public enum HTTPMethod: String, Sendable, CaseIterable, Comparable {
    case GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS

    public static func < (a: HTTPMethod, b: HTTPMethod) -> Bool { a.rawValue < b.rawValue }
}

/// The one HTTP request type, built from the CGI parameters nginx sends over FastCGI.
///
/// A plain value: it owns copies of everything it needs, so it never dangles after the FastCGI
/// exchange ends. The body is read separately (`Request.body`) once the route and its limit are known.
public struct Request: Sendable {
    public let method: String
    /// The decoded path without the query string (nginx's `$document_uri`).
    public let path: String
    public let query: [String: String]
    /// Header names lower-cased, as HTTP/1.1 treats them case-insensitively.
    public let headers: [String: String]
    public let requestID: String
    public let remoteAddress: String?
    public var body: [UInt8]

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
                requestID: String, remoteAddress: String? = nil, body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.requestID = requestID
        self.remoteAddress = remoteAddress
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Declared body length; nil when the client sent none (or sent garbage, which the body read rejects).
    public var contentLength: Int? { headers["content-length"].flatMap { Int($0) } }
}

extension Request {
    /// Builds the request from CGI parameters. The request id is nginx's `$request_id` when the site
    /// passes it (`fastcgi_param REQUEST_ID`), so nginx's access log and ours share one id.
    public init(cgi params: [String: String], makeRequestID: () -> String) {
        var headers: [String: String] = [:]
        for (name, value) in params where name.hasPrefix("HTTP_") {
            headers[String(name.dropFirst(5)).replacingUnderscores()] = value
        }
        if let type = params["CONTENT_TYPE"], !type.isEmpty { headers["content-type"] = type }
        if let length = params["CONTENT_LENGTH"], !length.isEmpty { headers["content-length"] = length }
        let uri = params["DOCUMENT_URI"] ?? params["SCRIPT_NAME"] ?? params["REQUEST_URI"].map { String($0.prefix { $0 != "?" }) } ?? "/"
        let supplied = params["REQUEST_ID"] ?? headers["x-request-id"]
        self.init(
            method: params["REQUEST_METHOD"] ?? "GET",
            path: uri.isEmpty ? "/" : uri,
            query: QueryString.parse(params["QUERY_STRING"] ?? ""),
            headers: headers,
            requestID: supplied.flatMap(RequestID.sanitized) ?? makeRequestID(),
            remoteAddress: params["REMOTE_ADDR"]
        )
    }
}

private extension String {
    /// `ACCEPT_LANGUAGE` → `accept-language`. Byte-wise: CGI names are ASCII, and this runs for
    /// every header of every request.
    func replacingUnderscores() -> String {
        String(decoding: utf8.map { byte in
            switch byte {
            case UInt8(ascii: "_"): UInt8(ascii: "-")
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte | 0x20
            default: byte
            }
        }, as: UTF8.self)
    }
}

/// Request ids travel into logs and response headers, so only a conservative alphabet is accepted
/// from outside; anything else is replaced by a generated id rather than echoed.
public enum RequestID {
    public static func sanitized(_ raw: String) -> String? {
        guard (1...128).contains(raw.utf8.count),
              raw.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7a) || $0 == 0x2d || $0 == 0x5f || $0 == 0x2e })
        else { return nil }
        return raw
    }
}
