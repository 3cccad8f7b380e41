import HTTP

/// Turns one request into one response: route, body limits, handler, errors as problems, the
/// request id header and the log line. Socket-free, so App tests drive it directly.
public struct Dispatcher: Sendable {
    public enum BodySource {
        case bytes([UInt8])
        case tooLarge
        case unreadable
    }

    public let table: RouteTable<RequestContext>
    public let configuration: Configuration

    public init(table: RouteTable<RequestContext>, configuration: Configuration) {
        self.table = table
        self.configuration = configuration
    }

    /// `readBody` is called at most once, with the route's limit, and only for a matched route:
    /// unknown routes and oversized declared lengths are refused without reading.
    public func respond(to request: Request, context: RequestContext, readBody: (Int) -> BodySource) -> (Response, RequestLog) {
        let started = Clock.monotonicSeconds()
        var request = request
        var routeTemplate = "(unmatched)"
        var logDetail: String?
        var response: Response
        do {
            switch table.match(method: request.method, path: request.path) {
            case .notFound:
                throw Problem.notFound("No route for \(request.method) \(request.path).")
            case .methodNotAllowed(let allowed):
                throw Problem.methodNotAllowed(request.method, allowed: allowed)
            case .found(let route, let parameters):
                routeTemplate = route.template
                if route.readsOwnBody {
                    // The handler reads after authentication, inside this call, with its own limit.
                    response = try withoutActuallyEscaping(readBody) { reader in
                        context.bodyReader = { limit in try self.body(for: request, limit: limit, requiresJSON: false, readBody: reader) }
                        defer { context.bodyReader = nil }
                        return try route.handler(request, parameters, context)
                    }
                } else {
                    request.body = try body(for: request, limit: route.maxBodyBytes ?? configuration.maxBodyBytes,
                                            requiresJSON: route.doc.requestSchema != nil, readBody: readBody)
                    response = try route.handler(request, parameters, context)
                }
            }
        } catch {
            let mapped = ErrorMapping.problem(for: error)
            logDetail = mapped.logDetail
            response = mapped.problem.response(requestID: request.requestID, instance: request.path)
        }
        response.setHeader("X-Request-ID", request.requestID)
        let log = RequestLog(time: Clock.rfc3339(), requestID: request.requestID, tenantID: context.tenantID,
                             method: request.method, route: routeTemplate, status: response.status,
                             durationMilliseconds: (Clock.monotonicSeconds() - started) * 1000, error: logDetail)
        return (response, log)
    }

    private func body(for request: Request, limit: Int, requiresJSON: Bool, readBody: (Int) -> BodySource) throws -> [UInt8] {
        if let declared = request.header("content-length") {
            guard let length = Int(declared), length >= 0 else { throw Problem.badRequest("Content-Length is not a number.") }
            if length > limit { throw Problem.payloadTooLarge(limit: limit) }
            if length == 0 { return [] }
        } else if request.method == "GET" || request.method == "HEAD" || request.method == "DELETE" {
            return []
        }
        let bytes: [UInt8]
        switch readBody(limit) {
        case .bytes(let read): bytes = read
        case .tooLarge: throw Problem.payloadTooLarge(limit: limit)
        case .unreadable: throw Problem.badRequest("The request body could not be read completely.")
        }
        if !bytes.isEmpty, requiresJSON {
            let type = request.header("content-type")?.lowercased() ?? ""
            guard type.hasPrefix("application/json") || (type.hasPrefix("application/") && type.contains("+json")) else {
                throw Problem.unsupportedMediaType("Send the body as JSON with 'Content-Type: application/json'.")
            }
        }
        return bytes
    }
}
