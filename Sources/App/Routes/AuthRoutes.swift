import HTTP
import Tenancy

/// `/v1/auth`: the admin console's sign-in, its session, and sign-out (this session or all of the
/// user's). The session lives in the `parley_session` cookie; the answer carries the CSRF token the
/// page must send back on every state-changing request.
enum AuthRoutes {
    struct LoginBody: Decodable {
        let email: String
        let password: String
        let tenantID: String?

        enum CodingKeys: String, CodingKey { case email, password, tenantID = "tenant_id" }
    }

    static let sessionSchema: JSONValue = [
        "type": "object", "required": ["user", "tenant", "csrf_token"],
        "properties": [
            "user": ["type": "object", "properties": [
                "id": ["type": "string"], "email": ["type": "string"],
                "role": ["type": "string", "enum": .array(Role.names.map { .string($0) })],
            ]],
            "tenant": ["type": "object", "properties": ["id": ["type": "string"], "name": ["type": "string"]]],
            "csrf_token": ["type": "string", "description": "Send as X-CSRF-Token on every request other than GET/HEAD/OPTIONS"],
        ],
    ]

    static func register(into router: inout Router<RequestContext>) {
        router.add(.POST, "/v1/auth/login", maxBodyBytes: 4096, doc: RouteDoc(
            summary: "Sign in to the admin console; sets the session cookie", operationID: "login", tag: "auth",
            requestSchema: ["type": "object", "required": ["email", "password"], "properties": [
                "email": ["type": "string"], "password": ["type": "string"],
                "tenant_id": ["type": "string", "description": "Needed when the email belongs to several tenants"],
            ]],
            responses: [
                (200, "Signed in; Set-Cookie carries the session", sessionSchema),
                (401, "Wrong email or password", OpenAPI.problemRef),
                (403, "The tenant is disabled", OpenAPI.problemRef),
                (422, "The email belongs to several tenants: send tenant_id (`tenants` lists them)", OpenAPI.problemRef),
                (429, "Locked after repeated failures (Retry-After)", OpenAPI.problemRef),
            ]
        )) { request, _, context in
            let body = try JSON.decode(LoginBody.self, from: request.body)
            let outcome = try context.database.with {
                try SignIn.attempt(email: body.email, password: body.password, tenantID: body.tenantID, on: $0)
            }
            switch outcome {
            case .signedIn(let session):
                context.tenantID = session.tenant.id
                var response = Response.json(sessionBody(user: session.user, tenantID: session.tenant.id, tenantName: session.tenant.name,
                                                         token: session.token))
                response.setHeader("Set-Cookie", SetCookie.session(name: SessionAuthentication.cookieName, value: session.token,
                                                                   maxAge: SessionStore.lifetime))
                response.setHeader("Cache-Control", "no-store")
                return response
            case .invalid:
                throw Problem.unauthorized("The email or password is not right.")
            case .locked(let retryAfter):
                throw Problem(status: 429, type: "locked", title: "Too many failed sign-ins",
                              detail: "Too many failed sign-ins: this user is locked for a while; try again in \(retryAfter) seconds.",
                              headers: [("Retry-After", String(retryAfter))],
                              extensions: [("retry_after", .number(Double(retryAfter)))])
            case .tenantRequired(let tenants):
                throw Problem(status: 422, type: "tenant-required", title: "Unprocessable content",
                              detail: "This email belongs to several tenants; sign in again with one of them as tenant_id.",
                              extensions: [("tenants", .array(tenants.map { ["id": .string($0.id), "name": .string($0.name)] }))])
            case .tenantDisabled:
                throw Authentication.tenantDisabled
            }
        }

        router.addSignedIn(.GET, "/v1/auth/session", doc: RouteDoc(
            summary: "The signed-in user, their tenant and the CSRF token (for a page reload)", operationID: "getSession", tag: "auth",
            responses: [(200, "The session", sessionSchema)]
        )) { request, _, context in
            guard let user = context.principal.user, let token = request.cookie(SessionAuthentication.cookieName) else {
                throw Problem.internalError()
            }
            var response = Response.json(sessionBody(user: user, tenantID: context.tenantID, tenantName: context.principal.tenant.name,
                                                     token: token))
            response.setHeader("Cache-Control", "no-store")
            return response
        }

        router.addSignedIn(.POST, "/v1/auth/logout", doc: RouteDoc(
            summary: "Sign out: end this session and clear the cookie", operationID: "logout", tag: "auth",
            responses: [(204, "Signed out", nil)]
        )) { _, _, context in
            try context.withConnection { try SessionStore.revoke(tenantID: context.tenantID, sessionID: context.principal.keyID, on: $0) }
            return signedOut()
        }

        router.addSignedIn(.POST, "/v1/auth/logout-all", doc: RouteDoc(
            summary: "Sign out everywhere: end every session of this user", operationID: "logoutAll", tag: "auth",
            responses: [(204, "Every session of the user has ended", nil)]
        )) { _, _, context in
            guard let user = context.principal.user else { throw Problem.internalError() }
            try context.withConnection { try SessionStore.revokeAll(tenantID: context.tenantID, userID: user.id, on: $0) }
            return signedOut()
        }
    }

    /// The body of a sign-in and of `GET /v1/auth/session`.
    static func sessionBody(user: SignedInUser, tenantID: String, tenantName: String, token: String) -> JSONValue {
        [
            "user": ["id": .string(user.id), "email": .string(user.email), "role": .string(user.role.rawValue)],
            "tenant": ["id": .string(tenantID), "name": .string(tenantName)],
            "csrf_token": .string(SessionToken.csrfToken(for: token)),
        ]
    }

    private static func signedOut() -> Response {
        var response = Response.noContent()
        response.setHeader("Set-Cookie", SetCookie.expired(name: SessionAuthentication.cookieName))
        response.setHeader("Cache-Control", "no-store")
        return response
    }
}
