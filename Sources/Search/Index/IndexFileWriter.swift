import Glibc
internal import CKernels

/// One chunk as the index builder receives it, already analyzed by the caller.
public struct IndexedChunk: Sendable {
    public var id: Int64
    public var collectionID: String
    public var documentID: String
    /// Analyzed term → occurrences in the chunk. Counts above 65,535 are stored as 65,535
    /// (BM25 saturates long before); counts ≤ 0 are ignored.
    public var termCounts: [String: Int]
    /// Analyzed length in terms (BM25's dl).
    public var length: Int
    /// Unit vector; every chunk of a file has the same dimension.
    public var embedding: [Float]

    public init(id: Int64, collectionID: String, documentID: String, termCounts: [String: Int], length: Int, embedding: [Float]) {
        self.id = id
        self.collectionID = collectionID
        self.documentID = documentID
        self.termCounts = termCounts
        self.length = length
        self.embedding = embedding
    }
}

/// Builds a tenant's index file (layout in `IndexFile+Format.swift`).
///
/// Atomicity: writes `path.tmp-<random>`, fsyncs it, renames it over `path` and fsyncs the
/// directory, so a reader opens either the old complete file or the new one; on any error the
/// temporary file is removed. Several builders racing on one path are safe (last rename wins).
///
/// Memory, for N chunks, P postings (Σ distinct terms per chunk) and T distinct terms: vectors go
/// straight to the file as chunks arrive (their int8 copy is made from the file afterwards); kept
/// in memory are the sign bits (N × dims/8), the int8 scales (4 bytes per chunk), ~22 bytes per
/// chunk of ids/lengths/ordinals, the term dictionary (~100 bytes per term) and the postings twice
/// during the final sort by term (6 bytes per posting as they arrive + 6 in term order). For 1M
/// chunks × 60 terms × 384 dims with 2M distinct terms: 48 + 4 + 22 + 200 + 720 ≈ 1 GB peak,
/// against 1.9 GB of float and int8 vectors that are never held.
public enum IndexFileWriter {
    public static func write(_ chunks: some Sequence<IndexedChunk>, dimensions: Int, generation: Int64,
                             watermark: Int64, to path: String) throws {
        guard dimensions > 0, dimensions <= IndexFileFormat.maxDimensions else {
            throw IndexFileError(.invalidInput, path: path, "cannot build with \(dimensions) dimensions")
        }
        let temporary = "\(path).tmp-\(String(UInt64.random(in: 1...UInt64.max), radix: 16))"
        // Read-write: the int8 section is quantized from the float section read back from the file.
        let fd = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw IndexFileError.io("cannot create \(temporary)", path: path) }
        var sink = FileSink(fd: fd, path: path)
        do {
            try build(chunks, dimensions: dimensions, generation: generation, watermark: watermark, into: &sink)
            guard fsync(fd) == 0 else { throw IndexFileError.io("fsync failed", path: path) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        // Closed exactly once, whatever happens: a second close could hit a descriptor another
        // thread has just been given.
        guard close(fd) == 0 else {
            let failure = IndexFileError.io("close failed", path: path)
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, path) == 0 else {
            let failure = IndexFileError.io("rename failed", path: path)
            unlink(temporary)
            throw failure
        }
        // The rename itself is durable only once the directory is synced.
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let dirFD = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    private static func build(_ chunks: some Sequence<IndexedChunk>, dimensions: Int, generation: Int64,
                              watermark: Int64, into sink: inout FileSink) throws {
        let words = IndexFileFormat.signWords(dimensions: dimensions)
        var sections = [SectionEntry](repeating: SectionEntry(offset: 0, length: 0, checksum: 0),
                                      count: IndexFileFormat.Section.allCases.count)
        try sink.write(zeros: IndexFileFormat.headerSize)

        var ids: [Int64] = [], lengths: [UInt32] = [], signs: [UInt64] = []
        var collections = Interner(), documents = Interner(), terms = Interner()
        var collectionOrdinals: [UInt32] = [], documentOrdinals: [UInt32] = []
        var pairTerms: [UInt32] = [], pairFrequencies: [UInt16] = [], pairEnds: [Int] = []
        var totalLength = 0

        sink.beginSection()
        for chunk in chunks {
            guard chunk.embedding.count == dimensions else {
                throw IndexFileError(.invalidInput, path: sink.path, "chunk \(chunk.id) has \(chunk.embedding.count) dimensions, expected \(dimensions)")
            }
            guard chunk.length >= 0, chunk.length <= Int(UInt32.max) else {
                throw IndexFileError(.invalidInput, path: sink.path, "chunk \(chunk.id) has length \(chunk.length)")
            }
            try chunk.embedding.withUnsafeBytes { try sink.write($0) }
            let row = signs.count
            signs.append(contentsOf: repeatElement(0, count: words))
            for (j, x) in chunk.embedding.enumerated() where x > 0 { signs[row + (j >> 6)] |= 1 << UInt64(j & 63) }
            ids.append(chunk.id)
            lengths.append(UInt32(chunk.length))
            totalLength += chunk.length
            collectionOrdinals.append(collections.ordinal(of: chunk.collectionID))
            documentOrdinals.append(documents.ordinal(of: chunk.documentID))
            for (term, count) in chunk.termCounts where count > 0 {
                pairTerms.append(terms.ordinal(of: term))
                pairFrequencies.append(UInt16(min(count, Int(UInt16.max))))
            }
            pairEnds.append(pairTerms.count)
        }
        let n = ids.count
        guard n <= Int(UInt32.max), collections.count <= Int(UInt16.max) + 1, documents.count <= Int(UInt32.max) else {
            throw IndexFileError(.invalidInput, path: sink.path, "too many chunks, collections or documents for the format")
        }
        sections[IndexFileFormat.Section.vectors.rawValue] = try sink.endSection()
        try writeQuantized(from: sections[IndexFileFormat.Section.vectors.rawValue], count: n, dimensions: dimensions,
                           into: &sink, sections: &sections)
        sections[IndexFileFormat.Section.signs.rawValue] = try sink.section(signs)
        signs = []
        sections[IndexFileFormat.Section.chunkIDs.rawValue] = try sink.section(ids)
        sections[IndexFileFormat.Section.lengths.rawValue] = try sink.section(lengths)

        // Ordinals follow the sorted tables, so lookups by id can binary-search them.
        let collectionRank = try collections.writeSorted(to: &sink, as: .collectionTable, sections: &sections)
        let documentRank = try documents.writeSorted(to: &sink, as: .documentTable, sections: &sections)
        sections[IndexFileFormat.Section.collectionOrdinals.rawValue] =
            try sink.section(collectionOrdinals.map { UInt16(collectionRank[Int($0)]) })
        collectionOrdinals = []
        sections[IndexFileFormat.Section.documentOrdinals.rawValue] = try sink.section(documentOrdinals.map { documentRank[Int($0)] })
        documentOrdinals = []
        let termRank = try terms.writeSorted(to: &sink, as: .vocabulary, sections: &sections)

        // Counting sort of the (chunk, term, tf) pairs by term rank; chunks stay ascending per term.
        var starts = [UInt64](repeating: 0, count: terms.count + 1)
        for t in pairTerms { starts[Int(termRank[Int(t)]) + 1] += 1 }
        for t in 0..<terms.count { starts[t + 1] += starts[t] }
        sections[IndexFileFormat.Section.postingStarts.rawValue] = try sink.section(starts)
        var cursor = starts
        var postingChunks = [UInt32](repeating: 0, count: pairTerms.count)
        var postingFrequencies = [UInt16](repeating: 0, count: pairTerms.count)
        var pair = 0
        for chunk in 0..<n {
            while pair < pairEnds[chunk] {
                let t = Int(termRank[Int(pairTerms[pair])])
                let slot = Int(cursor[t])
                cursor[t] += 1
                postingChunks[slot] = UInt32(chunk)
                postingFrequencies[slot] = pairFrequencies[pair]
                pair += 1
            }
        }
        sections[IndexFileFormat.Section.postingChunks.rawValue] = try sink.section(postingChunks)
        sections[IndexFileFormat.Section.postingFrequencies.rawValue] = try sink.section(postingFrequencies)

        let header = IndexFileHeader(
            dimensions: dimensions, chunkCount: n, termCount: terms.count, generation: generation,
            watermark: watermark, totalLength: totalLength, collectionCount: collections.count,
            documentCount: documents.count, postingCount: pairTerms.count, sections: sections)
        try sink.flush()
        try header.encoded().withUnsafeBytes { try sink.write($0, at: 0) }
    }
}

extension IndexFileWriter {
    /// The int8 copy of the vectors and its per-row scales, quantized from the float section read
    /// back from the file in blocks (from the page cache, just written), so the builder never holds
    /// the vectors: 384 MB of int8 at 1M × 384 would double its peak memory.
    private static func writeQuantized(from floats: SectionEntry, count n: Int, dimensions: Int,
                                       into sink: inout FileSink, sections: inout [SectionEntry]) throws {
        try sink.flush()
        let rowsPerBlock = max(1, (1 << 20) / (dimensions * 4))
        var block = [Float](repeating: 0, count: rowsPerBlock * dimensions)
        var quantized = [Int8](repeating: 0, count: rowsPerBlock * dimensions)
        var scales = [Float]()
        scales.reserveCapacity(n)
        sink.beginSection()
        var row = 0
        while row < n {
            let rows = min(rowsPerBlock, n - row)
            try block.withUnsafeMutableBytes { raw in
                try sink.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<rows * dimensions * 4]),
                              at: floats.offset + row * dimensions * 4)
            }
            block.withUnsafeBufferPointer { block in
                quantized.withUnsafeMutableBufferPointer { out in
                    for r in 0..<rows {
                        scales.append(parley_quantize_i8(block.baseAddress.unsafelyUnwrapped + r * dimensions, dimensions,
                                                         out.baseAddress.unsafelyUnwrapped + r * dimensions))
                    }
                }
            }
            try quantized.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<rows * dimensions])) }
            row += rows
        }
        sections[IndexFileFormat.Section.quantizedVectors.rawValue] = try sink.endSection()
        sections[IndexFileFormat.Section.vectorScales.rawValue] = try sink.section(scales)
    }
}

