import Glibc

#if _endian(big)
#error("The index file is little-endian and read in place through mmap; big-endian hosts are not supported.")
#endif

/// On-disk layout of a tenant's index file (format version 2). Everything is little-endian and
/// read in place from the mapping, so every section starts on an 8-byte boundary.
///
///     0    "PARLEYIX"                       magic
///     8    UInt32 version, UInt32 header size (432)
///     16   UInt32 dimensions, UInt32 section count (14)
///     24   UInt64 chunks N, terms T, generation, watermark, total length (Σ chunk lengths)
///     64   UInt32 collections C, UInt32 documents D
///     72   UInt64 postings P
///     80   14 × (UInt64 offset, UInt64 length, UInt64 checksum), in `Section` order
///     416  UInt64 checksum of bytes 0..<416
///     424  zero padding to 432
///
/// Version history: 1 had no int8 vectors (12 sections). A file of another version is
/// `unsupported`: searches read from SQL until `parley index` rebuilds it, which it does on its
/// next run whatever the threshold (`IndexMaintenance.fileNeedsRebuild`).
///
/// String tables (collections, documents, vocabulary) hold `count + 1` UInt64 offsets followed by
/// the UTF-8 bytes; entry i is bytes[offsets[i]..<offsets[i+1]], entries sorted by their bytes
/// so lookups are binary searches without building Strings.
enum IndexFileFormat {
    static let magic: [UInt8] = Array("PARLEYIX".utf8)
    static let version: UInt32 = 2
    static let headerSize = 432
    /// Bytes of the header covered by the header checksum (everything before the checksum).
    static let headerChecksummedBytes = 416
    /// Refuse absurd shapes before multiplying them into section sizes.
    static let maxDimensions = 1 << 16

    enum Section: Int, CaseIterable {
        /// Int64 × N, the chunks' primary keys in Postgres.
        case chunkIDs
        /// UInt32 × N, analyzed length in terms.
        case lengths
        /// UInt16 × N, index into the collection table.
        case collectionOrdinals
        /// UInt32 × N, index into the document table.
        case documentOrdinals
        /// String table of C collection ids.
        case collectionTable
        /// String table of D document ids.
        case documentTable
        /// String table of T terms.
        case vocabulary
        /// UInt64 × (T + 1): term t's postings are [starts[t], starts[t+1]); df = the difference.
        case postingStarts
        /// UInt32 × P, chunk index of each posting, ascending within a term.
        case postingChunks
        /// UInt16 × P, term frequency of each posting (clamped to 65535 by the writer).
        case postingFrequencies
        /// Float32 × N × dims, row-major unit vectors.
        case vectors
        /// UInt64 × N × ⌈dims/64⌉: bit j of a row is set when component j is > 0.
        case signs
        /// Int8 × N × dims: each row of `vectors` quantized with its own scale (x ≈ scale · q,
        /// q in [-127, 127]), for the int8 scan (`parley_quantize_i8`).
        case quantizedVectors
        /// Float32 × N: each row's quantization scale (max |x| / 127).
        case vectorScales
    }

    static func signWords(dimensions: Int) -> Int { (dimensions + 63) / 64 }
}

/// Where a section lives and its checksum.
struct SectionEntry: Equatable {
    var offset: Int
    var length: Int
    var checksum: UInt64
}

/// The fixed header, decoded into native integers.
struct IndexFileHeader: Equatable {
    var dimensions: Int
    var chunkCount: Int
    var termCount: Int
    var generation: Int64
    var watermark: Int64
    var totalLength: Int
    var collectionCount: Int
    var documentCount: Int
    var postingCount: Int
    var sections: [SectionEntry]

