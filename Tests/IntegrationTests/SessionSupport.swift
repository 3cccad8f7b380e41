import FoundationEssentials
import HTTP
import Tenancy
import TestSupport

/// A browser's view of the admin console's API: the session cookie it was given and the CSRF
/// token from the sign-in answer.
struct ConsoleSession {
    static let password = "correct horse battery staple"

    let cookie: String
    let csrf: String
    let reply: HTTPClient.Reply

    /// Signs in through nginx; nil (with the reply recorded by the caller) if it did not work.
    static func signIn(email: String, password: String = ConsoleSession.password, tenantID: String? = nil) throws -> ConsoleSession? {
        let reply = try login(email: email, password: password, tenantID: tenantID)
        guard reply.status == 200, let setCookie = reply.header("set-cookie"),
              let pair = setCookie.split(separator: ";").first, pair.hasPrefix("parley_session="),
              case .string(let csrf)? = reply.json?["csrf_token"] else { return nil }
        return ConsoleSession(cookie: String(pair), csrf: csrf, reply: reply)
    }

    static func login(email: String, password: String, tenantID: String? = nil) throws -> HTTPClient.Reply {
        var body: [(String, JSONValue)] = [("email", .string(email)), ("password", .string(password))]
        if let tenantID { body.append(("tenant_id", .string(tenantID))) }
        return try TestStack.send("POST", "/v1/auth/login", headers: [("Content-Type", "application/json")],
                                  body: JSONValue.object(body).serialized())
    }

    /// A request with the cookie; `csrf: false` leaves the X-CSRF-Token header out.
    func send(_ method: String, _ path: String, json: String? = nil, csrf: Bool = true) throws -> HTTPClient.Reply {
        var headers = [("Cookie", cookie)]
        if csrf { headers.append(("X-CSRF-Token", self.csrf)) }
        if json != nil { headers.append(("Content-Type", "application/json")) }
        return try TestStack.send(method, path, headers: headers, body: json.map { Array($0.utf8) })
    }
}

extension TenantFixture {
    /// A user of this tenant, created as the owner with the CLI's code; returns the email.
    func user(_ role: Role, email: String? = nil) throws -> String {
        let email = email ?? TestDatabase.uniqueName(role.rawValue) + "@example.com"
        _ = try UserStore.create(tenantID: tenantID, email: email, password: ConsoleSession.password, role: role,
                                 on: try TestDatabase.ownerConnection())
        return email
    }
}
