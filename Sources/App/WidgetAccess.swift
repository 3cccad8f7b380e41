import Answer
import HTTP
import Store

/// A request to a public widget endpoint that passed the widget and Origin checks. There is no
/// key: the widget row names the tenant, and the audience is always public.
struct PublicWidgetContext {
    let widget: PublicWidget
    /// The caller's Origin header when one was sent (and allowed): echoed in CORS headers.
    let origin: String?
    let base: RequestContext

    var tenantID: String { widget.tenantID }

    func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        try base.database.with(body)
    }
}

/// The public endpoints' gate: the widget must exist and serve (else 404, the same for unknown,
/// disabled and a disabled tenant), and a browser's Origin must be one the widget allows or
/// Parley's own (else 403). Allowed responses carry CORS headers, errors included, so the widget
/// can show them.
///
/// A request without Origin is let through: browsers always send it cross-origin, so its absence
/// means Parley's own page (same-origin GETs omit it) or a non-browser client, which could send
/// any Origin it liked anyway. What stops abuse by scripts is nginx's per-IP rate limit.
enum WidgetAccess {
    static let allowedMethods = "GET, POST, OPTIONS"
    static let allowedHeaders = "Content-Type, Accept, X-Visitor-Token"
    /// The header nginx sets to the origin the site is served at ($scheme://$http_host). nginx
    /// replaces any client-sent header of that name (a fastcgi_param overrides it).
    static let selfOriginHeader = "x-parley-origin"

    static func resolve(_ request: Request, _ parameters: Parameters, context: RequestContext) throws -> PublicWidgetContext {
        let id = try parameters.require("id")
        guard let widget = try context.database.with({ try WidgetStore.publicWidget(id: id, on: $0) }) else {
            throw Problem.notFound("No widget \(id).")
        }
        context.tenantID = widget.tenantID
        guard let presented = request.header("origin") else { return PublicWidgetContext(widget: widget, origin: nil, base: context) }
        let origin = WidgetValidation.normalizedOrigin(presented)
        let own = request.header(selfOriginHeader).flatMap(WidgetValidation.normalizedOrigin)
        guard let origin, origin == own || widget.allowedOrigins.contains(origin) else {
            throw Problem.forbidden("This widget does not accept requests from \(presented.prefix(200)).", type: "origin-not-allowed")
        }
        return PublicWidgetContext(widget: widget, origin: presented, base: context)
    }

    static func corsHeaders(origin: String?) -> [(String, String)] {
        // Vary even without an Origin: a cache must not hand a CORS-less copy to a browser that sends one.
        guard let origin else { return [("Vary", "Origin")] }
        return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin"), ("Access-Control-Expose-Headers", "X-Request-ID")]
    }
}

extension Router where Context == RequestContext {
    /// Registers a public widget route (`{id}` is the widget): no key; the handler receives a
    /// `PublicWidgetContext`, and the response, or the problem, gets the CORS headers.
    mutating func addPublic(_ method: HTTPMethod, _ template: String, maxBodyBytes: Int? = nil, doc: RouteDoc,
                            handler: @escaping @Sendable (Request, Parameters, PublicWidgetContext) throws -> Response) {
        add(method, template, maxBodyBytes: maxBodyBytes, doc: doc) { request, parameters, context in
            let access = try WidgetAccess.resolve(request, parameters, context: context)
            let cors = WidgetAccess.corsHeaders(origin: access.origin)
            do {
                var response = try handler(request, parameters, access)
                for (name, value) in cors { response.setHeader(name, value) }
                return response
            } catch {
                let mapped = ErrorMapping.problem(for: error)
                // An unexpected error keeps its detail for the log: rethrow it as it came.
                if mapped.logDetail != nil { throw error }
                var problem = mapped.problem
                problem.headers += cors
                throw problem
            }
        }
    }

    /// The CORS preflight of a public widget route: same widget and Origin checks, then the
    /// methods and headers the widget may use (cached by the browser for ten minutes).
    mutating func addPreflight(_ template: String, operationID: String) {
        add(.OPTIONS, template, doc: RouteDoc(
            summary: "CORS preflight for a widget's allowed origins", operationID: operationID, tag: "public",
            responses: [(204, "Allowed", nil), (403, "Origin not allowed", OpenAPI.problemRef), (404, "No such widget", OpenAPI.problemRef)]
        )) { request, parameters, context in
            let access = try WidgetAccess.resolve(request, parameters, context: context)
            var response = Response.noContent()
            for (name, value) in WidgetAccess.corsHeaders(origin: access.origin) { response.setHeader(name, value) }
            response.setHeader("Access-Control-Allow-Methods", WidgetAccess.allowedMethods)
            response.setHeader("Access-Control-Allow-Headers", WidgetAccess.allowedHeaders)
            response.setHeader("Access-Control-Max-Age", "600")
            return response
        }
    }
}
