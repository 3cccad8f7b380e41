/// Turns a text document's bytes, piece by piece, into normalized UTF-8: the one form every
/// text-family parser reads, so each parser works on bytes and never guesses at encodings.
///
/// Tenants upload whatever their tools wrote: UTF-8 (with or without a BOM), UTF-16 from Windows
/// tools (with a BOM), and Latin-1 / Windows-1252 exports from spreadsheets. The charset is
/// decided once, from a sample of up to `sampleSize` bytes (pieces are gathered until the sample
/// is full, so tiny pieces decide as well as big ones): a BOM wins, then UTF-16 without a BOM is
/// recognised by its zero bytes, then UTF-8 if the sample is valid UTF-8, else Windows-1252.
/// A later invalid UTF-8 sequence in a document decided as UTF-8 is never dropped and never
/// fatal: each offending byte is read as Windows-1252, so no text is lost.
///
/// The output has no NUL bytes (they end C strings and Postgres text), and line ends are LF only
/// (CRLF and lone CR become LF), so parsers split lines on one byte.
///
/// A value type that holds at most one sample plus three carried bytes; one decoder per document,
/// used by one thread.
public struct TextDecoder: Sendable {
    /// The charsets Parley recognises, named as IANA does.
    public enum Charset: String, Sendable, Equatable {
        case utf8 = "utf-8"
        case utf16LE = "utf-16le"
        case utf16BE = "utf-16be"
        case windows1252 = "windows-1252"
    }

    /// How many bytes are looked at before the charset is decided.
    public static let sampleSize = 64 * 1024

    /// The charset decided for the document; nil until the sample is full or the input ends.
    public private(set) var charset: Charset?

    /// Bytes gathered before the decision.
    private var sample: [UInt8] = []
    /// Bytes of an incomplete UTF-8 sequence or UTF-16 code unit left at the end of a piece.
    private var carry: [UInt8] = []
    /// A UTF-16 high surrogate waiting for its low half.
    private var highSurrogate: UInt16 = 0
    /// The last thing written was a CR turned into LF: a following LF belongs to it.
    private var afterCR = false
    private var finished = false

    public init() {}

    /// Decodes one piece. Returns the UTF-8 ready so far, which may be empty while the sample is
    /// still being gathered or a character is split across pieces.
    public mutating func decode(_ piece: [UInt8]) -> [UInt8] {
        guard let charset else {
            sample += piece
            guard sample.count >= Self.sampleSize else { return [] }
            return decideAndFlushSample(atEnd: false)
        }
        return convert(piece, charset: charset, atEnd: false)
    }

    /// Ends the input: decides on a short document and decodes whatever was carried.
    public mutating func finish() -> [UInt8] {
        guard !finished else { return [] }
        finished = true
        guard let charset else { return decideAndFlushSample(atEnd: true) }
        return convert([], charset: charset, atEnd: true)
    }

    /// Pulls pieces from `source` until there is decoded text to return; nil once the source
    /// and the decoder are both exhausted. The returned piece is never empty.
    public mutating func nextText(from source: inout some ByteSource) throws -> [UInt8]? {
        while !finished {
            let text: [UInt8]
            if let piece = try source.next() {
                text = decode(piece)
            } else {
                text = finish()
            }
            if !text.isEmpty { return text }
        }
        return nil
    }

    /// Decodes a whole document held in memory.
    public static func decode(_ bytes: [UInt8]) -> (text: String, charset: Charset) {
        var decoder = TextDecoder()
        var out = decoder.decode(bytes)
        out += decoder.finish()
        return (String(decoding: out, as: UTF8.self), decoder.charset ?? .utf8)
    }

    // MARK: - Deciding

