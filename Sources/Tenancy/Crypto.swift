internal import CCrypto

/// The few primitives tenancy needs from OpenSSL's libcrypto: randomness, SHA-256, constant-time
/// comparison and PBKDF2. Kept in one place so every caller gets the same, audited behaviour.
public enum Crypto {
    /// Cryptographically secure random bytes (RAND_bytes seeds itself from the kernel). A failure here
    /// means the system cannot produce secrets at all, so it is reported, never papered over.
    public static func randomBytes(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        guard status == 1 else { throw TenancyError.internalFailure("RAND_bytes failed") }
        return bytes
    }

    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { sha256(bytes[...]) }

    /// Hashes a slice in place: uploads are slices of the request body, and copying 200 MB just to
    /// hash it would double the worker's peak memory.
    public static func sha256(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { output in
                _ = SHA256(input.baseAddress, input.count, output.baseAddress)
            }
        }
        return digest
    }

    public static func sha256(_ text: String) -> [UInt8] { sha256(Array(text.utf8)) }

    /// Compares in time that depends only on the length, so an attacker timing responses learns
    /// nothing about how much of a secret matched.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
    }

    /// HMAC-SHA256 of `message` under `key` (RFC 2104), for values derived from a secret.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                output.withUnsafeMutableBufferPointer { out in
                    _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), m.baseAddress, m.count, out.baseAddress, &length)
                }
            }
        }
        return output
    }

    public static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: length)
        let passwordChars = password.map { CChar(bitPattern: $0) }
        let status = passwordChars.withUnsafeBufferPointer { pw in
            salt.withUnsafeBufferPointer { s in
                output.withUnsafeMutableBufferPointer { out in
                    PKCS5_PBKDF2_HMAC(pw.baseAddress, Int32(pw.count), s.baseAddress, Int32(s.count), Int32(iterations),
                                      EVP_sha256(), Int32(length), out.baseAddress)
                }
            }
        }
        guard status == 1 else { throw TenancyError.internalFailure("PBKDF2 failed") }
        return output
    }
}

/// Text encodings for identifiers and keys.
public enum Encoding {
    private static let base32Alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
    private static let base62Alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    private static let hexAlphabet = Array("0123456789abcdef".utf8)

    /// Lower-case base32 (RFC 4648 alphabet, lower-cased, unpadded): safe in URLs and case-insensitive stores.
    public static func base32(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var buffer = 0, bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                output.append(base32Alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { output.append(base32Alphabet[(buffer << (5 - bits)) & 31]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Base62 of a big-endian number: keys stay one "word" that double-click selects whole.
    public static func base62(_ bytes: [UInt8], length: Int) -> String {
        var number = bytes
        var digits: [UInt8] = []
        while digits.count < length {
            var remainder = 0
            var quotient: [UInt8] = []
            quotient.reserveCapacity(number.count)
            for byte in number {
                let accumulator = remainder * 256 + Int(byte)
                let digit = accumulator / 62
                remainder = accumulator % 62
                if !quotient.isEmpty || digit != 0 { quotient.append(UInt8(digit)) }
            }
            digits.append(base62Alphabet[remainder])
            number = quotient
        }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    public static func isBase62(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a) }
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes { output += [hexAlphabet[Int(byte >> 4)], hexAlphabet[Int(byte & 0xf)]] }
        return String(decoding: output, as: UTF8.self)
    }

    public static func base64(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let value = (Int(chunk[0]) << 16) | (chunk.count > 1 ? Int(chunk[1]) << 8 : 0) | (chunk.count > 2 ? Int(chunk[2]) : 0)
            output.append(table[(value >> 18) & 63])
            output.append(table[(value >> 12) & 63])
            output.append(chunk.count > 1 ? table[(value >> 6) & 63] : UInt8(ascii: "="))
            output.append(chunk.count > 2 ? table[value & 63] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    public static func fromBase64(_ text: String) -> [UInt8]? {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var lookup = [Int](repeating: -1, count: 256)
        for (index, byte) in table.enumerated() { lookup[Int(byte)] = index }
        let characters = Array(text.utf8).filter { $0 != UInt8(ascii: "=") }
        var output: [UInt8] = []
        var buffer = 0, bits = 0
        for character in characters {
            let value = lookup[Int(character)]
            guard value >= 0 else { return nil }
            buffer = (buffer << 6) | value
            bits += 6
            if bits >= 8 {
                output.append(UInt8((buffer >> (bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return output
    }
}
