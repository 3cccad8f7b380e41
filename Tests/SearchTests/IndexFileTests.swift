import CKernels
import Glibc
@testable import Search
import Testing

@Suite struct IndexFileTests {
    // MARK: - Round trip and statistics

    @Test func roundTripKeepsIdsStatisticsAndDocumentFrequencies() throws {
        let dir = try IndexTestDirectory()
        let chunks = [
            chunk(30, "c-b", "d1", ["alpha": 2, "beta": 1], length: 5, [1, 0, 0]),
            chunk(10, "c-a", "d2", ["alpha": 1], length: 3, [0, 1, 0]),
            chunk(20, "c-b", "d3", ["gamma": 4, "é": 1], length: 7, [0, 0, 1]),
        ]
        try IndexFileWriter.write(chunks, dimensions: 3, generation: 7, watermark: 30, to: dir.file)
        let file = try IndexFile.open(path: dir.file)
        #expect(file.generation == 7)
        #expect(file.watermark == 30)
        #expect(file.chunkCount == 3)
        #expect(file.dimensions == 3)
        #expect(file.totalLength == 15)
        #expect(file.averageLength == 5)
        #expect(file.termCount == 4)
        #expect(file.collectionIDs == ["c-a", "c-b"])
        #expect(file.documentIDs == ["d1", "d2", "d3"])
        #expect((0..<3).compactMap(file.chunkID(at:)) == [30, 10, 20])
        #expect(file.documentFrequency("alpha") == 2)
        #expect(file.documentFrequency("gamma") == 1)
        #expect(file.documentFrequency("é") == 1)
        #expect(file.documentFrequency("delta") == 0)
        #expect(file.documentFrequency("") == 0)
    }

    @Test func emptyCorpusOpensAndFindsNothing() throws {
        let dir = try IndexTestDirectory()
        try IndexFileWriter.write([IndexedChunk](), dimensions: 8, generation: 1, watermark: 0, to: dir.file)
        let file = try IndexFile.open(path: dir.file)
        let filter = ChunkFilter.all.compile(for: file)
        #expect(file.chunkCount == 0)
        #expect(file.dense(query: [Float](repeating: 0.5, count: 8), filter: filter, k: 5).isEmpty)
        #expect(file.bm25(terms: [("x", 1)], parameters: .init(), statistics: .init(documentCount: 0, averageLength: 0), filter: filter, k: 5).isEmpty)
    }

    // MARK: - BM25

    @Test func bm25EqualsBruteForceOverTheSameFormula() throws {
        let dir = try IndexTestDirectory()
        var rng = SplitMix64(seed: 42)
        let vocabulary = (0..<40).map { "t\($0)" }
        let chunks = (0..<300).map { i -> IndexedChunk in
            var counts: [String: Int] = [:]
            for _ in 0..<(1 + Int(rng.next() % 12)) { counts[vocabulary[Int(rng.next() % 40)], default: 0] += 1 + Int(rng.next() % 3) }
            return chunk(Int64(1000 + i), "c\(i % 3)", "d\(i / 4)", counts, length: counts.values.reduce(0, +), [1])
        }
        try IndexFileWriter.write(chunks, dimensions: 1, generation: 1, watermark: 1299, to: dir.file)
        let file = try IndexFile.open(path: dir.file)
        let stats = BM25Statistics(documentCount: file.chunkCount, averageLength: file.averageLength)
        let params = BM25Parameters()
        let query = ["t1", "t7", "t33", "missing"].map { (term: $0, idf: BM25.idf(documentFrequency: file.documentFrequency($0), documentCount: file.chunkCount)) }

        let got = file.bm25(terms: query, parameters: params, statistics: stats, filter: ChunkFilter.all.compile(for: file), k: 10)
        var expected: [Int64: Double] = [:]
        for c in chunks {
            var score = 0.0
            for (term, idf) in query { score += BM25.termScore(tf: c.termCounts[term] ?? 0, length: c.length, idf: idf, statistics: stats, parameters: params) }
            if score > 0 { expected[c.id] = score }
        }
        let best = expected.values.sorted(by: >)
        #expect(got.count == 10)
        for (rank, hit) in got.enumerated() {
            #expect(abs(hit.score - best[rank]) < 1e-5 * best[rank])
            #expect(abs((expected[hit.chunkID] ?? -1) - hit.score) < 1e-5 * hit.score)
        }
    }

    // MARK: - Dense