    private mutating func decideAndFlushSample(atEnd: Bool) -> [UInt8] {
        var bytes = sample
        sample = []
        let decided: Charset
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            decided = .utf8
            bytes.removeFirst(3)
        } else if bytes.starts(with: [0xFF, 0xFE]) {
            decided = .utf16LE
            bytes.removeFirst(2)
        } else if bytes.starts(with: [0xFE, 0xFF]) {
            decided = .utf16BE
            bytes.removeFirst(2)
        } else if let utf16 = Self.unmarkedUTF16(bytes) {
            decided = utf16
        } else if Self.isValidUTF8(bytes, atEnd: atEnd) {
            decided = .utf8
        } else {
            decided = .windows1252
        }
        charset = decided
        return convert(bytes, charset: decided, atEnd: atEnd)
    }

    /// UTF-16 without a BOM: mostly-ASCII text has a zero in every other byte. Required on at
    /// least 40% of the pairs and never on the other side, so binary-ish UTF-8 is not mistaken.
    private static func unmarkedUTF16(_ bytes: [UInt8]) -> Charset? {
        let pairs = bytes.count / 2
        guard pairs >= 2 else { return nil }
        var evenZeros = 0
        var oddZeros = 0
        bytes.withUnsafeBufferPointer { buffer in
            for index in 0..<pairs {
                if buffer[2 * index] == 0 { evenZeros += 1 }
                if buffer[2 * index + 1] == 0 { oddZeros += 1 }
            }
        }
        if oddZeros * 10 >= pairs * 4 && evenZeros == 0 { return .utf16LE }
        if evenZeros * 10 >= pairs * 4 && oddZeros == 0 { return .utf16BE }
        return nil
    }

    /// Whether `bytes` are well-formed UTF-8; a sequence cut off at the end counts as valid
    /// unless the input has ended there.
    static func isValidUTF8(_ bytes: [UInt8], atEnd: Bool) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            while index < buffer.count {
                let lead = buffer[index]
                if lead < 0x80 {
                    index += 1
                    continue
                }
                switch UTF8Sequence.length(in: buffer, at: index) {
                case .valid(let length): index += length
                case .truncated: return !atEnd
                case .invalid: return false
                }
            }
            return true
        }
    }

    // MARK: - Converting

    private mutating func convert(_ piece: [UInt8], charset: Charset, atEnd: Bool) -> [UInt8] {
        var input = piece
        if !carry.isEmpty {
            input = carry + piece
            carry = []
        }
        switch charset {
        case .utf8, .windows1252:
            return convertSingleByte(input, strictlyLatin: charset == .windows1252, atEnd: atEnd)
        case .utf16LE, .utf16BE:
            return convertUTF16(input, bigEndian: charset == .utf16BE, atEnd: atEnd)
        }
    }

    /// UTF-8 (invalid bytes read as Windows-1252) or Windows-1252 to normalized UTF-8. Each input
    /// byte becomes at most three output bytes, so the output is sized once.
    private mutating func convertSingleByte(_ input: [UInt8], strictlyLatin: Bool, atEnd: Bool) -> [UInt8] {
        var afterCR = self.afterCR
        var leftover: [UInt8] = []
        let output = [UInt8](unsafeUninitializedCapacity: input.count * 3) { out, written in
            var count = 0
            input.withUnsafeBufferPointer { buffer in
                var index = 0
                while index < buffer.count {
                    let byte = buffer[index]
                    if byte >= 0x20 {
                        afterCR = false
                        if byte < 0x80 {
                            out[count] = byte
                            count += 1
                            index += 1
                            continue
                        }
                        if !strictlyLatin {
                            switch UTF8Sequence.length(in: buffer, at: index) {
                            case .valid(let length):
                                for offset in 0..<length { out[count + offset] = buffer[index + offset] }
                                count += length
                                index += length
                                continue
                            case .truncated where !atEnd:
                                leftover = Array(buffer[index...])
                                index = buffer.count
                                continue
                            case .truncated, .invalid:
                                break
                            }
                        }
                        count += Self.writeScalar(Windows1252.scalar(for: byte), to: out, at: count)
                        index += 1
                    } else {
                        index += 1
                        switch byte {
                        case 0: continue
                        case 0x0D:
                            out[count] = 0x0A
                            count += 1
                            afterCR = true
                        case 0x0A:
                            if afterCR { afterCR = false; continue }
                            out[count] = 0x0A
                            count += 1
                        default:
                            afterCR = false
                            out[count] = byte
                            count += 1
                        }
                    }
                }
            }
            written = count
        }
        self.afterCR = afterCR
        carry = leftover
        return output
    }

    /// UTF-16 to normalized UTF-8. Two input bytes become at most three output bytes; an odd byte
    /// and an unpaired high surrogate wait for the next piece. Unpaired surrogates become U+FFFD.
    private mutating func convertUTF16(_ input: [UInt8], bigEndian: Bool, atEnd: Bool) -> [UInt8] {
        var afterCR = self.afterCR
        var high = highSurrogate
        let units = input.count / 2
        let output = [UInt8](unsafeUninitializedCapacity: units * 3 + 6) { out, written in
            var count = 0
            func emit(_ value: UInt32) {
                if value == 0 { return }
                if value == 0x0D {
                    out[count] = 0x0A
                    count += 1
                    afterCR = true
                    return
                }
                if value == 0x0A && afterCR {
                    afterCR = false
                    return
                }
                afterCR = false
                count += Self.writeScalar(value, to: out, at: count)
            }
            input.withUnsafeBufferPointer { buffer in
                for index in 0..<units {
                    let first = UInt16(buffer[2 * index])
                    let second = UInt16(buffer[2 * index + 1])
                    let unit = bigEndian ? (first << 8 | second) : (second << 8 | first)
                    if high != 0 {
                        if (0xDC00...0xDFFF).contains(unit) {
                            emit(0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(unit - 0xDC00))
                            high = 0
                            continue
                        }
                        emit(0xFFFD)
                        high = 0
                    }
                    switch unit {
                    case 0xD800...0xDBFF: high = unit
                    case 0xDC00...0xDFFF: emit(0xFFFD)
                    default: emit(UInt32(unit))
                    }
                }
            }
            if atEnd {
                if high != 0 { emit(0xFFFD); high = 0 }
                if input.count % 2 == 1 { emit(0xFFFD) }
            }
            written = count
        }
        self.afterCR = afterCR
        highSurrogate = high
        if !atEnd && input.count % 2 == 1, let last = input.last { carry = [last] }
        return output
    }

    /// Writes one scalar value as UTF-8; returns the byte count (1 to 4).
    private static func writeScalar(_ value: UInt32, to out: UnsafeMutableBufferPointer<UInt8>, at index: Int) -> Int {
        switch value {
        case 0..<0x80:
            out[index] = UInt8(value)
            return 1
        case 0x80..<0x800:
            out[index] = UInt8(0xC0 | (value >> 6))
            out[index + 1] = UInt8(0x80 | (value & 0x3F))
            return 2
        case 0x800..<0x10000:
            out[index] = UInt8(0xE0 | (value >> 12))
            out[index + 1] = UInt8(0x80 | ((value >> 6) & 0x3F))
            out[index + 2] = UInt8(0x80 | (value & 0x3F))
            return 3
        default:
            out[index] = UInt8(0xF0 | (value >> 18))
            out[index + 1] = UInt8(0x80 | ((value >> 12) & 0x3F))
            out[index + 2] = UInt8(0x80 | ((value >> 6) & 0x3F))
            out[index + 3] = UInt8(0x80 | (value & 0x3F))
            return 4
        }
    }
}

