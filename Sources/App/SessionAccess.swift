import HTTP
import Tenancy

/// What a signed-in user's role may do, on top of the scopes it maps to (`Role.scopes`). Enforced
/// here, in the API, for every route registered with a scope, so a page that shows a button it
/// should not cannot make it work.
///
/// - owner, admin: everything (the `admin` scope).
/// - agent: what `query` and `internal` allow, plus reading the conversation listing and analytics.
/// - viewer: read-only: every GET (and HEAD) of the tenant, and `POST /v1/query` for the console's
///   "Try it" panel; nothing else.
enum SessionAccess {
    /// GET routes an agent reads beyond its scopes (their templates start with these).
    static let agentReadable = ["/v1/conversations", "/v1/analytics"]

    static func permits(_ role: Role, method: String, template: String, scope: Scope?) -> Bool {
        let reads = method == "GET" || method == "HEAD"
        switch role {
        case .owner, .admin:
            return true
        case .viewer:
            return reads || (method == "POST" && template == "/v1/query")
        case .agent:
            guard let scope, !role.scopes.contains(scope) else { return true }
            return reads && agentReadable.contains { template == $0 || template.hasPrefix($0 + "/") }
        }
    }

    static func refusal(for role: Role, method: String) -> Problem {
        let detail = role == .viewer && method != "GET"
            ? "A viewer has read-only access."
            : "The \(role.rawValue) role may not do this; ask an admin."
        return Problem.forbidden(detail, type: "insufficient-role")
    }
}
