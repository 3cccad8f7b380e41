/// Documentation attached to a route, from which the OpenAPI document is generated, so the document
/// cannot drift from the routes that actually exist.
public struct RouteDoc: Sendable {
    public var summary: String
    public var operationID: String
    public var tag: String
    /// The API-key scope the route requires, or nil for a public route.
    public var scope: String?
    /// A JSON request body's schema; routes with one refuse non-JSON bodies with 415.
    public var requestSchema: JSONValue?
    /// A non-JSON request body: the OpenAPI `content` object (media type to schema), e.g. uploads.
    public var requestContent: JSONValue?
    /// Query parameters: name, description, schema.
    public var queryParameters: [(name: String, description: String, schema: JSONValue)]
    public var responses: [(status: Int, description: String, schema: JSONValue?)]

    public init(summary: String, operationID: String, tag: String, scope: String? = nil,
                requestSchema: JSONValue? = nil, requestContent: JSONValue? = nil,
                queryParameters: [(name: String, description: String, schema: JSONValue)] = [],
                responses: [(status: Int, description: String, schema: JSONValue?)]) {
        self.summary = summary
        self.operationID = operationID
        self.tag = tag
        self.scope = scope
        self.requestSchema = requestSchema
        self.requestContent = requestContent
        self.queryParameters = queryParameters
        self.responses = responses
    }
}

/// A route as registered: method, path template (`/v1/keys/{id}`), handler and its documentation.
public struct Route<Context>: Sendable {
    public typealias Handler = @Sendable (Request, Parameters, Context) throws -> Response

    public let method: HTTPMethod
    public let template: String
    public let segments: [PathSegment]
    public let maxBodyBytes: Int?
    /// The handler reads the body itself, after authentication, because its limit depends on who
    /// is asking (uploads: the tenant's plan). The dispatcher then reads nothing up front.
    public let readsOwnBody: Bool
    public let doc: RouteDoc
    public let handler: Handler
}

public enum PathSegment: Sendable, Equatable {
    case literal(String)
    case parameter(String)
}

public enum RouterError: Error, CustomStringConvertible {
    case duplicate(String)
    case invalidTemplate(String)

    public var description: String {
        switch self {
        case .duplicate(let route): "route registered twice: \(route)"
        case .invalidTemplate(let template): "invalid route template: \(template)"
        }
    }
}

/// Collects routes, then freezes into an immutable `RouteTable` shared by every thread.
/// Registering the same method and path shape twice is a programming error caught at start-up.
public struct Router<Context> {
    private var routes: [Route<Context>] = []

    public init() {}

    public mutating func add(_ method: HTTPMethod, _ template: String, maxBodyBytes: Int? = nil, readsOwnBody: Bool = false,
                             doc: RouteDoc, handler: @escaping Route<Context>.Handler) {
        routes.append(Route(method: method, template: template, segments: Router.parse(template),
                            maxBodyBytes: maxBodyBytes, readsOwnBody: readsOwnBody, doc: doc, handler: handler))
    }

    public func freeze() throws -> RouteTable<Context> {
        var seen = Set<String>()
        for route in routes {
            guard route.template.hasPrefix("/"), !route.segments.contains(.literal("")) || route.template == "/" else {
                throw RouterError.invalidTemplate(route.template)
            }
            // Parameter names don't distinguish routes: /a/{x} and /a/{y} are the same shape.
            let shape = route.segments.map { if case .literal(let text) = $0 { text } else { "{}" } }.joined(separator: "/")
            guard seen.insert("\(route.method.rawValue) /\(shape)").inserted else {
                throw RouterError.duplicate("\(route.method.rawValue) \(route.template)")
            }
        }
        return RouteTable(routes: routes)
    }

    static func parse(_ template: String) -> [PathSegment] {
        template.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            if part.hasPrefix("{"), part.hasSuffix("}"), part.count > 2 {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(String(part))
        }
    }
}

/// The frozen route table. Matching prefers the route with the most literal segments, so
/// `/v1/keys/usage` wins over `/v1/keys/{id}` whatever the registration order.
public struct RouteTable<Context>: Sendable {
    public let routes: [Route<Context>]

    public enum Match {
        case found(Route<Context>, Parameters)
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    public func match(method: String, path: String) -> Match {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        var best: (route: Route<Context>, parameters: Parameters, literals: Int)?
        var allowed = Set<HTTPMethod>()
        for route in routes {
            guard let (parameters, literals) = Self.bind(route.segments, to: parts) else { continue }
            allowed.insert(route.method)
            if route.method.rawValue == method || (method == "HEAD" && route.method == .GET),
               literals > (best?.literals ?? -1) {
                best = (route, parameters, literals)
            }
        }
        if let best { return .found(best.route, best.parameters) }
        if allowed.isEmpty { return .notFound }
        if allowed.contains(.GET) { allowed.insert(.HEAD) }
        return .methodNotAllowed(allowed: allowed.sorted().map(\.rawValue))
    }

    private static func bind(_ segments: [PathSegment], to parts: ArraySlice<Substring>) -> (Parameters, Int)? {
        guard segments.count == parts.count else { return nil }
        var values: [String: String] = [:]
        var literals = 0
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text):
                guard text == part else { return nil }
                literals += 1
            case .parameter(let name):
                guard !part.isEmpty else { return nil }
                values[name] = String(part)
            }
        }
        return (Parameters(values), literals)
    }
}

/// Path parameters of a matched route.
public struct Parameters: Sendable {
    private let values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    public subscript(name: String) -> String? { values[name] }

    /// The parameter, or a 400 naming it. Route templates guarantee presence, so a miss means the
    /// handler asked for a name its template does not have.
    public func require(_ name: String) throws(Problem) -> String {
        guard let value = values[name] else { throw Problem.badRequest("Missing path parameter '\(name)'.") }
        return value
    }
}
