/// An RFC 9457 problem: the one shape every API error takes.
///
/// `type` is a stable slug (rendered as `/problems/<slug>`, a URI reference clients can switch on);
/// `detail` is for humans; extensions carry machine-readable specifics (e.g. the allowed methods).
/// The request id is added when the problem is rendered, so every error can be traced to its log line.
public struct Problem: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var type: String
    public var title: String
    public var detail: String
    public var headers: [(String, String)]
    public var extensions: [(String, JSONValue)]

    public init(status: Int, type: String, title: String, detail: String,
                headers: [(String, String)] = [], extensions: [(String, JSONValue)] = []) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.headers = headers
        self.extensions = extensions
    }

    public var description: String { "\(status) \(type): \(detail)" }

    public func response(requestID: String, instance: String? = nil) -> Response {
        var members: [(String, JSONValue)] = [
            ("type", .string("/problems/\(type)")),
            ("title", .string(title)),
            ("status", .number(Double(status))),
            ("detail", .string(detail)),
        ]
        if let instance { members.append(("instance", .string(instance))) }
        members.append(("request_id", .string(requestID)))
        members += extensions
        var response = Response(status: status, headers: headers, body: .bytes(JSONValue.object(members).serialized()))
        response.setHeader("Content-Type", "application/problem+json")
        return response
    }
}

extension Problem {
    public static func badRequest(_ detail: String, type: String = "bad-request") -> Problem {
        Problem(status: 400, type: type, title: "Bad request", detail: detail)
    }

    public static func unauthorized(_ detail: String) -> Problem {
        // RFC 6750: a 401 names the scheme the client should use.
        Problem(status: 401, type: "unauthorized", title: "Unauthorized", detail: detail,
                headers: [("WWW-Authenticate", "Bearer realm=\"parley\"")])
    }

    public static func forbidden(_ detail: String, type: String = "forbidden") -> Problem {
        Problem(status: 403, type: type, title: "Forbidden", detail: detail)
    }

    public static func notFound(_ detail: String) -> Problem {
        Problem(status: 404, type: "not-found", title: "Not found", detail: detail)
    }

    public static func methodNotAllowed(_ method: String, allowed: [String]) -> Problem {
        Problem(status: 405, type: "method-not-allowed", title: "Method not allowed",
                detail: "\(method) is not allowed here; use \(allowed.joined(separator: ", ")).",
                headers: [("Allow", allowed.joined(separator: ", "))],
                extensions: [("allowed_methods", .array(allowed.map { .string($0) }))])
    }

    public static func conflict(_ detail: String) -> Problem {
        Problem(status: 409, type: "conflict", title: "Conflict", detail: detail)
    }

    public static func payloadTooLarge(limit: Int) -> Problem {
        Problem(status: 413, type: "payload-too-large", title: "Payload too large",
                detail: "The request body is larger than the \(limit)-byte limit for this route.",
                extensions: [("limit_bytes", .number(Double(limit)))])
    }

    public static func unsupportedMediaType(_ detail: String) -> Problem {
        Problem(status: 415, type: "unsupported-media-type", title: "Unsupported media type", detail: detail)
    }

    public static func unprocessable(_ detail: String, type: String = "validation-failed") -> Problem {
        Problem(status: 422, type: type, title: "Unprocessable content", detail: detail)
    }

    public static func serviceUnavailable(_ detail: String, retryAfter: Int = 1) -> Problem {
        Problem(status: 503, type: "unavailable", title: "Service unavailable", detail: detail,
                headers: [("Retry-After", String(retryAfter))])
    }

    public static func internalError() -> Problem {
        Problem(status: 500, type: "internal", title: "Internal server error",
                detail: "Something went wrong on our side. Quote the request id if you contact support.")
    }
}
