public import FoundationEssentials

/// One decoded result row. Values were decoded from the binary result when the query returned, so a
/// `Row` owns no C memory and may outlive its connection or cross threads.
///
/// Accessors take a column name or a zero-based index and throw `StoreError(kind: .decoding)` naming
/// the column when it is missing, NULL where a value is required, of another type, or of a type
/// Store has no codec for.
public struct Row: Sendable {
    let columns: ColumnSet
    let cells: [Cell]

    enum Cell: Sendable {
        case value(SQLValue)
        case undecodable(DecodeFailure)
    }

    /// Where a column is: by name (`row.string("name")`) or position (`row.string(0)`).
    public enum Key: Sendable {
        case name(String)
        case index(Int)
    }

    public var columnNames: [String] { columns.names }

    /// The raw decoded value; `.null` for SQL NULL.
    public func value(_ column: some RowColumn) throws -> SQLValue {
        let index = try columns.index(of: column.rowKey)
        switch cells[index] {
        case .value(let value):
            return value
        case .undecodable(.unsupported(let oid)):
            let type = columns.types[index]
            throw columns.error(
                at: index,
                "has type \(TypeOID.name(of: oid)) (OID \(oid))\(oid == type ? "" : " inside type OID \(type)"), "
                    + "which Store cannot decode; cast it in SQL, e.g. ::text")
        case .undecodable(.malformed(let reason)):
            throw columns.error(at: index, "holds malformed binary data: \(reason)")
        }
    }

    public func isNull(_ column: some RowColumn) throws -> Bool {
        try value(column).isNull
    }

    public func string(_ column: some RowColumn) throws -> String { try required(column, "String", Self.asString) }
    public func optionalString(_ column: some RowColumn) throws -> String? { try optional(column, "String", Self.asString) }

    public func int(_ column: some RowColumn) throws -> Int { try required(column, "Int", Self.asInt) }
    public func optionalInt(_ column: some RowColumn) throws -> Int? { try optional(column, "Int", Self.asInt) }

    public func int64(_ column: some RowColumn) throws -> Int64 { try required(column, "Int64", Self.asInt64) }
    public func optionalInt64(_ column: some RowColumn) throws -> Int64? { try optional(column, "Int64", Self.asInt64) }

    public func bool(_ column: some RowColumn) throws -> Bool { try required(column, "Bool", Self.asBool) }
    public func optionalBool(_ column: some RowColumn) throws -> Bool? { try optional(column, "Bool", Self.asBool) }

    public func double(_ column: some RowColumn) throws -> Double { try required(column, "Double", Self.asDouble) }
    public func optionalDouble(_ column: some RowColumn) throws -> Double? { try optional(column, "Double", Self.asDouble) }

    public func bytes(_ column: some RowColumn) throws -> [UInt8] { try required(column, "[UInt8]", Self.asBytes) }
    public func optionalBytes(_ column: some RowColumn) throws -> [UInt8]? { try optional(column, "[UInt8]", Self.asBytes) }

    public func floats(_ column: some RowColumn) throws -> [Float] { try required(column, "[Float]", Self.asFloats) }
    public func optionalFloats(_ column: some RowColumn) throws -> [Float]? { try optional(column, "[Float]", Self.asFloats) }

    public func strings(_ column: some RowColumn) throws -> [String] { try required(column, "[String]", Self.asStrings) }
    public func optionalStrings(_ column: some RowColumn) throws -> [String]? { try optional(column, "[String]", Self.asStrings) }

    public func ints(_ column: some RowColumn) throws -> [Int] { try required(column, "[Int]", Self.asInts) }
    public func optionalInts(_ column: some RowColumn) throws -> [Int]? { try optional(column, "[Int]", Self.asInts) }

    public func date(_ column: some RowColumn) throws -> Date { try required(column, "Date", Self.asDate) }
    public func optionalDate(_ column: some RowColumn) throws -> Date? { try optional(column, "Date", Self.asDate) }