    @Test func exactDenseSearchEqualsBruteForce() throws {
        let dir = try IndexTestDirectory()
        var rng = SplitMix64(seed: 7)
        let vectors = (0..<500).map { _ in rng.unitVector(dimensions: 24) }
        try IndexFileWriter.write(vectors.enumerated().map { chunk(Int64($0.offset), "c", "d\($0.offset)", [:], length: 0, $0.element) },
                                  dimensions: 24, generation: 1, watermark: 499, to: dir.file)
        let file = try IndexFile.open(path: dir.file)
        let query = rng.unitVector(dimensions: 24)
        let got = file.dense(query: query, filter: ChunkFilter.all.compile(for: file), k: 10)
        let expected = vectors.enumerated()
            .map { (id: Int64($0.offset), score: zip($0.element, query).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }) }
            .sorted { $0.score > $1.score }.prefix(10)
        #expect(got.map(\.chunkID) == expected.map(\.id))
        for (g, e) in zip(got, expected) { #expect(abs(g.score - e.score) < 1e-5) }
        #expect(file.dense(query: [1, 2], filter: ChunkFilter.all.compile(for: file), k: 10).isEmpty)
    }

    @Test func signPrefilterKeepsNinetyFivePercentOfTheTrueTopTen() throws {
        let dir = try IndexTestDirectory()
        var rng = SplitMix64(seed: 2024)
        let dims = 64
        let file = try randomVectorFile(count: 60_000, dimensions: dims, rng: &rng, in: dir)
        let filter = ChunkFilter.all.compile(for: file)
        var found = 0, total = 0
        for _ in 0..<40 {
            let query = rng.unitVector(dimensions: dims)
            let approximate = Set(file.dense(query: query, filter: filter, k: 10, strategy: .signs).map(\.chunkID))
            let exact = file.dense(query: query, filter: filter, k: 10, strategy: .exact).map(\.chunkID)
            found += exact.filter(approximate.contains).count
            total += exact.count
        }
        #expect(Double(found) / Double(total) >= 0.95)
    }

