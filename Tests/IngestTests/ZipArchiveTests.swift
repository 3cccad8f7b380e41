import Ingest
import TestSupport
import Testing

@Suite struct ZipArchiveTests {
    private let text = Array(String(repeating: "Parley reads zip archives. ", count: 200).utf8)

    @Test func storedAndDeflatedEntriesRoundTrip() throws {
        let bytes = ZipWriter.archive([("a.txt", text, false), ("dir/b.xml", text, true), ("empty", [], true)])
        var archive = try ZipArchive(bytes)
        #expect(archive.entries.map(\.name) == ["a.txt", "dir/b.xml", "empty"])
        #expect(archive.entry(named: "a.txt")?.method == 0)
        let deflated = try #require(archive.entry(named: "dir/b.xml"))
        #expect(deflated.method == 8)
        #expect(deflated.compressedSize < text.count)
        #expect(try archive.extract("a.txt", limit: 1 << 20) == text)
        #expect(try archive.extract("dir/b.xml", limit: 1 << 20) == text)
        #expect(try archive.extract("empty", limit: 1 << 20) == [])
        #expect(archive.extractedBytes == 2 * text.count)
    }

    @Test func endRecordIsFoundBehindAComment() throws {
        let bytes = ZipWriter.archive(raw: [
            .init(name: "x", method: 0, data: text, crc32: ZipWriter.crc32(text), uncompressedSize: text.count),
        ], comment: Array(repeating: UInt8(ascii: "c"), count: 60_000))
        var archive = try ZipArchive(bytes)
        #expect(try archive.extract("x", limit: 1 << 20) == text)
    }

    @Test func checksumMismatchIsDetected() throws {
        for method: UInt16 in [0, 8] {
            let data = method == 8 ? ZipWriter.deflate(text) : text
            let bytes = ZipWriter.archive(raw: [
                .init(name: "x", method: method, data: data, crc32: ZipWriter.crc32(text) ^ 1, uncompressedSize: text.count),
            ])
            var archive = try ZipArchive(bytes)
            #expect(throws: ZipError.checksumMismatch("x")) { try archive.extract("x", limit: 1 << 20) }
        }
    }

    @Test func garbageIsNotAZipArchive() {
        #expect(throws: ZipError.notZip) { try ZipArchive([]) }
        #expect(throws: ZipError.notZip) { try ZipArchive(Array("hello, this is not a zip file at all".utf8)) }
        #expect(ZipError.notZip.failure(format: "DOCX").reason == "not a DOCX: the file is not a ZIP archive")
    }

    @Test func everyTruncationFailsCleanly() throws {
        let bytes = ZipWriter.archive([("a.txt", text, true), ("b.txt", text, false)])
        for length in stride(from: 0, to: bytes.count, by: 7) {
            let prefix = Array(bytes[0..<length])
            do {
                var archive = try ZipArchive(prefix)
                for entry in archive.entries { _ = try archive.extract(entry.name, limit: 1 << 20) }
                Issue.record("a truncated archive of \(length) bytes was read")
            } catch {
                #expect(!error.failure(format: "DOCX").reason.isEmpty)
            }
        }
    }

    @Test func corruptedBytesNeverCrash() throws {
        let bytes = ZipWriter.archive([("a.txt", text, true), ("b.txt", text, false)])
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var damaged = bytes
            for _ in 0..<4 {
                damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            if var archive = try? ZipArchive(damaged) {
                for entry in archive.entries { _ = try? archive.extract(entry.name, limit: 1 << 20) }
            }
        }
    }

    @Test func encryptedAndUnknownMethodsAreRefused() throws {
        let bytes = ZipWriter.archive(raw: [
            .init(name: "secret", method: 0, data: text, crc32: ZipWriter.crc32(text), uncompressedSize: text.count, flags: 1),
            .init(name: "bzip", method: 12, data: text, crc32: ZipWriter.crc32(text), uncompressedSize: text.count),
        ])
        var archive = try ZipArchive(bytes)
        #expect(throws: ZipError.encrypted("secret")) { try archive.extract("secret", limit: 1 << 20) }
        #expect(throws: ZipError.unsupportedMethod("bzip", method: 12)) { try archive.extract("bzip", limit: 1 << 20) }
        #expect(throws: ZipError.missingEntry("nope")) { try archive.extract("nope", limit: 1 << 20) }
    }

    @Test func entryLimitCountsInflatedBytesNotTheDeclaredSize() throws {
        let zeros = ZipWriter.deflatedZeros(count: 4 << 20)
        // The header claims 100 bytes; inflation must stop at the limit anyway.
        let bytes = ZipWriter.archive(raw: [
            .init(name: "bomb", method: 8, data: zeros.data, crc32: zeros.crc32, uncompressedSize: 100),
        ])
        var archive = try ZipArchive(bytes)
        #expect(throws: ZipError.entryTooLarge("bomb", limit: 1 << 20)) { try archive.extract("bomb", limit: 1 << 20) }
    }

    @Test func totalLimitSpansAllEntries() throws {
        let chunk = [UInt8](repeating: 7, count: 600 << 10)
        let bytes = ZipWriter.archive([("one", chunk, true), ("two", chunk, true)])
        var archive = try ZipArchive(bytes, totalLimit: 1 << 20)
        #expect(try archive.extract("one", limit: .max).count == chunk.count)
        #expect(throws: ZipError.archiveTooLarge(limit: 1 << 20)) { try archive.extract("two", limit: .max) }
        #expect(ZipError.archiveTooLarge(limit: 256 << 20).failure(format: "DOCX").reason
            == "DOCX expands beyond 256 MB when decompressed (zip bomb?)")
    }
}
