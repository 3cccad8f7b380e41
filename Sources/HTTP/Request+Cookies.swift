extension Request {
    /// The value of the first cookie called `name` in the `Cookie` header (RFC 6265 §5.4: pairs
    /// separated by `; `), or nil. Values are returned as sent; callers check their shape.
    public func cookie(_ name: String) -> String? {
        guard let header = header("cookie") else { return nil }
        for pair in header.split(separator: ";") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            if pair[..<equals].trimmingSpaces() == name {
                var value = pair[pair.index(after: equals)...].trimmingSpaces()
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = value.dropFirst().dropLast() }
                return String(value)
            }
        }
        return nil
    }
}

private extension Substring {
    func trimmingSpaces() -> Substring {
        let start = firstIndex { $0 != " " && $0 != "\t" } ?? endIndex
        let end = lastIndex { $0 != " " && $0 != "\t" }.map(index(after:)) ?? start
        return start < end ? self[start..<end] : self[start..<start]
    }
}

/// Builds `Set-Cookie` values. Parley's only cookie is the admin session: always HttpOnly (no
/// script reads it), Secure (never over plain HTTP), SameSite=Strict (no cross-site request
/// carries it) and Path=/.
public enum SetCookie {
    public static func session(name: String, value: String, maxAge: Int) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; Secure; SameSite=Strict"
    }

    /// Tells the browser to drop the cookie now.
    public static func expired(name: String) -> String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict"
    }
}
