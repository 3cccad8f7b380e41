import Glibc

/// multipart/form-data (RFC 7578, framing from RFC 2046 §5.1) over a body already in memory.
///
/// Parts are returned as byte ranges into the body, so an uploaded file is never copied here; the
/// caller slices `body[part.content]` when it stores it. The boundary is found with `memchr` on
/// line feeds plus a compare, linear in the body even for hostile input, so a 200 MB upload costs
/// one pass. Anything malformed is a `Problem` naming what is wrong, worded for the client's
/// developer: 400 for broken framing or headers, 415 when the body is not multipart/form-data.
///
/// Tolerated, because real clients send them: bare LF line ends, whitespace after a boundary,
/// folded header lines, a preamble and an epilogue (both ignored).
public enum Multipart {
    /// One form field or file.
    public struct Part: Sendable, Equatable {
        /// The form field name from `Content-Disposition`.
        public var name: String
        /// The client's file name without any directory part (RFC 7578 §4.2: paths are not
        /// to be trusted), from `filename*` (RFC 5987) when present, else `filename`. Nil for a
        /// plain field; an empty string when a file input was left empty.
        public var filename: String?
        /// The part's `Content-Type` header as sent, if any.
        public var contentType: String?
        /// Where the content is in the body.
        public var content: Range<Int>

        public init(name: String, filename: String? = nil, contentType: String? = nil, content: Range<Int>) {
            self.name = name
            self.filename = filename
            self.contentType = contentType
            self.content = content
        }
    }

    /// More parts than this is not a form a person filled in.
    public static let maxParts = 100
    /// A part's header block is a few hundred bytes; more is abuse.
    public static let maxHeaderBytes = 16 * 1024

    /// Parses `body` with the boundary named in the request's `Content-Type`.
    public static func parse(_ body: [UInt8], contentType: String?) throws(Problem) -> [Part] {
        try parse(body, boundary: boundary(contentType: contentType))
    }

    /// The `boundary` parameter of a multipart/form-data `Content-Type`, quoted or not.
    public static func boundary(contentType: String?) throws(Problem) -> String {
        guard let contentType, !contentType.isEmpty else {
            throw Problem.unsupportedMediaType("Send the upload as multipart/form-data; the request has no Content-Type.")
        }
        var fields = HeaderValue(contentType)
        guard fields.token().lowercased() == "multipart/form-data" else {
            throw Problem.unsupportedMediaType("Send the upload as multipart/form-data, not \(contentType.prefix(100)).")
        }
        var boundary: String?
        while let (name, value) = try fields.parameter() {
            if name == "boundary" {
                boundary = value
                break
            }
        }
        guard let boundary, !boundary.isEmpty else {
            throw Problem.badRequest("The multipart/form-data Content-Type has no boundary parameter.")
        }
        guard boundary.utf8.count <= 70 else {
            throw Problem.badRequest("The multipart boundary is longer than 70 characters.")
        }
        // RFC 2046 bchars; a trailing space is not allowed. CR, LF and '-' runs stay unambiguous.
        let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ".utf8)
        guard boundary.utf8.allSatisfy(allowed.contains), boundary.utf8.last != 0x20 else {
            throw Problem.badRequest("The multipart boundary contains characters RFC 2046 does not allow.")
        }
        return boundary
    }