    private func optional<T>(
        _ column: some RowColumn, _ swiftType: String, _ convert: (SQLValue) -> T?
    ) throws -> T? {
        let value = try value(column)
        if value.isNull { return nil }
        guard let converted = convert(value) else {
            let index = try columns.index(of: column.rowKey)
            let oid = columns.types[index]
            throw columns.error(at: index, "has type \(TypeOID.name(of: oid)) (OID \(oid)) and cannot be read as \(swiftType)")
        }
        return converted
    }

    private func required<T>(_ column: some RowColumn, _ swiftType: String, _ convert: (SQLValue) -> T?) throws -> T {
        guard let value = try optional(column, swiftType, convert) else {
            throw columns.error(at: try columns.index(of: column.rowKey), "is NULL; read it with an optional accessor")
        }
        return value
    }

    private static func asString(_ value: SQLValue) -> String? {
        if case .text(let text) = value { return text }
        return nil
    }

    private static func asInt64(_ value: SQLValue) -> Int64? {
        switch value {
        case .int(let number): return number
        case .numeric(let text): return integralNumeric(text)
        default: return nil
        }
    }

    private static func asInt(_ value: SQLValue) -> Int? {
        asInt64(value).flatMap { Int(exactly: $0) }
    }

    private static func asBool(_ value: SQLValue) -> Bool? {
        if case .bool(let flag) = value { return flag }
        return nil
    }

    private static func asDouble(_ value: SQLValue) -> Double? {
        switch value {
        case .double(let number): return number
        case .int(let number): return Double(number)
        case .numeric(let text): return Double(text)
        default: return nil
        }
    }

    private static func asBytes(_ value: SQLValue) -> [UInt8]? {
        if case .bytes(let bytes) = value { return bytes }
        return nil
    }

    private static func asFloats(_ value: SQLValue) -> [Float]? {
        if case .floats(let floats) = value { return floats }
        return nil
    }

    private static func asStrings(_ value: SQLValue) -> [String]? {
        if case .texts(let texts) = value { return texts }
        return nil
    }

    private static func asInts(_ value: SQLValue) -> [Int]? {
        guard case .ints(let numbers) = value else { return nil }
        let converted = numbers.compactMap { Int(exactly: $0) }
        return converted.count == numbers.count ? converted : nil
    }

    private static func asDate(_ value: SQLValue) -> Date? {
        if case .timestamp(let date) = value { return date }
        return nil
    }

    /// `count(*)` is int8 but `sum(int8)` is numeric: accept numerics that are whole numbers.
    private static func integralNumeric(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 1 || parts[1].allSatisfy({ $0 == "0" }) else { return nil }
        return Int64(parts[0])
    }
}

/// A column reference: a `String` name or an `Int` position.
public protocol RowColumn: Sendable {
    var rowKey: Row.Key { get }
}

extension String: RowColumn {
    public var rowKey: Row.Key { .name(self) }
}

extension Int: RowColumn {
    public var rowKey: Row.Key { .index(self) }
}

/// Column names and types shared by every row of one result.
final class ColumnSet: Sendable {
    let names: [String]
    let types: [UInt32]
    let sql: String
    private let positions: [String: Int]

    init(names: [String], types: [UInt32], sql: String) {
        self.names = names
        self.types = types
        self.sql = sql
        // The first of two same-named columns wins, as in PQfnumber.
        positions = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func index(of key: Row.Key) throws(StoreError) -> Int {
        switch key {
        case .name(let name):
            guard let index = positions[name] else {
                throw StoreError(
                    kind: .decoding,
                    message: "no column named \"\(name)\" (columns: \(names.joined(separator: ", ")))", sql: sql)
            }
            return index
        case .index(let index):
            guard names.indices.contains(index) else {
                throw StoreError(kind: .decoding, message: "no column at index \(index) (\(names.count) columns)", sql: sql)
            }
            return index
        }
    }

    func error(at index: Int, _ problem: String) -> StoreError {
        StoreError(kind: .decoding, message: "column \"\(names[index])\" \(problem)", sql: sql)
    }
}
