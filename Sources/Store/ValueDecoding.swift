internal import FoundationEssentials

/// Why a binary result value could not be decoded; `Row` turns it into a `StoreError` naming the column.
enum DecodeFailure: Error {
    /// No codec for this type OID.
    case unsupported(UInt32)
    /// The bytes do not have the shape the type's binary format promises.
    case malformed(String)
}

/// Reads big-endian fields from one binary value, checking every length against what is left.
struct BinaryReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func read<T: FixedWidthInteger>(_: T.Type) throws(DecodeFailure) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw .malformed("needs \(size) bytes, has \(remaining)") }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(bigEndian: value)
    }

    mutating func readBytes(_ count: Int) throws(DecodeFailure) -> UnsafeRawBufferPointer {
        guard count >= 0, remaining >= count else { throw .malformed("needs \(count) bytes, has \(remaining)") }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        return slice
    }

    mutating func readRest() -> UnsafeRawBufferPointer {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset...])
        offset = bytes.count
        return slice
    }
}

extension SQLValue {
    /// Decodes one non-NULL value received in binary format, dispatching on the column's type OID.
    static func decode(_ bytes: UnsafeRawBufferPointer, type oid: UInt32) throws(DecodeFailure) -> SQLValue {
        var reader = BinaryReader(bytes)
        switch oid {
        case TypeOID.bool:
            return .bool(try reader.read(UInt8.self) != 0)
        case TypeOID.int2:
            return .int(Int64(try reader.read(Int16.self)))
        case TypeOID.int4:
            return .int(Int64(try reader.read(Int32.self)))
        case TypeOID.int8:
            return .int(try reader.read(Int64.self))
        case TypeOID.oid:
            return .int(Int64(try reader.read(UInt32.self)))
        case TypeOID.float4:
            return .double(Double(Float(bitPattern: try reader.read(UInt32.self))))
        case TypeOID.float8:
            return .double(Double(bitPattern: try reader.read(UInt64.self)))
        case TypeOID.text, TypeOID.varchar, TypeOID.bpchar, TypeOID.name, TypeOID.char, TypeOID.unknown,
            TypeOID.json:
            return .text(try utf8(reader.readRest()))
        case TypeOID.jsonb:
            let version = try reader.read(UInt8.self)
            guard version == 1 else { throw .malformed("jsonb format version \(version)") }
            return .text(try utf8(reader.readRest()))
        case TypeOID.bytea:
            return .bytes(Array(bytes))
        case TypeOID.uuid:
            guard bytes.count == 16 else { throw .malformed("uuid of \(bytes.count) bytes") }
            return .text(uuidString(bytes))
        case TypeOID.timestamptz, TypeOID.timestamp:
            return .timestamp(date(microseconds: try reader.read(Int64.self)))
        case TypeOID.date:
            let days = try reader.read(Int32.self)
            switch days {
            case Int32.max: return .timestamp(.distantFuture)
            case Int32.min: return .timestamp(.distantPast)
            default: return .timestamp(date(microseconds: Int64(days) * 86_400_000_000))
            }
        case TypeOID.numeric:
            return .numeric(try NumericText.decode(&reader))
        case TypeOID.void:
            return .null
        case TypeOID.float4Array:
            return .floats(try decodeArray(&reader, elementTypes: [TypeOID.float4]) { element throws(DecodeFailure) in
                var elementReader = BinaryReader(element)
                return Float(bitPattern: try elementReader.read(UInt32.self))
            })
        case TypeOID.int2Array, TypeOID.int4Array, TypeOID.int8Array:
            return .ints(try decodeArray(&reader, elementTypes: [TypeOID.int2, TypeOID.int4, TypeOID.int8]) {
                element throws(DecodeFailure) in
                var elementReader = BinaryReader(element)
                switch element.count {
                case 2: return Int64(try elementReader.read(Int16.self))
                case 4: return Int64(try elementReader.read(Int32.self))
                default: return try elementReader.read(Int64.self)
                }
            })
        case TypeOID.textArray, TypeOID.varcharArray, TypeOID.nameArray:
            return .texts(try decodeArray(&reader, elementTypes: [TypeOID.text, TypeOID.varchar, TypeOID.name]) {
                element throws(DecodeFailure) in try utf8(element)
            })
        default:
            throw .unsupported(oid)
        }
    }

