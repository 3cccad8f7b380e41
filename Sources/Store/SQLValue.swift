public import FoundationEssentials

/// A value bound to a statement, or decoded from a result.
///
/// The cases are the types Parley stores; each maps to one PostgreSQL binary codec (see
/// `SQLValue+Binary.swift`). Strings cover text, varchar, uuid and jsonb alike, because the server
/// is left to infer their type (see `SQLValue.encoded`).
public enum SQLValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// int2, int4, int8 and oid decode here; binds as int4 when the value fits, else int8.
    case int(Int64)
    /// float4 and float8 decode here; binds as float8.
    case double(Double)
    /// text, varchar, bpchar, name, uuid (canonical lowercase form), json and jsonb.
    case text(String)
    case bytes([UInt8])
    /// real[]: embeddings.
    case floats([Float])
    /// text[] and varchar[].
    case texts([String])
    /// int2[], int4[] and int8[].
    case ints([Int64])
    /// timestamptz (and timestamp, read as UTC), microsecond precision.
    case timestamp(Date)
    /// numeric, in its exact decimal text form; binds as numeric.
    case numeric(String)

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// Swift values that can be interpolated into `SQL` and bound as parameters.
public protocol SQLValueConvertible {
    var sqlValue: SQLValue { get }
}

extension SQLValue: SQLValueConvertible {
    public var sqlValue: SQLValue { self }
}

extension Bool: SQLValueConvertible {
    public var sqlValue: SQLValue { .bool(self) }
}

extension Int: SQLValueConvertible {
    public var sqlValue: SQLValue { .int(Int64(self)) }
}

extension Int32: SQLValueConvertible {
    public var sqlValue: SQLValue { .int(Int64(self)) }
}

extension Int64: SQLValueConvertible {
    public var sqlValue: SQLValue { .int(self) }
}

extension Double: SQLValueConvertible {
    public var sqlValue: SQLValue { .double(self) }
}

extension String: SQLValueConvertible {
    public var sqlValue: SQLValue { .text(self) }
}

extension Substring: SQLValueConvertible {
    public var sqlValue: SQLValue { .text(String(self)) }
}

extension Date: SQLValueConvertible {
    public var sqlValue: SQLValue { .timestamp(self) }
}

extension Array: SQLValueConvertible where Element: SQLArrayElement {
    public var sqlValue: SQLValue { Element.arrayValue(self) }
}

extension Optional: SQLValueConvertible where Wrapped: SQLValueConvertible {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// Element types whose arrays have a binary codec: `[UInt8]` is bytea, `[Float]` is real[],
/// `[String]` is text[], `[Int]`/`[Int64]` are int8[].
public protocol SQLArrayElement {
    static func arrayValue(_ array: [Self]) -> SQLValue
}

extension UInt8: SQLArrayElement {
    public static func arrayValue(_ array: [UInt8]) -> SQLValue { .bytes(array) }
}

extension Float: SQLArrayElement {
    public static func arrayValue(_ array: [Float]) -> SQLValue { .floats(array) }
}

extension String: SQLArrayElement {
    public static func arrayValue(_ array: [String]) -> SQLValue { .texts(array) }
}

extension Int64: SQLArrayElement {
    public static func arrayValue(_ array: [Int64]) -> SQLValue { .ints(array) }
}

extension Int: SQLArrayElement {
    public static func arrayValue(_ array: [Int]) -> SQLValue { .ints(array.map { Int64($0) }) }
}
