import ArgumentParser
import Glibc

/// Reads the line-based input files the commands take (benchmark texts, BEIR collections).
enum TextFile {
    /// The file's non-empty lines, without their line ends (LF or CRLF).
    static func lines(_ path: String) throws -> [String] {
        guard let file = fopen(path, "r") else { throw ValidationError("cannot read \(path)") }
        defer { fclose(file) }
        var lines: [String] = []
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        while getline(&buffer, &capacity, file) > 0, let buffer {
            var line = String(cString: buffer)
            while line.hasSuffix("\n") || line.hasSuffix("\r") { line.removeLast() }
            if !line.isEmpty { lines.append(line) }
        }
        free(buffer)
        return lines
    }
}