    /// A one-dimensional array without NULL elements: header (ndim, has-null, element OID), then one
    /// (length, lower bound) pair per dimension, then length-prefixed elements. Zero dimensions is
    /// how the server sends an empty array.
    private static func decodeArray<Element>(
        _ reader: inout BinaryReader, elementTypes: Set<UInt32>,
        element decodeElement: (UnsafeRawBufferPointer) throws(DecodeFailure) -> Element
    ) throws(DecodeFailure) -> [Element] {
        let dimensions = try reader.read(Int32.self)
        _ = try reader.read(Int32.self)  // has-null flag; NULL elements are caught one by one below
        let elementType = try reader.read(UInt32.self)
        guard elementTypes.contains(elementType) else { throw .unsupported(elementType) }
        if dimensions == 0 { return [] }
        guard dimensions == 1 else { throw .malformed("\(dimensions)-dimensional array; only one dimension is supported") }
        let count = try reader.read(Int32.self)
        _ = try reader.read(Int32.self)  // lower bound: Swift arrays start at 0 whatever it is
        guard count >= 0 else { throw .malformed("negative array length") }
        var elements: [Element] = []
        elements.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            let length = try reader.read(Int32.self)
            guard length >= 0 else { throw .malformed("array element \(index) is NULL") }
            elements.append(try decodeElement(try reader.readBytes(Int(length))))
        }
        return elements
    }

    private static func utf8(_ bytes: UnsafeRawBufferPointer) throws(DecodeFailure) -> String {
        guard let string = String(validating: bytes, as: UTF8.self) else { throw .malformed("text is not valid UTF-8") }
        return string
    }

    private static func uuidString(_ bytes: UnsafeRawBufferPointer) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func date(microseconds: Int64) -> Date {
        switch microseconds {
        case Int64.max: return .distantFuture
        case Int64.min: return .distantPast
        default:
            // Subtract in integers first so the Double only ever holds the small, exact difference.
            let sinceReference = microseconds.subtractingReportingOverflow(PostgresEpoch.microsecondsBeforeReferenceDate)
            return Date(timeIntervalSinceReferenceDate: Double(sinceReference.partialValue) / 1_000_000)
        }
    }
}

/// numeric's binary form (ndigits, weight, sign, dscale, then base-10000 digit groups) rendered as
/// the same decimal text PostgreSQL would print, so no precision is lost on the way to Swift.
enum NumericText {
    static func decode(_ reader: inout BinaryReader) throws(DecodeFailure) -> String {
        let count = Int(try reader.read(Int16.self))
        let weight = Int(try reader.read(Int16.self))
        let sign = try reader.read(UInt16.self)
        let scale = Int(try reader.read(Int16.self))
        switch sign {
        case 0xC000: return "NaN"
        case 0xD000: return "Infinity"
        case 0xF000: return "-Infinity"
        case 0x0000, 0x4000: break
        default: throw .malformed("numeric sign \(sign)")
        }
        var groups: [Int] = []
        for _ in 0..<max(count, 0) { groups.append(Int(try reader.read(Int16.self))) }
        func group(_ index: Int) -> Int { index >= 0 && index < groups.count ? groups[index] : 0 }

        var text = sign == 0x4000 ? "-" : ""
        if weight < 0 {
            text += "0"
        } else {
            text += String(group(0))
            for index in stride(from: 1, through: weight, by: 1) { text += padded(group(index)) }
        }
        if scale > 0 {
            var fraction = ""
            var index = weight + 1
            while fraction.count < scale {
                fraction += padded(group(index))
                index += 1
            }
            text += "." + fraction.prefix(scale)
        }
        return text
    }

    private static func padded(_ group: Int) -> String {
        let digits = String(group)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
