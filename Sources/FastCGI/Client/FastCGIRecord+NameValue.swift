/// Name-value pairs, the encoding of PARAMS and GET_VALUES content: each length is one byte when
/// below 128, otherwise four bytes big-endian with the top bit set.
extension FastCGIRecord {
    public static func encodeNameValuePairs(_ pairs: [(String, String)]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (name, value) in pairs {
            let nameBytes = Array(name.utf8)
            let valueBytes = Array(value.utf8)
            appendLength(nameBytes.count, to: &bytes)
            appendLength(valueBytes.count, to: &bytes)
            bytes += nameBytes
            bytes += valueBytes
        }
        return bytes
    }

    /// Decodes a whole PARAMS stream (all records' content concatenated). Names and values are
    /// decoded as UTF-8 with replacement, because CGI variables are bytes, not guaranteed text.
    public static func decodeNameValuePairs(_ bytes: [UInt8]) throws(FastCGIRecordError) -> [(String, String)] {
        var pairs: [(String, String)] = []
        var index = 0
        while index < bytes.count {
            let nameLength = try readLength(bytes, &index)
            let valueLength = try readLength(bytes, &index)
            guard nameLength <= bytes.count - index, valueLength <= bytes.count - index - nameLength else {
                throw .malformedNameValuePair
            }
            let name = String(decoding: bytes[index..<index + nameLength], as: UTF8.self)
            index += nameLength
            let value = String(decoding: bytes[index..<index + valueLength], as: UTF8.self)
            index += valueLength
            pairs.append((name, value))
        }
        return pairs
    }

    private static func appendLength(_ length: Int, to bytes: inout [UInt8]) {
        if length < 128 {
            bytes.append(UInt8(length))
        } else {
            // Lengths are 31-bit on the wire; nothing Parley sends comes close.
            let value = UInt32(min(length, Int(Int32.max)))
            bytes += [UInt8(value >> 24) | 0x80, UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF),
                      UInt8(value & 0xFF)]
        }
    }

    private static func readLength(_ bytes: [UInt8], _ index: inout Int) throws(FastCGIRecordError) -> Int {
        guard index < bytes.count else { throw .malformedNameValuePair }
        let first = bytes[index]
        if first & 0x80 == 0 {
            index += 1
            return Int(first)
        }
        guard bytes.count - index >= 4 else { throw .malformedNameValuePair }
        let length = Int(first & 0x7F) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8
            | Int(bytes[index + 3])
        index += 4
        return length
    }
}
