import Tenancy

/// The rules a widget's configuration must meet. Origins are normalised the way browsers write
/// the `Origin` header (lower case, no default port, no path), so the public endpoints compare
/// strings and a configured `https://Shop.example:443/` still matches `https://shop.example`.
public enum WidgetValidation {
    public static let maxOrigins = 20
    public static let maxCollections = 20
    public static let maxSuggestedQuestions = 6

    public static func validated(_ configuration: WidgetConfiguration) throws -> WidgetConfiguration {
        var result = configuration
        result.name = configuration.name.trimmingSpaces
        guard (1...100).contains(result.name.count) else { throw invalid("name is 1 to 100 characters.") }

        guard configuration.allowedOrigins.count <= maxOrigins else { throw invalid("allowed_origins holds at most \(maxOrigins) origins.") }
        var origins: [String] = []
        for raw in configuration.allowedOrigins {
            guard let origin = normalizedOrigin(raw) else {
                throw invalid("allowed_origins: '\(raw.prefix(100))' is not an origin; write scheme://host[:port], e.g. https://shop.example.")
            }
            if !origins.contains(origin) { origins.append(origin) }
        }
        result.allowedOrigins = origins

        if let names = configuration.collections {
            guard names.count <= maxCollections else { throw invalid("collections lists at most \(maxCollections) names.") }
            result.collections = try names.map { name in
                let lowered = name.lowercased()
                guard isCollectionName(lowered) else { throw invalid("collections: '\(name.prefix(100))' is not a collection name.") }
                return lowered
            }
        }

        var theme = configuration.theme
        for (field, value) in [("primary_color", theme.primaryColor), ("background_color", theme.backgroundColor), ("text_color", theme.textColor)] {
            guard isHexColor(value) else { throw invalid("theme.\(field) is a color written #rrggbb.") }
        }
        theme.primaryColor = theme.primaryColor.lowercased()
        theme.backgroundColor = theme.backgroundColor.lowercased()
        theme.textColor = theme.textColor.lowercased()
        theme.title = theme.title.trimmingSpaces
        guard (1...80).contains(theme.title.count) else { throw invalid("theme.title is 1 to 80 characters.") }
        guard theme.greeting.count <= 500 else { throw invalid("theme.greeting is at most 500 characters.") }
        if let url = theme.avatarURL {
            guard url.utf8.count <= 2000, isWebURL(url) else { throw invalid("theme.avatar_url is an https:// (or http://) URL of at most 2000 characters.") }
        }
        guard theme.suggestedQuestions.count <= maxSuggestedQuestions else {
            throw invalid("theme.suggested_questions holds at most \(maxSuggestedQuestions) questions.")
        }
        theme.suggestedQuestions = try theme.suggestedQuestions.map { question in
            let text = question.trimmingSpaces
            guard (1...200).contains(text.count) else { throw invalid("theme.suggested_questions: each question is 1 to 200 characters.") }
            return text
        }
        guard WidgetTheme.positions.contains(theme.position) else {
            throw invalid("theme.position is one of \(WidgetTheme.positions.joined(separator: ", ")).")
        }
        result.theme = theme
        return result
    }

    /// `scheme://host[:port]` as a browser's Origin header writes it, or nil when `text` is not
    /// one (a path, credentials, a query, an unknown scheme, a bad port).
    public static func normalizedOrigin(_ text: String) -> String? {
        let lowered = text.lowercased()
        let scheme: String
        if lowered.hasPrefix("https://") { scheme = "https" } else if lowered.hasPrefix("http://") { scheme = "http" } else { return nil }
        var rest = Substring(lowered.dropFirst(scheme.count + 3))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, rest.utf8.count <= 260 else { return nil }
        var host = rest
        var port: Int?
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let number = Int(rest[rest.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            host = rest[..<colon]
            port = number
        }
        guard isHost(host) else { return nil }
        if port == 443 && scheme == "https" || port == 80 && scheme == "http" { port = nil }
        return "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "")
    }

    /// DNS names (letters, digits, '-' and '.'), or a bracketed IPv6 literal.
    static func isHost(_ host: Substring) -> Bool {
        if host.hasPrefix("[") {
            return host.hasSuffix("]") && host.count > 2 && host.dropFirst().dropLast().utf8.allSatisfy { isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
        }
        guard !host.hasPrefix("."), !host.hasSuffix("."), !host.contains("..") else { return false }
        return host.utf8.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }

    static func isHexColor(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 7 && bytes[0] == UInt8(ascii: "#") && bytes.dropFirst().allSatisfy(isHexDigit)
    }

    static func isCollectionName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), isLowerAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// An absolute http(s) URL without spaces or quotes: it ends up in an <img src>, built with DOM
    /// calls, so this keeps out javascript: and data: URLs rather than escaping.
    static func isWebURL(_ url: String) -> Bool {
        let lowered = url.lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://") else { return false }
        guard let rest = lowered.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).dropFirst(2).first,
              !rest.isEmpty else { return false }
        return url.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "'") && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7a)
    }

    private static func invalid(_ detail: String) -> TenancyError { .invalid(detail) }
}
