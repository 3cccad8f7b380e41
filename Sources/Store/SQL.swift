/// A statement with its bound parameters, built by string interpolation.
///
///     let q: SQL = "SELECT id FROM api_keys WHERE tenant_id = \(tenantID) AND id = \(keyID)"
///     q.text        // "SELECT id FROM api_keys WHERE tenant_id = $1 AND id = $2"
///     q.parameters  // [.text(tenantID), .text(keyID)]
///
/// Interpolated values never become SQL text, so there is no way to splice a value into a statement
/// by accident (as GRDB's `SQLInterpolation` does). Fragments can be appended or interpolated into
/// one another; placeholders are numbered only when `text` is rendered, so fragments never need
/// renumbering and a `$1` inside a string literal is never mistaken for a placeholder.
public struct SQL: Sendable, Hashable, CustomStringConvertible {
    enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(Int)
    }

    private(set) var segments: [Segment]
    /// The bound values, in placeholder order.
    public private(set) var parameters: [SQLValue]

    /// Plain SQL without parameters. The text is sent as written, so never build it from input.
    public init(_ literalSQL: String) {
        segments = literalSQL.isEmpty ? [] : [.literal(literalSQL)]
        parameters = []
    }

    /// The statement text with `$1`, `$2`, … in place of the parameters.
    public var text: String {
        var text = ""
        for segment in segments {
            switch segment {
            case .literal(let literal): text += literal
            case .parameter(let index): text += "$\(index + 1)"
            }
        }
        return text
    }

    /// The text only: bound values stay out of descriptions so they never reach a log.
    public var description: String { text }

    public var isEmpty: Bool { segments.isEmpty }

    /// Appends another fragment; its parameters follow this one's.
    public mutating func append(_ other: SQL) {
        let offset = parameters.count
        for segment in other.segments {
            switch segment {
            case .literal(let literal): appendLiteral(literal)
            case .parameter(let index): segments.append(.parameter(index + offset))
            }
        }
        parameters += other.parameters
    }

    public static func + (lhs: SQL, rhs: SQL) -> SQL {
        var result = lhs
        result.append(rhs)
        return result
    }

    public static func += (lhs: inout SQL, rhs: SQL) {
        lhs.append(rhs)
    }

    /// Joins fragments with a separator, e.g. `", "` or `" AND "`.
    public static func joined(_ fragments: [SQL], separator: String) -> SQL {
        var result = SQL("")
        for (position, fragment) in fragments.enumerated() {
            if position > 0 { result.appendLiteral(separator) }
            result.append(fragment)
        }
        return result
    }

    mutating func appendLiteral(_ literal: String) {
        guard !literal.isEmpty else { return }
        if case .literal(let previous)? = segments.last {
            segments[segments.count - 1] = .literal(previous + literal)
        } else {
            segments.append(.literal(literal))
        }
    }

    mutating func appendParameter(_ value: SQLValue) {
        segments.append(.parameter(parameters.count))
        parameters.append(value)
    }
}

extension SQL: ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) {
        self.init(value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self = stringInterpolation.sql
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = SQL("")

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) {
            sql.appendLiteral(literal)
        }

        /// A bound parameter: `\(tenantID)`, `\(embedding)`, `\(optionalDate)`.
        public mutating func appendInterpolation(_ value: some SQLValueConvertible) {
            sql.appendParameter(value.sqlValue)
        }

        /// An optional parameter: nil binds SQL NULL. Spelled out so the compiler sees an optional
        /// is meant here and does not warn about interpolating an optional's debug description.
        public mutating func appendInterpolation(_ value: (some SQLValueConvertible)?) {
            sql.appendParameter(value?.sqlValue ?? .null)
        }

        /// A nested fragment, whose parameters are renumbered into this statement.
        public mutating func appendInterpolation(_ fragment: SQL) {
            sql.append(fragment)
        }

        /// A quoted identifier (schema, table or column name), for names that cannot be parameters.
        /// Double quotes are doubled, so the name cannot close the identifier early.
        public mutating func appendInterpolation(identifier: String) {
            sql.appendLiteral(SQL.quoteIdentifier(identifier))
        }
    }

    /// `"name"` with embedded double quotes doubled, as PostgreSQL's `quote_ident` does.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