    /// Parses `body` split by `boundary` (without the leading "--").
    public static func parse(_ body: [UInt8], boundary: String) throws(Problem) -> [Part] {
        let delimiter = Array("--\(boundary)".utf8)
        let result: Result<[Part], Problem> = body.withUnsafeBufferPointer { bytes in
            do throws(Problem) {
                return .success(try Scanner(bytes: bytes, delimiter: delimiter).parts())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

extension Request {
    /// The body's form parts; see `Multipart`.
    public func multipartParts() throws(Problem) -> [Multipart.Part] {
        try Multipart.parse(body, contentType: header("content-type"))
    }
}

/// Walks the body once: delimiter lines, header blocks, content up to the next delimiter line.
private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let delimiter: [UInt8]

    /// A delimiter line: where its line break starts (the content ends there), where the next
    /// thing starts, and whether it was the closing one.
    struct Delimiter {
        var contentEnd: Int
        var next: Int
        var isFinal: Bool
    }

    func parts() throws(Problem) -> [Multipart.Part] {
        // The first delimiter may start the body; any text before it is preamble.
        guard var current = findDelimiter(from: 0, atStart: true) else {
            throw Problem.badRequest("The multipart body does not contain its boundary; check the boundary in Content-Type.")
        }
        var parts: [Multipart.Part] = []
        while !current.isFinal {
            guard parts.count < Multipart.maxParts else {
                throw Problem.badRequest("The form has more than \(Multipart.maxParts) parts.")
            }
            let number = parts.count + 1
            let (headers, contentStart) = try headerBlock(from: current.next, part: number)
            guard let next = findDelimiter(from: contentStart, atStart: false) else {
                throw Problem.badRequest("The multipart body ends without its closing boundary (--boundary--); the upload may be truncated.")
            }
            var part = try PartHeaders.parse(headers, part: number)
            part.content = contentStart..<max(contentStart, next.contentEnd)
            parts.append(part)
            current = next
        }
        return parts
    }

    /// Finds the next delimiter line at or after `from`. Inside content a delimiter counts only
    /// at a line start (after LF or CRLF) and when followed by "--", whitespace or a line end, so
    /// the boundary text appearing elsewhere in a file does not split it.
    func findDelimiter(from start: Int, atStart: Bool) -> Delimiter? {
        if atStart, let found = delimiter(at: start, lineBreak: start) { return found }
        var position = start
        while position < bytes.count, let base = bytes.baseAddress {
            guard let hit = memchr(base + position, 0x0A, bytes.count - position) else { return nil }
            let newline = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
            let lineBreak = newline > start && bytes[newline - 1] == 0x0D ? newline - 1 : newline
            if let found = delimiter(at: newline + 1, lineBreak: lineBreak) { return found }
            position = newline + 1
        }
        return nil
    }

    /// Whether a delimiter line starts at `index`; `lineBreak` is where the content before it ends.
    private func delimiter(at index: Int, lineBreak: Int) -> Delimiter? {
        guard bytes.count - index >= delimiter.count else { return nil }
        for offset in 0..<delimiter.count where bytes[index + offset] != delimiter[offset] { return nil }
        var cursor = index + delimiter.count
        if cursor + 2 <= bytes.count, bytes[cursor] == 0x2D, bytes[cursor + 1] == 0x2D {
            return Delimiter(contentEnd: lineBreak, next: cursor + 2, isFinal: true)
        }
        while cursor < bytes.count, bytes[cursor] == 0x20 || bytes[cursor] == 0x09 { cursor += 1 }
        if cursor < bytes.count, bytes[cursor] == 0x0D { cursor += 1 }
        guard cursor < bytes.count, bytes[cursor] == 0x0A else { return nil }
        return Delimiter(contentEnd: lineBreak, next: cursor + 1, isFinal: false)
    }

    /// The header lines of the part starting at `start`, and where its content starts (after
    /// the blank line). Folded lines are joined to the line they continue.
    private func headerBlock(from start: Int, part: Int) throws(Problem) -> ([String], Int) {
        var lines: [String] = []
        var lineStart = start
        let limit = min(bytes.count, start + Multipart.maxHeaderBytes)
        while true {
            var end = lineStart
            while end < limit, bytes[end] != 0x0A { end += 1 }
            guard end < limit else {
                if limit < bytes.count {
                    throw Problem.badRequest("The headers of part \(part) are longer than \(Multipart.maxHeaderBytes / 1024) KiB.")
                }
                throw Problem.badRequest("The multipart body ends inside the headers of part \(part).")
            }
            let contentEnd = end > lineStart && bytes[end - 1] == 0x0D ? end - 1 : end
            if contentEnd == lineStart { return (lines, end + 1) }
            let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<contentEnd]), as: UTF8.self)
            if bytes[lineStart] == 0x20 || bytes[lineStart] == 0x09, let last = lines.popLast() {
                lines.append(last + " " + line.trimmingSpaces())
            } else {
                lines.append(line)
            }
            lineStart = end + 1
        }
    }
}

