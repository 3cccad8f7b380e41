import FoundationEssentials
import Tenancy

/// How a widget looks: what the public config endpoint hands to widget.js and the chat page.
/// Everything here is public (it is served to any visitor), so nothing secret may ever live here.
public struct WidgetTheme: Sendable, Equatable, Codable {
    public var primaryColor: String
    public var backgroundColor: String
    public var textColor: String
    public var title: String
    public var avatarURL: String?
    public var greeting: String
    public var suggestedQuestions: [String]
    public var position: String

    public static let positions = ["bottom-right", "bottom-left"]

    /// Readable on both light pages and Parley's own chat page (contrast above AA).
    public static let standard = WidgetTheme(
        primaryColor: "#1d4ed8", backgroundColor: "#ffffff", textColor: "#111827", title: "Ask us", avatarURL: nil,
        greeting: "Hi! Ask me anything about our products and policies.", suggestedQuestions: [], position: "bottom-right")

    public init(primaryColor: String, backgroundColor: String, textColor: String, title: String, avatarURL: String?,
                greeting: String, suggestedQuestions: [String], position: String) {
        self.primaryColor = primaryColor
        self.backgroundColor = backgroundColor
        self.textColor = textColor
        self.title = title
        self.avatarURL = avatarURL
        self.greeting = greeting
        self.suggestedQuestions = suggestedQuestions
        self.position = position
    }

    enum CodingKeys: String, CodingKey {
        case title, greeting, position
        case primaryColor = "primary_color", backgroundColor = "background_color", textColor = "text_color"
        case avatarURL = "avatar_url", suggestedQuestions = "suggested_questions"
    }

    /// A stored theme missing a field (an older row, a hand edit) falls back to the standard one
    /// field by field rather than failing the widget.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let standard = Self.standard
        primaryColor = (try? c.decode(String.self, forKey: .primaryColor)) ?? standard.primaryColor
        backgroundColor = (try? c.decode(String.self, forKey: .backgroundColor)) ?? standard.backgroundColor
        textColor = (try? c.decode(String.self, forKey: .textColor)) ?? standard.textColor
        title = (try? c.decode(String.self, forKey: .title)) ?? standard.title
        avatarURL = try? c.decodeIfPresent(String.self, forKey: .avatarURL)
        greeting = (try? c.decode(String.self, forKey: .greeting)) ?? standard.greeting
        suggestedQuestions = (try? c.decode([String].self, forKey: .suggestedQuestions)) ?? standard.suggestedQuestions
        position = (try? c.decode(String.self, forKey: .position)) ?? standard.position
    }

    /// Every field, `avatar_url` as an explicit null, so clients see one shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(primaryColor, forKey: .primaryColor)
        try c.encode(backgroundColor, forKey: .backgroundColor)
        try c.encode(textColor, forKey: .textColor)
        try c.encode(title, forKey: .title)
        try c.encode(avatarURL, forKey: .avatarURL)
        try c.encode(greeting, forKey: .greeting)
        try c.encode(suggestedQuestions, forKey: .suggestedQuestions)
        try c.encode(position, forKey: .position)
    }
}

/// What an admin configures on a widget.
public struct WidgetConfiguration: Sendable, Equatable {
    public var name: String
    public var allowedOrigins: [String]
    /// Collection names to answer from; nil: every public collection.
    public var collections: [String]?
    public var theme: WidgetTheme
    public var enabled: Bool

    public init(name: String, allowedOrigins: [String] = [], collections: [String]? = nil,
                theme: WidgetTheme = .standard, enabled: Bool = true) {
        self.name = name
        self.allowedOrigins = allowedOrigins
        self.collections = collections
        self.theme = theme
        self.enabled = enabled
    }
}

/// A change to a widget, as POST (over the defaults) and PATCH (over the stored widget) send it:
/// absent fields stay as they are; `null` clears the fields that may be empty (avatar_url,
/// collections). Applying it and validating the result is the one path for both.
public struct WidgetPatch: Sendable {
    public enum Field<T: Sendable>: Sendable {
        case unchanged
        case clear
        case set(T)
    }

    public var name: String?
    public var allowedOrigins: [String]?
    public var collections: Field<[String]> = .unchanged
    public var enabled: Bool?
    public var primaryColor: String?
    public var backgroundColor: String?
    public var textColor: String?
    public var title: String?
    public var avatarURL: Field<String> = .unchanged
    public var greeting: String?
    public var suggestedQuestions: [String]?
    public var position: String?

    public init() {}

    /// The patched configuration, validated and normalised; `TenancyError.invalid` (422) names the
    /// first field that is wrong.
    public func applied(to base: WidgetConfiguration) throws -> WidgetConfiguration {
        var result = base
        if let name { result.name = name }
        if let allowedOrigins { result.allowedOrigins = allowedOrigins }
        switch collections {
        case .unchanged: break
        case .clear: result.collections = nil
        case .set(let names): result.collections = names
        }
        if let enabled { result.enabled = enabled }
        if let primaryColor { result.theme.primaryColor = primaryColor }
        if let backgroundColor { result.theme.backgroundColor = backgroundColor }
        if let textColor { result.theme.textColor = textColor }
        if let title { result.theme.title = title }
        switch avatarURL {
        case .unchanged: break
        case .clear: result.theme.avatarURL = nil
        case .set(let url): result.theme.avatarURL = url
        }
        if let greeting { result.theme.greeting = greeting }
        if let suggestedQuestions { result.theme.suggestedQuestions = suggestedQuestions }
        if let position { result.theme.position = position }
        return try WidgetValidation.validated(result)
    }
}
