/// The bytes of a document, piece by piece, so formats that can be parsed as a stream (CSV, JSON
/// Lines, plain text) never hold the whole file: the ingest job reads the stored parts of a
/// document one at a time. Formats that need random access (PDF, DOCX) call `readAll(limit:)`.
public protocol ByteSource {
    /// The next piece of the document (any size, never empty), or nil at its end.
    mutating func next() throws -> [UInt8]?
}

extension ByteSource {
    /// Reads the rest of the document into one array, failing once it passes `limit` bytes.
    public mutating func readAll(limit: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let piece = try next() {
            if bytes.count + piece.count > limit {
                throw ParseFailure("the document is larger than \(limit) bytes, the most this format can be read whole")
            }
            bytes += piece
        }
        return bytes
    }
}

/// A document already in memory, handed out in pieces of `pieceSize` bytes (tests use small
/// pieces to exercise the streaming parsers' boundaries).
public struct MemorySource: ByteSource {
    private let bytes: [UInt8]
    private let pieceSize: Int
    private var offset = 0

    public init(_ bytes: [UInt8], pieceSize: Int = 1 << 20) {
        self.bytes = bytes
        self.pieceSize = max(1, pieceSize)
    }

    public mutating func next() throws -> [UInt8]? {
        guard offset < bytes.count else { return nil }
        let end = min(bytes.count, offset + pieceSize)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}