    @Test func int8ScanFindsTheExactTopTenWithExactScores() throws {
        let dir = try IndexTestDirectory()
        var rng = SplitMix64(seed: 11)
        let dims = 96
        let file = try randomVectorFile(count: 20_000, dimensions: dims, rng: &rng, in: dir)
        let filter = ChunkFilter.all.compile(for: file)
        var found = 0, total = 0
        for _ in 0..<40 {
            let query = rng.unitVector(dimensions: dims)
            let int8 = file.dense(query: query, filter: filter, k: 10, strategy: .int8)
            let exact = file.dense(query: query, filter: filter, k: 10, strategy: .exact)
            found += Set(int8.map(\.chunkID)).intersection(exact.map(\.chunkID)).count
            total += exact.count
            // What it returns is scored exactly (from the float vectors), whatever it missed.
            let exactScores = Dictionary(uniqueKeysWithValues: exact.map { ($0.chunkID, $0.score) })
            for hit in int8 { if let e = exactScores[hit.chunkID] { #expect(abs(hit.score - e) < 1e-5) } }
        }
        #expect(Double(found) / Double(total) >= 0.99)
    }

    @Test func quantizedRowsAreTheVectorsAtTheirOwnScale() throws {
        let dir = try IndexTestDirectory()
        var rng = SplitMix64(seed: 5)
        let vectors = (0..<300).map { _ in rng.unitVector(dimensions: 70) } + [[Float](repeating: 0, count: 70)]
        try IndexFileWriter.write(vectors.enumerated().map { chunk(Int64($0.offset), "c", "d", [:], length: 0, $0.element) },
                                  dimensions: 70, generation: 1, watermark: 300, to: dir.file)
        let file = try IndexFile.open(path: dir.file)
        for (i, v) in vectors.enumerated() {
            var expected = [Int8](repeating: 0, count: 70)
            let scale = parley_quantize_i8(v, 70, &expected)
            #expect(file.scales[i] == scale)
            #expect((0..<70).map { file.quantized[i * 70 + $0] } == expected)
            for j in 0..<70 { #expect(abs(Float(expected[j]) * scale - v[j]) <= scale / 2 + 1e-7) }
        }
    }

    // MARK: - Filters

    @Test func filtersExcludeCollectionsAndDocuments() throws {
        let dir = try IndexTestDirectory()
        let chunks = (0..<12).map { i in
            chunk(Int64(i), "col\(i % 3)", "doc\(i / 2)", ["shared": 1], length: 4, [Float(i + 1), 1])
        }
        try IndexFileWriter.write(chunks, dimensions: 2, generation: 1, watermark: 11, to: dir.file)
        let file = try IndexFile.open(path: dir.file)
        let stats = BM25Statistics(documentCount: 12, averageLength: 4)
        func ids(_ filter: ChunkFilter) -> (dense: Set<Int64>, bm25: Set<Int64>) {
            let compiled = filter.compile(for: file)
            // Every dense path applies the filter the same way (the C scans and the Swift one).
            let dense = Set(file.dense(query: [0.6, 0.8], filter: compiled, k: 100).map(\.chunkID))
            for strategy in [IndexFile.DenseStrategy.exact, .signs] {
                #expect(Set(file.dense(query: [0.6, 0.8], filter: compiled, k: 100, strategy: strategy).map(\.chunkID)) == dense)
            }
            return (dense,
                    Set(file.bm25(terms: [("shared", 1)], parameters: .init(), statistics: stats, filter: compiled, k: 100).map(\.chunkID)))
        }
        let byCollection = ids(ChunkFilter(collectionIDs: ["col1", "unknown"]))
        #expect(byCollection.dense == [1, 4, 7, 10])
        #expect(byCollection.bm25 == [1, 4, 7, 10])
        let byDocument = ids(ChunkFilter(documentIDs: ["doc0", "doc5"]))
        #expect(byDocument.dense == [0, 1, 10, 11])
        #expect(byDocument.bm25 == [0, 1, 10, 11])
        let excluded = ids(ChunkFilter(collectionIDs: ["col0"], excludedDocumentIDs: ["doc0", "doc3"]))
        #expect(excluded.dense == [3, 9])
        #expect(excluded.bm25 == [3, 9])
        #expect(ids(ChunkFilter(collectionIDs: [])).dense.isEmpty)
        #expect(ids(.all).dense.count == 12)

        // Ordinals mean nothing in another file: a foreign filter finds nothing rather than wrong chunks.
        try IndexFileWriter.write(chunks, dimensions: 2, generation: 2, watermark: 11, to: dir.path + "/other")
        let other = try IndexFile.open(path: dir.path + "/other")
        #expect(file.dense(query: [0.6, 0.8], filter: ChunkFilter.all.compile(for: other), k: 5).isEmpty)
    }

    // MARK: - Corruption and atomicity

    @Test func openRejectsMissingTruncatedAndBitFlippedFiles() throws {
        let dir = try IndexTestDirectory()
        #expect(throws: IndexFileError.self) { try IndexFile.open(path: dir.file) }
        var rng = SplitMix64(seed: 3)
        let chunks = (0..<10).map { i in chunk(Int64(i), "c", "d\(i)", ["w\(i % 7)": 1], length: 1, rng.unitVector(dimensions: 5)) }
        try IndexFileWriter.write(chunks, dimensions: 5, generation: 1, watermark: 9, to: dir.file)
        let good = try readAll(dir.file)
        #expect(throws: Never.self) { try IndexFile.open(path: dir.file) }

        for length in [0, 100, IndexFileFormat.headerSize, good.count / 2, good.count - 1] {
            try writeAll(Array(good.prefix(length)), to: dir.file)
            #expect(throws: IndexFileError.self) { try IndexFile.open(path: dir.file) }
        }
        // A flipped bit anywhere: header, its padding, every section and the padding between them.
        for offset in 0..<good.count {
            var bad = good
            bad[offset] ^= 0x10
            try writeAll(bad, to: dir.file)
            #expect(throws: IndexFileError.self) { try IndexFile.open(path: dir.file) }
        }
    }

    /// An index file of format version 1 (before the int8 vectors) is refused as unsupported, so
    /// workers search from SQL, and `parley index` rebuilds it on its next run whatever the
    /// threshold. A missing file keeps the threshold rule; a current one is left alone.
    @Test func oldVersionFileIsRefusedAndRebuiltOnTheNextRun() throws {
        let dir = try IndexTestDirectory()
        #expect(!IndexMaintenance.fileNeedsRebuild(path: dir.file))
        try IndexFileWriter.write([chunk(1, "c", "d", ["a": 1], length: 1, [1, 0])], dimensions: 2, generation: 1, watermark: 1, to: dir.file)
        #expect(!IndexMaintenance.fileNeedsRebuild(path: dir.file))
        var bytes = try readAll(dir.file)
        bytes[8] = 1  // UInt32 version, little-endian
        try writeAll(bytes, to: dir.file)
        do {
            _ = try IndexFile.open(path: dir.file)
            Issue.record("a version 1 file opened")
        } catch let error as IndexFileError {
            #expect(error.kind == .unsupported)
        }
        #expect(IndexMaintenance.fileNeedsRebuild(path: dir.file))
        try writeAll(Array(bytes.prefix(100)), to: dir.file)
        #expect(IndexMaintenance.fileNeedsRebuild(path: dir.file))
    }

    @Test func atomicReplaceLeavesNoTemporaryFiles() throws {
        let dir = try IndexTestDirectory()
        let one = [chunk(1, "c", "d", ["a": 1], length: 1, [1, 0])]
        try IndexFileWriter.write(one, dimensions: 2, generation: 1, watermark: 1, to: dir.file)
        let before = try IndexFile.open(path: dir.file)
        try IndexFileWriter.write(one + [chunk(2, "c", "d", ["a": 1], length: 1, [0, 1])], dimensions: 2, generation: 2, watermark: 2, to: dir.file)
        // A bad build fails without touching the current file.
        #expect(throws: IndexFileError.self) {
            try IndexFileWriter.write([chunk(3, "c", "d", [:], length: 1, [1, 0, 0])], dimensions: 2, generation: 3, watermark: 3, to: dir.file)
        }
        #expect(dir.entries() == ["index"])
        #expect(before.generation == 1 && before.chunkCount == 1)
        let after = try IndexFile.open(path: dir.file)
        #expect(after.generation == 2 && after.chunkCount == 2)
    }
}

// MARK: - Helpers

private func chunk(_ id: Int64, _ collection: String, _ document: String, _ terms: [String: Int], length: Int, _ embedding: [Float]) -> IndexedChunk {
    IndexedChunk(id: id, collectionID: collection, documentID: document, termCounts: terms, length: length, embedding: embedding)
}

/// Deterministic generator, so recall and ranking tests see the same data on every run.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Gaussian components (Box–Muller), normalized: uniformly distributed directions.
    mutating func unitVector(dimensions: Int) -> [Float] {
        var v = [Float](repeating: 0, count: dimensions)
        var norm: Float = 0
        for j in 0..<dimensions {
            let u1 = Float(next() >> 40 + 1) / Float(1 << 24), u2 = Float(next() >> 40) / Float(1 << 24)
            v[j] = (-2 * log(u1)).squareRoot() * cos(2 * Float.pi * u2)
            norm += v[j] * v[j]
        }
        let scale = 1 / norm.squareRoot()
        for j in 0..<dimensions { v[j] *= scale }
        return v
    }
}

final class IndexTestDirectory {
    let path: String
    var file: String { path + "/index" }