/// Reads one part's header lines into a `Part` (content filled in by the caller).
private enum PartHeaders {
    static func parse(_ lines: [String], part number: Int) throws(Problem) -> Multipart.Part {
        var disposition: String?
        var contentType: String?
        for line in lines {
            guard let colon = line.utf8.firstIndex(of: UInt8(ascii: ":")) else {
                throw Problem.badRequest("Part \(number) has a malformed header line (no colon).")
            }
            let name = line[..<colon].lowercased().trimmingSpaces()
            let value = String(line[line.utf8.index(after: colon)...]).trimmingSpaces()
            switch name {
            case "content-disposition": disposition = value
            case "content-type": contentType = value.isEmpty ? nil : value
            default: break
            }
        }
        guard let disposition else {
            throw Problem.badRequest("Part \(number) has no Content-Disposition header.")
        }
        var fields = HeaderValue(disposition)
        guard fields.token().lowercased() == "form-data" else {
            throw Problem.badRequest("Part \(number) is not form-data (Content-Disposition: \(disposition.prefix(60))).")
        }
        var name: String?
        var filename: String?
        var extendedFilename: String?
        while let (key, value) = try fields.parameter() {
            switch key {
            case "name": name = value
            case "filename": filename = value
            case "filename*":
                guard let decoded = decodeExtended(value) else {
                    throw Problem.badRequest("Part \(number) has a malformed filename* parameter (RFC 5987: UTF-8''percent-encoded).")
                }
                extendedFilename = decoded
            default: break
            }
        }
        guard let name, !name.isEmpty else {
            throw Problem.badRequest("Part \(number) has no field name (Content-Disposition name=\"…\").")
        }
        return Multipart.Part(name: name, filename: (extendedFilename ?? filename).map(baseName),
                              contentType: contentType, content: 0..<0)
    }

    /// RFC 5987 `charset'language'percent-encoded`; UTF-8 and ISO-8859-1 are the charsets it
    /// requires recipients to support.
    static func decodeExtended(_ value: String) -> String? {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3 else { return nil }
        let charset = pieces[0].lowercased()
        var bytes: [UInt8] = []
        var iterator = pieces[2].utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        switch charset {
        case "utf-8": return String(validating: bytes, as: UTF8.self)
        case "iso-8859-1": return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        default: return nil
        }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The last path component: old browsers sent "C:\Users\…\report.pdf".
    static func baseName(_ filename: String) -> String {
        guard let slash = filename.lastIndex(where: { $0 == "/" || $0 == "\\" }) else { return filename }
        return String(filename[filename.index(after: slash)...])
    }
}

/// A header value of the form `token *( ";" name "=" ( token / quoted-string ) )`, read left to
/// right. Parameter names come back lower-cased; quoted values unescaped.
private struct HeaderValue {
    private var rest: Substring

    init(_ value: String) { rest = Substring(value) }

    /// The leading token (a media type, a disposition type).
    mutating func token() -> String {
        let end = rest.firstIndex(of: ";") ?? rest.endIndex
        let token = rest[..<end].trimmingSpaces()
        rest = rest[end...]
        return token
    }

    /// The next parameter, or nil at the end.
    mutating func parameter() throws(Problem) -> (String, String)? {
        while let first = rest.first, first == ";" || first == " " || first == "\t" { rest.removeFirst() }
        guard !rest.isEmpty else { return nil }
        guard let equals = rest.firstIndex(of: "=") else {
            throw Problem.badRequest("A header parameter has no value: \(rest.prefix(60)).")
        }
        let name = rest[..<equals].trimmingSpaces().lowercased()
        rest = rest[rest.index(after: equals)...]
        while let first = rest.first, first == " " || first == "\t" { rest.removeFirst() }
        guard rest.first == "\"" else {
            let end = rest.firstIndex(of: ";") ?? rest.endIndex
            let value = rest[..<end].trimmingSpaces()
            rest = rest[end...]
            return (name, value)
        }
        // Quoted string: `\"` and `\\` are escapes; any other backslash is kept, since browsers
        // send Windows paths unescaped.
        rest.removeFirst()
        var value = ""
        var index = rest.startIndex
        while index < rest.endIndex {
            let character = rest[index]
            if character == "\"" {
                rest = rest[rest.index(after: index)...]
                return (name, value)
            }
            if character == "\\", rest.index(after: index) < rest.endIndex {
                let next = rest[rest.index(after: index)]
                if next == "\"" || next == "\\" {
                    value.append(next)
                    index = rest.index(index, offsetBy: 2)
                    continue
                }
            }
            value.append(character)
            index = rest.index(after: index)
        }
        throw Problem.badRequest("A quoted header parameter (\(name)) is not closed.")
    }
}

private extension StringProtocol {
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
