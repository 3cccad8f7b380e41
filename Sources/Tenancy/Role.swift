/// What an admin-console user may do. Roles translate to the API-key scopes the API already
/// checks, so one set of rules serves keys and people; the few things a scope cannot express
/// (a viewer reads admin routes but changes nothing, an agent reads conversation listings) are
/// the App's session access policy.
public enum Role: String, Sendable, CaseIterable, Codable {
    case owner, admin, agent, viewer

    public static let names = allCases.map(\.rawValue)

    /// owner and admin: everything, internal collections included. agent: asking (staff tools see
    /// internal collections) and reading conversations. viewer: the same reach as an agent, but
    /// only for reading (and the "Try it" question).
    public var scopes: [Scope] {
        switch self {
        case .owner, .admin: [.admin]
        case .agent, .viewer: [.internal, .query]
        }
    }

    public static func parse(_ name: String) throws -> Role {
        guard let role = Role(rawValue: name.trimmingWhitespace().lowercased()) else {
            throw TenancyError.invalid("Unknown role '\(name)'; roles are \(names.joined(separator: ", ")).")
        }
        return role
    }
}

/// The person behind a session-authenticated request.
public struct SignedInUser: Sendable, Equatable {
    public let id: String
    public let email: String
    public let role: Role
    /// The session (`ses_…`) the request came with, so sign-out can end exactly this one.
    public let sessionID: String
}
