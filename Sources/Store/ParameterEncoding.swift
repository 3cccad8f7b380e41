internal import FoundationEssentials

/// Parameters laid out the way `PQexecParams` / `PQexecPrepared` want them: parallel arrays of type
/// OIDs, formats and lengths, and the bytes of every value in one buffer, so a statement costs one
/// allocation for its values rather than one per parameter.
struct EncodedParameters {
    var types: [UInt32] = []
    /// 1 = binary, 0 = text (see `SQLValue.encode(into:)` for which values use text).
    var formats: [Int32] = []
    var lengths: [Int32] = []
    /// Start of each value in `buffer`; nil for SQL NULL.
    var offsets: [Int?] = []
    var buffer: [UInt8] = []

    init(_ values: [SQLValue], sql: SQL) throws(StoreError) {
        types.reserveCapacity(values.count)
        formats.reserveCapacity(values.count)
        lengths.reserveCapacity(values.count)
        offsets.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            let start = buffer.count
            guard let (oid, format) = try value.encode(into: &buffer, position: index + 1, sql: sql) else {
                types.append(TypeOID.unspecified)
                formats.append(1)
                lengths.append(0)
                offsets.append(nil)
                continue
            }
            let length = buffer.count - start
            guard length <= Int(Int32.max) else {
                throw StoreError(kind: .query, message: "parameter $\(index + 1) is larger than 2 GB", sql: sql.text)
            }
            types.append(oid)
            formats.append(format)
            lengths.append(Int32(length))
            offsets.append(start)
        }
        // Never let the buffer be empty: an empty array may have no base address, and a nil
        // pointer would turn a zero-length value (empty bytea) into NULL.
        buffer.append(0)
    }

    /// Lends C pointers to every value for the duration of `body`; NULL parameters get a null pointer.
    func withValuePointers<R>(_ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
        try buffer.withUnsafeBytes { raw in
            let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self)
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                guard let offset, let base else { return nil }
                return base + offset
            }
            return try body(pointers)
        }
    }
}

extension SQLValue {
    /// Appends this value's wire form and returns its type OID and format, or nil for NULL.
    ///
    /// Strings go as untyped text-format parameters (OID 0, format 0) so the server infers the type
    /// from context: the same Swift `String` can fill a text, uuid, jsonb or timestamptz column, which
    /// a binary text parameter could not (binary uuid is 16 bytes, not 36 characters). For text
    /// columns the bytes are identical either way. Numeric goes as text too: its binary form is
    /// base-10000 digit groups with nothing gained over the decimal string.
    func encode(into buffer: inout [UInt8], position: Int, sql: SQL) throws(StoreError) -> (UInt32, Int32)? {
        switch self {
        case .null:
            return nil
        case .bool(let value):
            buffer.append(value ? 1 : 0)
            return (TypeOID.bool, 1)
        case .int(let value):
            // The smallest of int4/int8 that holds the value (as psycopg does): int4 converts
            // implicitly to int8 where needed, but not back, so an int8 parameter would make calls
            // like pg_terminate_backend($1) (an int4 argument) fail function resolution.
            if let small = Int32(exactly: value) {
                buffer.appendBigEndian(small)
                return (TypeOID.int4, 1)
            }
            buffer.appendBigEndian(value)
            return (TypeOID.int8, 1)
        case .double(let value):
            buffer.appendBigEndian(value.bitPattern)
            return (TypeOID.float8, 1)
        case .text(let value):
            try Self.appendTextFormat(value, to: &buffer, position: position, sql: sql)
            return (TypeOID.unspecified, 0)
        case .numeric(let value):
            try Self.appendTextFormat(value, to: &buffer, position: position, sql: sql)
            return (TypeOID.numeric, 0)
        case .bytes(let value):
            buffer.append(contentsOf: value)
            return (TypeOID.bytea, 1)
        case .floats(let values):
            buffer.appendArrayHeader(elementType: TypeOID.float4, count: values.count)
            for value in values {
                buffer.appendBigEndian(Int32(4))
                buffer.appendBigEndian(value.bitPattern)
            }
            return (TypeOID.float4Array, 1)
        case .ints(let values):
            buffer.appendArrayHeader(elementType: TypeOID.int8, count: values.count)
            for value in values {
                buffer.appendBigEndian(Int32(8))
                buffer.appendBigEndian(value)
            }
            return (TypeOID.int8Array, 1)
        case .texts(let values):
            buffer.appendArrayHeader(elementType: TypeOID.text, count: values.count)
            for value in values {
                let utf8 = value.utf8
                buffer.appendBigEndian(Int32(clamping: utf8.count))
                buffer.append(contentsOf: utf8)
            }
            return (TypeOID.textArray, 1)
        case .timestamp(let date):
            buffer.appendBigEndian(Self.postgresMicroseconds(date))
            return (TypeOID.timestamptz, 1)
        }
    }

    /// Text-format values are read by libpq as C strings, so an embedded NUL would silently cut the
    /// value short; PostgreSQL cannot store NUL in text anyway, so refuse it here.
    private static func appendTextFormat(
        _ value: String, to buffer: inout [UInt8], position: Int, sql: SQL
    ) throws(StoreError) {
        let utf8 = value.utf8
        if utf8.contains(0) {
            throw StoreError(
                kind: .query, sqlState: .invalidTextRepresentation,
                message: "text parameter $\(position) contains a NUL character, which PostgreSQL text cannot hold",
                sql: sql.text)
        }
        buffer.append(contentsOf: utf8)
        buffer.append(0)
    }

    /// timestamptz on the wire: microseconds since 2000-01-01 UTC; ±infinity are Int64.max/min.
    static func postgresMicroseconds(_ date: Date) -> Int64 {
        let micros = (date.timeIntervalSinceReferenceDate * 1_000_000).rounded()
        // Converting an out-of-range Double to Int64 traps; map such dates to ±infinity instead.
        guard micros.isFinite, abs(micros) < 9.2e18 else {
            return micros < 0 ? Int64.min : Int64.max
        }
        let (sum, overflow) = Int64(micros).addingReportingOverflow(PostgresEpoch.microsecondsBeforeReferenceDate)
        return overflow ? Int64.max : sum
    }
}

extension [UInt8] {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    /// One-dimensional array header: ndim, has-null flag, element type, then (length, lower bound).
    /// An empty array is sent with zero dimensions, which is how PostgreSQL itself writes `'{}'`.
    mutating func appendArrayHeader(elementType: UInt32, count: Int) {
        appendBigEndian(Int32(count == 0 ? 0 : 1))
        appendBigEndian(Int32(0))
        appendBigEndian(elementType)
        if count > 0 {
            appendBigEndian(Int32(clamping: count))
            appendBigEndian(Int32(1))
        }
    }
}
