/// PostgreSQL's built-in type OIDs (`pg_type.oid`), fixed since their introduction, so they are
/// safe to hard-code; the binary codecs dispatch on them.
enum TypeOID {
    /// Lets the server infer the parameter's type from context, as an untyped literal would.
    static let unspecified: UInt32 = 0
    static let bool: UInt32 = 16
    static let bytea: UInt32 = 17
    static let char: UInt32 = 18
    static let name: UInt32 = 19
    static let int8: UInt32 = 20
    static let int2: UInt32 = 21
    static let int4: UInt32 = 23
    static let text: UInt32 = 25
    static let oid: UInt32 = 26
    static let json: UInt32 = 114
    static let float4: UInt32 = 700
    static let float8: UInt32 = 701
    static let unknown: UInt32 = 705
    static let nameArray: UInt32 = 1003
    static let int2Array: UInt32 = 1005
    static let int4Array: UInt32 = 1007
    static let textArray: UInt32 = 1009
    static let varcharArray: UInt32 = 1015
    static let int8Array: UInt32 = 1016
    static let float4Array: UInt32 = 1021
    static let bpchar: UInt32 = 1042
    static let varchar: UInt32 = 1043
    static let date: UInt32 = 1082
    static let timestamp: UInt32 = 1114
    static let timestamptz: UInt32 = 1184
    static let numeric: UInt32 = 1700
    static let void: UInt32 = 2278
    static let uuid: UInt32 = 2950
    static let jsonb: UInt32 = 3802

    /// A readable name for error messages; the OID itself is always printed too.
    static func name(of oid: UInt32) -> String {
        switch oid {
        case bool: "bool"
        case bytea: "bytea"
        case int8: "int8"
        case int2: "int2"
        case int4: "int4"
        case text: "text"
        case float4: "float4"
        case float8: "float8"
        case float4Array: "real[]"
        case textArray: "text[]"
        case int8Array: "int8[]"
        case int4Array: "int4[]"
        case varchar: "varchar"
        case timestamptz: "timestamptz"
        case timestamp: "timestamp"
        case numeric: "numeric"
        case uuid: "uuid"
        case jsonb: "jsonb"
        case json: "json"
        case 1186: "interval"
        case 1083: "time"
        case 1266: "timetz"
        case 869: "inet"
        case 650: "cidr"
        case 2249: "record"
        case 142: "xml"
        case 1022: "float8[]"
        case 1000: "bool[]"
        default: "type"
        }
    }
}

/// Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01 00:00:00 UTC).
enum PostgresEpoch {
    /// From 2000-01-01 to 2001-01-01, FoundationEssentials' reference date: 366 days (2000 is a leap year).
    static let microsecondsBeforeReferenceDate: Int64 = 366 * 86_400 * 1_000_000
}
