import Ingest
import Testing

@Suite struct ByteSourceTests {
    @Test func memorySourceHandsOutEveryByteInPieces() throws {
        var source = MemorySource(Array(0..<10), pieceSize: 3)
        var pieces: [[UInt8]] = []
        while let piece = try source.next() { pieces.append(piece) }
        #expect(pieces == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]])
    }

    @Test func readAllRefusesMoreThanItsLimit() throws {
        var source = MemorySource(Array(repeating: 1, count: 100), pieceSize: 7)
        #expect(throws: ParseFailure.self) { try source.readAll(limit: 99) }
        var whole = MemorySource(Array(repeating: 1, count: 100), pieceSize: 7)
        #expect(try whole.readAll(limit: 100).count == 100)
    }
}