    func encoded() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: IndexFileFormat.headerSize)
        bytes.withUnsafeMutableBytes { raw in
            for (i, b) in IndexFileFormat.magic.enumerated() { raw[i] = b }
            raw.storeBytes(of: IndexFileFormat.version, toByteOffset: 8, as: UInt32.self)
            raw.storeBytes(of: UInt32(IndexFileFormat.headerSize), toByteOffset: 12, as: UInt32.self)
            raw.storeBytes(of: UInt32(dimensions), toByteOffset: 16, as: UInt32.self)
            raw.storeBytes(of: UInt32(sections.count), toByteOffset: 20, as: UInt32.self)
            raw.storeBytes(of: UInt64(chunkCount), toByteOffset: 24, as: UInt64.self)
            raw.storeBytes(of: UInt64(termCount), toByteOffset: 32, as: UInt64.self)
            raw.storeBytes(of: generation, toByteOffset: 40, as: Int64.self)
            raw.storeBytes(of: watermark, toByteOffset: 48, as: Int64.self)
            raw.storeBytes(of: UInt64(totalLength), toByteOffset: 56, as: UInt64.self)
            raw.storeBytes(of: UInt32(collectionCount), toByteOffset: 64, as: UInt32.self)
            raw.storeBytes(of: UInt32(documentCount), toByteOffset: 68, as: UInt32.self)
            raw.storeBytes(of: UInt64(postingCount), toByteOffset: 72, as: UInt64.self)
            for (i, s) in sections.enumerated() {
                raw.storeBytes(of: UInt64(s.offset), toByteOffset: 80 + 24 * i, as: UInt64.self)
                raw.storeBytes(of: UInt64(s.length), toByteOffset: 88 + 24 * i, as: UInt64.self)
                raw.storeBytes(of: s.checksum, toByteOffset: 96 + 24 * i, as: UInt64.self)
            }
            let sum = IndexChecksum.of(UnsafeRawBufferPointer(rebasing: raw[0..<IndexFileFormat.headerChecksummedBytes]))
            raw.storeBytes(of: sum, toByteOffset: IndexFileFormat.headerChecksummedBytes, as: UInt64.self)
        }
        return bytes
    }

    /// Decodes and checks the header's own consistency (not the sections against the file).
    /// Throws a reason string; the caller wraps it with the path.
    static func decode(_ raw: UnsafeRawBufferPointer) throws(IndexFileError.Reason) -> IndexFileHeader {
        guard raw.count >= IndexFileFormat.headerSize else { throw .corrupt("\(raw.count) bytes is shorter than the header") }
        guard raw.prefix(8).elementsEqual(IndexFileFormat.magic) else { throw .corrupt("bad magic: not a Parley index file") }
        let version = raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        guard version == IndexFileFormat.version else { throw .unsupported("format version \(version), this build reads \(IndexFileFormat.version)") }
        let stored = raw.loadUnaligned(fromByteOffset: IndexFileFormat.headerChecksummedBytes, as: UInt64.self)
        let actual = IndexChecksum.of(UnsafeRawBufferPointer(rebasing: raw[0..<IndexFileFormat.headerChecksummedBytes]))
        guard stored == actual else { throw .corrupt("header checksum mismatch") }
        guard raw[(IndexFileFormat.headerChecksummedBytes + 8)..<IndexFileFormat.headerSize].allSatisfy({ $0 == 0 }) else {
            throw .corrupt("header padding is not zero")
        }
        guard raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self) == UInt32(IndexFileFormat.headerSize),
              raw.loadUnaligned(fromByteOffset: 20, as: UInt32.self) == UInt32(IndexFileFormat.Section.allCases.count)
        else { throw .corrupt("unexpected header size or section count") }

        func count(_ offset: Int) throws(IndexFileError.Reason) -> Int {
            let value = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            // 2^40 of anything is far past what fits in a file this reader could map.
            guard value < 1 << 40 else { throw .corrupt("count \(value) at header offset \(offset) is implausible") }
            return Int(value)
        }
        let dimensions = Int(raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        guard dimensions > 0, dimensions <= IndexFileFormat.maxDimensions else { throw .corrupt("\(dimensions) dimensions") }
        var sections: [SectionEntry] = []
        for i in 0..<IndexFileFormat.Section.allCases.count {
            sections.append(SectionEntry(offset: try count(80 + 24 * i), length: try count(88 + 24 * i),
                                         checksum: raw.loadUnaligned(fromByteOffset: 96 + 24 * i, as: UInt64.self)))
        }
        return IndexFileHeader(
            dimensions: dimensions,
            chunkCount: try count(24), termCount: try count(32),
            generation: raw.loadUnaligned(fromByteOffset: 40, as: Int64.self),
            watermark: raw.loadUnaligned(fromByteOffset: 48, as: Int64.self),
            totalLength: try count(56),
            collectionCount: Int(raw.loadUnaligned(fromByteOffset: 64, as: UInt32.self)),
            documentCount: Int(raw.loadUnaligned(fromByteOffset: 68, as: UInt32.self)),
            postingCount: try count(72), sections: sections)
    }

    /// The byte length each fixed-width section must have, or nil for string tables (checked by
    /// walking their offsets). Overflow cannot happen: counts are < 2^40 and dims ≤ 2^16.
    func expectedLength(of section: IndexFileFormat.Section) -> Int? {
        switch section {
        case .chunkIDs: chunkCount * 8
        case .lengths: chunkCount * 4
        case .collectionOrdinals: chunkCount * 2
        case .documentOrdinals: chunkCount * 4
        case .collectionTable, .documentTable, .vocabulary: nil
        case .postingStarts: (termCount + 1) * 8
        case .postingChunks: postingCount * 4
        case .postingFrequencies: postingCount * 2
        case .vectors: chunkCount * dimensions * 4
        case .signs: chunkCount * IndexFileFormat.signWords(dimensions: dimensions) * 8
        case .quantizedVectors: chunkCount * dimensions
        case .vectorScales: chunkCount * 4
        }
    }
}