    init() throws {
        var template = Array("/tmp/parley-index-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard let made else { throw IndexFileError(.io, path: "/tmp", "mkdtemp failed") }
        path = String(cString: made)
    }

    func entries() -> [String] {
        var names: [String] = []
        guard let directory = opendir(path) else { return [] }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(directory)
        return names.sorted()
    }

    deinit {
        for name in entries() { unlink(path + "/" + name) }
        rmdir(path)
    }
}

private func readAll(_ path: String) throws -> [UInt8] {
    guard let f = fopen(path, "rb") else { throw IndexFileError(.io, path: path, "fopen failed") }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n == 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    return bytes
}

private func writeAll(_ bytes: [UInt8], to path: String) throws {
    guard let f = fopen(path, "wb") else { throw IndexFileError(.io, path: path, "fopen failed") }
    defer { fclose(f) }
    guard fwrite(bytes, 1, bytes.count, f) == bytes.count else { throw IndexFileError(.io, path: path, "fwrite failed") }
}

/// A file of `count` chunks with random unit vectors (ids 0…count−1, one collection and document).
private func randomVectorFile(count: Int, dimensions: Int, rng: inout SplitMix64, in dir: IndexTestDirectory) throws -> IndexFile {
    var vectors: [[Float]] = []
    vectors.reserveCapacity(count)
    for _ in 0..<count { vectors.append(rng.unitVector(dimensions: dimensions)) }
    let chunks = vectors.enumerated().lazy.map { i, vector in chunk(Int64(i), "c", "d", [:], length: 0, vector) }
    try IndexFileWriter.write(chunks, dimensions: dimensions, generation: 1, watermark: Int64(count - 1), to: dir.file)
    return try IndexFile.open(path: dir.file)
}