/// Strings → dense ordinals in arrival order, with their UTF-8 bytes kept in one arena so sorting
/// compares bytes (memcmp), never Strings (whose comparison is by Unicode canonical equivalence,
/// not the byte order readers binary-search by).
private struct Interner {
    private var ordinals: [String: UInt32] = [:]
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    var count: Int { ends.count }

    mutating func ordinal(of string: String) -> UInt32 {
        if let known = ordinals[string] { return known }
        let next = UInt32(truncatingIfNeeded: ends.count)
        ordinals[string] = next
        bytes.append(contentsOf: string.utf8)
        ends.append(bytes.count)
        return next
    }

    /// Writes the string table in byte order and returns rank[ordinal]. Frees the dictionary.
    mutating func writeSorted(to sink: inout FileSink, as section: IndexFileFormat.Section,
                              sections: inout [SectionEntry]) throws -> [UInt32] {
        ordinals = [:]
        let ends = self.ends
        var order = (0..<UInt32(truncatingIfNeeded: ends.count)).map { $0 }
        bytes.withUnsafeBufferPointer { arena in
            guard let base = arena.baseAddress else { return }
            func span(_ i: UInt32) -> (UnsafePointer<UInt8>, Int) {
                let start = i == 0 ? 0 : ends[Int(i) - 1]
                return (base + start, ends[Int(i)] - start)
            }
            order.sort { a, b in
                let (pa, la) = span(a), (pb, lb) = span(b)
                return StringTable.compare(pa, la, UnsafeBufferPointer(start: pb, count: lb)) < 0
            }
        }
        var rank = [UInt32](repeating: 0, count: ends.count)
        var offsets: [UInt64] = [0]
        var sorted: [UInt8] = []
        sorted.reserveCapacity(bytes.count)
        for (position, i) in order.enumerated() {
            rank[Int(i)] = UInt32(position)
            let start = i == 0 ? 0 : ends[Int(i) - 1]
            sorted.append(contentsOf: bytes[start..<ends[Int(i)]])
            offsets.append(UInt64(sorted.count))
        }
        bytes = []
        sink.beginSection()
        try offsets.withUnsafeBytes { try sink.write($0) }
        try sorted.withUnsafeBytes { try sink.write($0) }
        sections[section.rawValue] = try sink.endSection()
        return rank
    }
}

