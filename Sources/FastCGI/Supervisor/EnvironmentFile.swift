import Glibc

/// `KEY=VALUE` lines, the format of systemd's `EnvironmentFile=`, re-read by the supervisor on
/// SIGHUP so a reload can change workers' configuration without restarting the service.
///
/// Accepted: blank lines, `#` and `;` comments, an optional `export ` prefix, values in single or
/// double quotes (double quotes understand `\"`, `\\`, `\n`). Anything else is an error naming the
/// line, rather than a silently ignored setting.
enum EnvironmentFile {
    enum ParseError: Error, Equatable, CustomStringConvertible {
        case unreadable(path: String, code: Int32)
        case tooLarge(path: String)
        case invalidLine(Int)

        var description: String {
            switch self {
            case .unreadable(let path, let code): return "cannot read \(path): \(errnoDescription(code))"
            case .tooLarge(let path): return "\(path) is larger than 1 MiB"
            case .invalidLine(let line): return "line \(line) is not KEY=VALUE"
            }
        }
    }

    static func load(path: String) throws(ParseError) -> [(String, String)] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, code: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8_192)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, code: errno)
            }
            bytes += chunk[0..<count]
            if bytes.count > 1 << 20 { throw .tooLarge(path: path) }
        }
        return try parse(String(decoding: bytes, as: UTF8.self))
    }

    static func parse(_ text: String) throws(ParseError) -> [(String, String)] {
        var entries: [(String, String)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine.trimmingWhitespace())
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("export ") { line = Substring(line.dropFirst(7).trimmingWhitespace()) }
            guard let equals = line.firstIndex(of: "=") else { throw .invalidLine(index + 1) }
            let key = String(line[..<equals].trimmingWhitespace())
            guard isValidKey(key), let value = unquote(line[line.index(after: equals)...].trimmingWhitespace()) else {
                throw .invalidLine(index + 1)
            }
            entries.append((key, value))
        }
        return entries
    }

    private static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || first.isASCIILetter else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || $0.isASCIILetter || ("0"..."9").contains($0) }
    }

    private static func unquote(_ value: Substring) -> String? {
        guard let quote = value.first, quote == "\"" || quote == "'" else { return String(value) }
        guard value.count >= 2, value.last == quote else { return nil }
        let inner = value.dropFirst().dropLast()
        if quote == "'" { return String(inner) }
        var result = ""
        var escaping = false
        for character in inner {
            if escaping {
                result.append(character == "n" ? "\n" : character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        return escaping ? nil : result
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> Substring {
        let trimmed = self.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
        var end = trimmed.endIndex
        while end > trimmed.startIndex {
            let before = trimmed.index(before: end)
            guard trimmed[before] == " " || trimmed[before] == "\t" || trimmed[before] == "\r" else { break }
            end = before
        }
        return Substring(trimmed[trimmed.startIndex..<end])
    }
}
