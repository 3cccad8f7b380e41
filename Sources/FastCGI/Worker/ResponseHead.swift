/// The CGI response head a FastCGI responder sends: `Status: 200 OK`, header lines, blank line.
///
/// nginx turns `Status:` into the HTTP status line. Names are cut down to token characters and CR,
/// LF and NUL in values become spaces here, at the last point before the wire, so that text echoed
/// from a request can never split the head (response splitting), whichever layer forgot to check.
enum ResponseHead {
    /// Built directly as bytes: it runs for every response, and filtering names through Unicode
    /// scalars showed up in profiles. A name's non-token bytes (any non-ASCII byte included) are
    /// dropped; a value's CR, LF and NUL bytes become spaces (UTF-8 never uses them inside a
    /// multi-byte character, so the rest of the value stays valid).
    static func encode(status: Int, headers: [(String, String)]) -> [UInt8] {
        let code = (100...999).contains(status) ? status : 500
        var head: [UInt8] = []
        head.reserveCapacity(64 + headers.count * 48)
        head += "Status: \(code) \(reasonPhrase(code))\r\n".utf8
        for (name, value) in headers {
            let start = head.count
            head += name.utf8.lazy.filter(isTokenByte)
            guard head.count > start else { continue }
            head += [UInt8(ascii: ":"), UInt8(ascii: " ")]
            head += value.utf8.lazy.map { $0 == 0x0D || $0 == 0x0A || $0 == 0 ? UInt8(ascii: " ") : $0 }
            head += [0x0D, 0x0A]
        }
        head += [0x0D, 0x0A]
        return head
    }

    /// RFC 9110 `tchar`: anything else in a field name is dropped.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 402: return "Payment Required"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 411: return "Length Required"
        case 412: return "Precondition Failed"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 416: return "Range Not Satisfiable"
        case 422: return "Unprocessable Content"
        case 425: return "Too Early"
        case 428: return "Precondition Required"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 451: return "Unavailable For Legal Reasons"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Status \(status)"
        }
    }
}
