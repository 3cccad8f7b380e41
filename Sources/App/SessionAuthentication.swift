import HTTP
import Tenancy

/// The admin console's cookie authentication: the `parley_session` cookie names a session, and
/// every state-changing request must also prove it comes from a Parley page with the session's
/// CSRF token in `X-CSRF-Token` (a cross-site page can make the browser send the cookie, but
/// cannot read the token; SameSite=Strict is the first wall, this the second).
enum SessionAuthentication {
    static let cookieName = "parley_session"
    static let csrfHeader = "x-csrf-token"

    /// Authenticates the session cookie and, for methods other than GET/HEAD/OPTIONS, the CSRF
    /// token. The principal it returns always has a `user`.
    static func authenticate(_ request: Request, context: RequestContext) throws -> TenantContext {
        guard let token = request.cookie(cookieName) else {
            throw Problem.unauthorized("Sign in first: this needs the session of a signed-in user.")
        }
        let outcome = try context.database.with { try SessionStore.authenticate(token, on: $0) }
        switch outcome {
        case .authenticated(let principal):
            context.tenantID = principal.tenant.id
            if !["GET", "HEAD", "OPTIONS"].contains(request.method) {
                guard let presented = request.header(csrfHeader), SessionToken.csrfMatches(presented, token: token) else {
                    throw Problem.forbidden("Send the session's csrf_token in the X-CSRF-Token header.", type: "csrf")
                }
            }
            return TenantContext(principal: principal, base: context)
        case .malformed, .unknown, .ended:
            throw Problem.unauthorized("The session has ended or is not valid; sign in again.")
        case .tenantDisabled:
            throw Authentication.tenantDisabled
        }
    }
}

extension Router where Context == RequestContext {
    /// Registers a route for signed-in users only (the `/v1/auth` session routes): API keys are
    /// not accepted, and every role may use it.
    mutating func addSignedIn(_ method: HTTPMethod, _ template: String, doc: RouteDoc,
                              handler: @escaping @Sendable (Request, Parameters, TenantContext) throws -> Response) {
        var doc = doc
        doc.scope = "session"
        add(method, template, maxBodyBytes: 1024, doc: doc) { request, parameters, context in
            try handler(request, parameters, try SessionAuthentication.authenticate(request, context: context))
        }
    }
}