/// Well-formedness of one UTF-8 sequence, by the table in Unicode §3.9 (no overlongs, no
/// surrogates, nothing above U+10FFFF).
enum UTF8Sequence {
    case valid(Int)
    /// Well-formed so far, but the buffer ends before the sequence does.
    case truncated
    case invalid

    static func length(in buffer: UnsafeBufferPointer<UInt8>, at index: Int) -> UTF8Sequence {
        let lead = buffer[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0x00...0x7F: return .valid(1)
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return .invalid
        }
        for offset in 1..<length {
            guard index + offset < buffer.count else { return .truncated }
            let byte = buffer[index + offset]
            let range: ClosedRange<UInt8> = offset == 1 ? low...high : 0x80...0xBF
            guard range.contains(byte) else { return .invalid }
        }
        return .valid(length)
    }
}

/// Windows-1252, the superset of Latin-1 that spreadsheet exports use: 0x80–0x9F are
/// typographic characters there, not C1 controls. The five unassigned bytes map to the C1
/// control of the same value, as the WHATWG Encoding Standard does.
enum Windows1252 {
    private static let high: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x2C6, 0x2030, 0x160, 0x2039, 0x152, 0x8D, 0x17D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x2DC, 0x2122, 0x161, 0x203A, 0x153, 0x9D, 0x17E, 0x178,
    ]

    static func scalar(for byte: UInt8) -> UInt32 {
        (0x80...0x9F).contains(byte) ? high[Int(byte) - 0x80] : UInt32(byte)
    }
}
