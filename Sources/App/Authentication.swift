import HTTP
import Store
import Tenancy

/// Works out who is asking: an API key (`Authorization: Bearer` or `X-API-Key`) or, when the
/// request carries no key, the admin console's session cookie. A request that presents a key is
/// judged by the key alone, so API clients are never affected by cookies or CSRF rules. Secrets
/// never reach a log or an error message.
enum Authentication {
    static func presentedKey(in request: Request) throws(Problem) -> String {
        if let header = request.header("authorization") {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
                throw Problem.unauthorized("The Authorization header must be 'Bearer <API key>'.")
            }
            return parts[1].trimmingWhitespace()
        }
        if let key = request.header("x-api-key"), !key.isEmpty { return key.trimmingWhitespace() }
        throw Problem.unauthorized("An API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.")
    }

    static func presentsKey(_ request: Request) -> Bool {
        request.header("authorization") != nil || request.header("x-api-key") != nil
    }

    /// Authenticates a request to a route that needs `scope` (nil: any credential). `method` and
    /// `template` are the route's, for the session access policy.
    static func authenticate(_ request: Request, scope: Scope?, template: String, context: RequestContext) throws -> TenantContext {
        if !presentsKey(request), request.cookie(SessionAuthentication.cookieName) != nil {
            let tenantContext = try SessionAuthentication.authenticate(request, context: context)
            if let user = tenantContext.principal.user,
               !SessionAccess.permits(user.role, method: request.method, template: template, scope: scope) {
                throw SessionAccess.refusal(for: user.role, method: request.method)
            }
            return tenantContext
        }
        return try authenticateKey(request, scope: scope, context: context)
    }

    private static func authenticateKey(_ request: Request, scope: Scope?, context: RequestContext) throws -> TenantContext {
        let key = try presentedKey(in: request)
        let outcome = try context.authenticator.authenticate(key, now: Clock.monotonicSeconds()) { lookup in
            try context.database.with(lookup)
        }
        switch outcome {
        case .authenticated(let principal):
            context.tenantID = principal.tenant.id
            if let scope, !principal.allows(scope) {
                throw Problem.forbidden("This API key lacks the '\(scope.rawValue)' scope.", type: "insufficient-scope")
            }
            return TenantContext(principal: principal, base: context)
        case .malformed: throw Problem.unauthorized("The API key is malformed: Parley keys look like pk_live_….")
        case .unknown: throw Problem.unauthorized("The API key is not valid.")
        case .revoked: throw Problem.unauthorized("The API key has been revoked.")
        case .tenantDisabled: throw tenantDisabled
        }
    }

    static let tenantDisabled = Problem.forbidden("This tenant is disabled.", type: "tenant-disabled")
}

extension Router where Context == RequestContext {
    /// Registers a route that requires an API key with `scope` (nil: any valid key) or a signed-in
    /// session whose role allows it; the handler receives a `TenantContext`.
    mutating func add(_ method: HTTPMethod, _ template: String, scope: Scope?, maxBodyBytes: Int? = nil,
                      readsOwnBody: Bool = false, doc: RouteDoc,
                      handler: @escaping @Sendable (Request, Parameters, TenantContext) throws -> Response) {
        var doc = doc
        doc.scope = scope?.rawValue ?? "any"
        add(method, template, maxBodyBytes: maxBodyBytes, readsOwnBody: readsOwnBody, doc: doc) { request, parameters, context in
            try handler(request, parameters, try Authentication.authenticate(request, scope: scope, template: template, context: context))
        }
    }
}
