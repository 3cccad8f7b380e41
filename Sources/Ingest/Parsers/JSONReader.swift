/// A pull reader of JSON events over UTF-8 bytes, for `JSONRecordsParser`.
///
/// Written for ingestion rather than taken from `JSONDecoder`: object members come out in
/// document order (a record reads "name, city, …" as its author wrote it, the same on every run),
/// numbers come out as written ("1.50" stays "1.50"), no tree is built, and nesting is tracked on
/// an explicit stack capped at `maxDepth`, so hostile input (ten thousand `[`) fails cleanly
/// instead of exhausting the thread's stack. Lenient only where it costs nothing: raw control
/// characters inside strings are accepted.
struct JSONReader {
    enum Event: Equatable {
        case objectStart, objectEnd, arrayStart, arrayEnd
        case key([UInt8])
        /// A string's unescaped bytes, a number as written, "true" or "false".
        case scalar([UInt8])
        case null
    }

    /// Where the input stopped being JSON, for messages.
    struct SyntaxError: Error {
        var offset: Int
        var tooDeep = false
    }

    private enum Expect {
        case value
        case valueOrArrayEnd
        case key
        case keyOrObjectEnd
        case afterValue
    }

    static let maxDepth = 512

    private let bytes: [UInt8]
    private var index: Int
    private let end: Int
    /// Open containers: `{` or `[`.
    private var stack: [UInt8] = []
    private var expect = Expect.value

    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        self.index = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
    }

    /// Containers open around the next event.
    var depth: Int { stack.count }

    /// The next event, or nil after the one top-level value and trailing whitespace.
    mutating func next() throws(SyntaxError) -> Event? {
        skipWhitespace()
        switch expect {
        case .afterValue:
            guard let container = stack.last else {
                guard index == end else { throw SyntaxError(offset: index) }
                return nil
            }
            let byte = try peek()
            index += 1
            if byte == UInt8(ascii: ",") {
                expect = container == UInt8(ascii: "{") ? .key : .value
                return try next()
            }
            if byte == UInt8(ascii: "}") && container == UInt8(ascii: "{") {
                stack.removeLast()
                return .objectEnd
            }
            if byte == UInt8(ascii: "]") && container == UInt8(ascii: "[") {
                stack.removeLast()
                return .arrayEnd
            }
            throw SyntaxError(offset: index - 1)
        case .key, .keyOrObjectEnd:
            let byte = try peek()
            if expect == .keyOrObjectEnd && byte == UInt8(ascii: "}") {
                index += 1
                stack.removeLast()
                expect = .afterValue
                return .objectEnd
            }
            guard byte == UInt8(ascii: "\"") else { throw SyntaxError(offset: index) }
            let key = try string()
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw SyntaxError(offset: index) }
            index += 1
            expect = .value
            return .key(key)
        case .value, .valueOrArrayEnd:
            // Nothing but whitespace: an empty document, not a syntax error.
            if stack.isEmpty && index == end { return nil }
            let byte = try peek()
            if expect == .valueOrArrayEnd && byte == UInt8(ascii: "]") {
                index += 1
                stack.removeLast()
                expect = .afterValue
                return .arrayEnd
            }
            return try value(startingWith: byte)
        }
    }

    private mutating func value(startingWith byte: UInt8) throws(SyntaxError) -> Event {
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard stack.count < Self.maxDepth else { throw SyntaxError(offset: index, tooDeep: true) }
            index += 1
            stack.append(byte)
            expect = byte == UInt8(ascii: "{") ? .keyOrObjectEnd : .valueOrArrayEnd
            return byte == UInt8(ascii: "{") ? .objectStart : .arrayStart
        case UInt8(ascii: "\""):
            expect = .afterValue
            return .scalar(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .scalar(Array("true".utf8))
        case UInt8(ascii: "f"):
            try literal("false")
            return .scalar(Array("false".utf8))
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            expect = .afterValue
            return .scalar(try number())
        default:
            throw SyntaxError(offset: index)
        }
    }

    // MARK: - Tokens

    private mutating func skipWhitespace() {
        while index < end {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func peek() throws(SyntaxError) -> UInt8 {
        guard index < end else { throw SyntaxError(offset: index) }
        return bytes[index]
    }

    private mutating func literal(_ word: StaticString) throws(SyntaxError) {
        let length = word.utf8CodeUnitCount
        guard index + length <= end else { throw SyntaxError(offset: index) }
        let matches = word.withUTF8Buffer { expected in
            (0..<length).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw SyntaxError(offset: index) }
        index += length
        expect = .afterValue
    }

    /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, returned as written.
    private mutating func number() throws(SyntaxError) -> [UInt8] {
        let start = index
        func digits() -> Int {
            let from = index
            while index < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else {
            throw SyntaxError(offset: start)
        }
        if index < end, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw SyntaxError(offset: index) }
        }
        if index < end, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw SyntaxError(offset: index) }
        }
        return Array(bytes[start..<index])
    }

    /// The string starting at the opening quote, unescaped. Runs without escapes are copied in
    /// bulk; `\u` escapes pair surrogates, and a lone surrogate becomes U+FFFD.
    private mutating func string() throws(SyntaxError) -> [UInt8] {
        index += 1
        var out: [UInt8] = []
        while true {
            let runStart = index
            while index < end, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
            out += bytes[runStart..<index]
            guard index < end else { throw SyntaxError(offset: index) }
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                return out
            }
            guard index + 1 < end else { throw SyntaxError(offset: index) }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"): appendScalar(try unicodeEscape(), to: &out)
            default: throw SyntaxError(offset: index - 2)
            }
        }
    }

    /// The scalar of a `\uXXXX` escape (the `\u` already read), joining a surrogate pair.
    private mutating func unicodeEscape() throws(SyntaxError) -> UInt32 {
        let first = try hex4()
        guard (0xD800...0xDBFF).contains(first) else {
            return (0xDC00...0xDFFF).contains(first) ? 0xFFFD : first
        }
        guard index + 1 < end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { return 0xFFFD }
        let saved = index
        index += 2
        let second = try hex4()
        guard (0xDC00...0xDFFF).contains(second) else {
            index = saved
            return 0xFFFD
        }
        return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
    }

    private mutating func hex4() throws(SyntaxError) -> UInt32 {
        guard index + 4 <= end else { throw SyntaxError(offset: index) }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw SyntaxError(offset: index + offset)
            }
            value = value << 4 | digit
        }
        index += 4
        return value
    }

    private func appendScalar(_ value: UInt32, to out: inout [UInt8]) {
        // NUL is dropped, as TextDecoder drops it from raw text.
        guard value != 0, let scalar = Unicode.Scalar(value) else { return }
        UTF8.encode(scalar) { out.append($0) }
    }
}