/// A read-only view of a string table inside the mapping, validated at open.
struct StringTable {
    let count: Int
    let offsets: UnsafePointer<UInt64>
    let bytes: UnsafePointer<UInt8>

    /// Checks that `count + 1` offsets fit, start at 0, never decrease and end inside the section.
    init(section raw: UnsafeRawBufferPointer, count: Int) throws(IndexFileError.Reason) {
        let headerBytes = (count + 1) * 8
        guard let base = raw.baseAddress, raw.count >= headerBytes else { throw .corrupt("string table too short for \(count) entries") }
        let offsets = base.assumingMemoryBound(to: UInt64.self)
        let available = UInt64(raw.count - headerBytes)
        guard offsets[0] == 0 else { throw .corrupt("string table does not start at 0") }
        for i in 0..<count where offsets[i + 1] < offsets[i] || offsets[i + 1] > available {
            throw .corrupt("string table offset \(i + 1) out of order or out of bounds")
        }
        self.count = count
        self.offsets = offsets
        self.bytes = (base + headerBytes).assumingMemoryBound(to: UInt8.self)
    }

    func string(at index: Int) -> String {
        let start = Int(offsets[index]), end = Int(offsets[index + 1])
        return String(decoding: UnsafeBufferPointer(start: bytes + start, count: end - start), as: UTF8.self)
    }

    /// Binary search by UTF-8 bytes (the order the writer sorted them in).
    func index(of key: String) -> Int? {
        var key = key
        return key.withUTF8 { needle -> Int? in
            var low = 0, high = count
            while low < high {
                let mid = (low + high) / 2
                let start = Int(offsets[mid]), length = Int(offsets[mid + 1]) - start
                let c = Self.compare(bytes + start, length, needle)
                if c == 0 { return mid }
                if c < 0 { low = mid + 1 } else { high = mid }
            }
            return nil
        }
    }

    static func compare(_ a: UnsafePointer<UInt8>, _ aCount: Int, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(aCount, b.count)
        if common > 0, let bBase = b.baseAddress {
            let c = memcmp(a, bBase, common)
            if c != 0 { return Int(c) }
        }
        return aCount - b.count
    }
}

/// The files' integrity checksum: a 4-lane multiply-rotate hash over 32-byte stripes, in the style
/// of xxHash64 (its published primes and round), but not bit-compatible with it; it only has to
/// agree with itself. Why not CRC32: zlib is not a dependency of Search and a table-driven CRC in
/// Swift runs at ~1 GB/s, while four independent 64-bit lanes run near memory speed, which matters
/// because open() hashes every section (1.6 GB for a million 384-dim chunks). It detects
/// truncation and bit flips, not tampering: the file is derived data on a trusted disk.
struct IndexChecksum {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9

    private var lanes: (UInt64, UInt64, UInt64, UInt64) = (p1 &+ p2, p2, 0, 0 &- p1)
    private var pending: [UInt8] = []
    private var total: UInt64 = 0

    init() { pending.reserveCapacity(32) }

    static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = IndexChecksum()
        hasher.update(bytes)
        return hasher.finalize()
    }

    @inline(__always)
    private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        let mixed = acc &+ input &* p2
        return ((mixed << 31) | (mixed >> 33)) &* p1
    }

    /// Feeds bytes in any split: the result depends only on the concatenation.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        total &+= UInt64(remaining)
        if !pending.isEmpty {
            let take = min(32 - pending.count, remaining)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            base += take
            remaining -= take
            guard pending.count == 32 else { return }
            let block = pending
            block.withUnsafeBytes { lanes = Self.stripes(lanes, $0.baseAddress.unsafelyUnwrapped, 1) }
            pending.removeAll(keepingCapacity: true)
        }
        let full = remaining / 32
        if full > 0 { lanes = Self.stripes(lanes, base, full) }
        if remaining % 32 > 0 {
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base + full * 32, count: remaining % 32))
        }
    }

    private typealias Lanes = (UInt64, UInt64, UInt64, UInt64)

    private static func stripes(_ lanes: Lanes, _ base: UnsafeRawPointer, _ count: Int) -> Lanes {
        var (a, b, c, d) = lanes
        var p = base
        for _ in 0..<count {
            a = Self.round(a, p.loadUnaligned(as: UInt64.self))
            b = Self.round(b, p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            c = Self.round(c, p.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
            d = Self.round(d, p.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
            p += 32
        }
        return (a, b, c, d)
    }

    func finalize() -> UInt64 {
        let (a, b, c, d) = lanes
        var h = ((a << 1) | (a >> 63)) &+ ((b << 7) | (b >> 57)) &+ ((c << 12) | (c >> 52)) &+ ((d << 18) | (d >> 46))
        h ^= total &* Self.p3
        for byte in pending { h = Self.round(h, UInt64(byte) &+ Self.p3) }
        h ^= h >> 33
        h &*= Self.p2
        h ^= h >> 29
        h &*= Self.p3
        h ^= h >> 32
        return h
    }
}