/// Buffered sequential writer that hashes and 8-aligns sections as it goes.
private struct FileSink {
    let fd: Int32
    let path: String
    private var buffer: [UInt8] = []
    private var position = 0
    private var sectionStart = 0
    private var hasher = IndexChecksum()
    private static let bufferSize = 1 << 20

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        buffer.reserveCapacity(Self.bufferSize)
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bytes)
        position += bytes.count
        if buffer.count + bytes.count > Self.bufferSize { try flush() }
        if bytes.count >= Self.bufferSize {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    mutating func write(zeros count: Int) throws {
        try [UInt8](repeating: 0, count: count).withUnsafeBytes { try write($0) }
    }

    mutating func beginSection() {
        hasher = IndexChecksum()
        sectionStart = position
    }

    /// Closes the section: pads it with zeros to the next 8-byte boundary, padding included in the
    /// checksum (not in the length).
    mutating func endSection() throws -> SectionEntry {
        let length = position - sectionStart
        let padding = (8 - position % 8) % 8
        if padding > 0 { try write(zeros: padding) }
        return SectionEntry(offset: sectionStart, length: length, checksum: hasher.finalize())
    }

    mutating func section<T: BitwiseCopyable>(_ values: [T]) throws -> SectionEntry {
        beginSection()
        try values.withUnsafeBytes { try write($0) }
        return try endSection()
    }

    mutating func flush() throws {
        let pending = buffer
        try pending.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        guard var p = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = Glibc.write(fd, p, remaining)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw IndexFileError.io("write failed", path: path) }
            p += n
            remaining -= n
        }
    }

    /// Positioned read of bytes already flushed (the writer's own float vectors).
    func read(into bytes: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        guard let p = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = pread(fd, p + done, bytes.count - done, off_t(offset + done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw IndexFileError.io("read back failed", path: path) }
            done += n
        }
    }

    /// Positioned write that bypasses the buffer (the header, once everything else is flushed).
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        guard let p = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, p + done, bytes.count - done, off_t(offset + done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw IndexFileError.io("write failed", path: path) }
            done += n
        }
    }
}
