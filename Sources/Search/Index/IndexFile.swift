import Glibc

/// Why an index file cannot be used. Callers treat every case the same way: fall back to the exact
/// path over Postgres (the truth) and schedule a rebuild; the kind and reason are for the log.
public struct IndexFileError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// No file at the path (not built yet).
        case missing
        /// Truncated, bit-flipped, inconsistent, or not an index file at all.
        case corrupt
        /// A well-formed file of a format version this build does not read.
        case unsupported
        /// The writer was given chunks it cannot store (wrong dimension, negative length, too many).
        case invalidInput
        /// The operating system refused (permissions, disk full, mmap failure).
        case io
    }

    /// A reason without the path, thrown by the format helpers and wrapped at the boundary.
    enum Reason: Error {
        case corrupt(String)
        case unsupported(String)
    }

    public let kind: Kind
    public let path: String
    public let reason: String

    public init(_ kind: Kind, path: String, _ reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    init(_ reason: Reason, path: String) {
        switch reason {
        case .corrupt(let text): self.init(.corrupt, path: path, text)
        case .unsupported(let text): self.init(.unsupported, path: path, text)
        }
    }

    static func io(_ what: String, path: String) -> IndexFileError {
        IndexFileError(errno == ENOENT ? .missing : .io, path: path, "\(what): \(String(cString: strerror(errno)))")
    }

    public var description: String { "index file \(path) (\(kind)): \(reason)" }
}

/// One tenant's search index, mapped read-only: chunk ids, BM25 postings and vectors of the chunks
/// up to `watermark`, as of index `generation`. Built by `IndexFileWriter`; Postgres stays the truth.
///
/// Ownership: the instance owns the mapping and unmaps it in `deinit`. All section pointers point
/// into it, so nothing derived from them may outlive the instance (results are copied out).
/// Workers keep one instance per tenant and replace it when the tenant's generation changes; an
/// atomic rename by the writer means an open mapping keeps seeing the old, complete file.
///
/// `@unchecked Sendable`: the mapping is `PROT_READ` and never remapped, every stored property is
/// a `let` set in `init`, and searches keep their scratch in locals, so any number of threads may
/// search one instance at once without locks.
public final class IndexFile: @unchecked Sendable {
    public let path: String
    public let generation: Int64
    /// Largest chunk id in the file; chunks above it are scored from SQL.
    public let watermark: Int64
    public let chunkCount: Int
    public let dimensions: Int
    /// Σ chunk lengths in terms: avgdl = totalLength / chunkCount.
    public let totalLength: Int
    public let termCount: Int
    /// The collection ids present, sorted by UTF-8 bytes (ordinal order).
    public var collectionIDs: [String] { (0..<collections.count).map(collections.string(at:)) }

    private let base: UnsafeMutableRawPointer
    private let size: Int

    let chunkIDs: UnsafePointer<Int64>
    let lengths: UnsafePointer<UInt32>
    let collectionOrdinals: UnsafePointer<UInt16>
    let documentOrdinals: UnsafePointer<UInt32>
    let collections: StringTable
    let documents: StringTable
    let vocabulary: StringTable
    let postingStarts: UnsafePointer<UInt64>
    let postingChunks: UnsafePointer<UInt32>
    let postingFrequencies: UnsafePointer<UInt16>
    let vectors: UnsafePointer<Float>
    let signs: UnsafePointer<UInt64>
    let quantized: UnsafePointer<Int8>
    let scales: UnsafePointer<Float>
    let signWords: Int
    let postingCount: Int

    /// Maps and validates the file: magic, version, header checksum, every section's offset and
    /// length against the file size and the header's counts, every section's checksum, and the
    /// cross-references searches rely on (posting starts, ordinals, string table offsets). Any
    /// failure throws, so a truncated or bit-flipped file is never searched.
    ///
    /// Cost: hashing runs at ~8 GB/s from the page cache, so opening is dominated by the vectors
    /// (dims × 4 bytes per chunk): measured 13 ms at 100k × 384 and 213 ms at 1M. A
    /// worker opens a file once per generation, not per request.
    public static func open(path: String) throws -> IndexFile {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IndexFileError.io("cannot open", path: path) }
        // The mapping keeps the file alive on its own (even after a rename replaces it).
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw IndexFileError.io("cannot stat", path: path) }
        let size = Int(info.st_size)
        guard size >= IndexFileFormat.headerSize else {
            throw IndexFileError(.corrupt, path: path, "\(size) bytes is shorter than the header")
        }
        // MAP_SHARED: the page cache's own pages, one copy for every worker process.
        let mapped = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0)
        guard let mapped, mapped != MAP_FAILED else { throw IndexFileError.io("mmap failed", path: path) }
        do {
            return try IndexFile(path: path, base: mapped, size: size)
        } catch let reason {
            munmap(mapped, size)
            throw IndexFileError(reason, path: path)
        }
    }

    private init(path: String, base: UnsafeMutableRawPointer, size: Int) throws(IndexFileError.Reason) {
        let file = UnsafeRawBufferPointer(start: base, count: size)
        let header = try IndexFileHeader.decode(file)
        var views: [UnsafeRawBufferPointer] = []
        var end = IndexFileFormat.headerSize
        for section in IndexFileFormat.Section.allCases {
            let entry = header.sections[section.rawValue]
            guard entry.offset >= IndexFileFormat.headerSize, entry.offset % 8 == 0,
                  entry.offset <= size, entry.length <= size - entry.offset
            else { throw .corrupt("section \(section) [\(entry.offset), +\(entry.length)) lies outside the \(size)-byte file") }
            if let expected = header.expectedLength(of: section), expected != entry.length {
                throw .corrupt("section \(section) is \(entry.length) bytes, the header's counts need \(expected)")
            }
            // The checksum covers the zero padding up to the next 8-byte boundary too, so no byte
            // of the file can change unnoticed.
            let padded = (entry.length + 7) & ~7
            guard padded <= size - entry.offset else { throw .corrupt("section \(section) padding lies outside the file") }
            let hashed = UnsafeRawBufferPointer(rebasing: file[entry.offset..<entry.offset + padded])
            guard IndexChecksum.of(hashed) == entry.checksum else { throw .corrupt("section \(section) checksum mismatch") }
            views.append(UnsafeRawBufferPointer(rebasing: file[entry.offset..<entry.offset + entry.length]))
            end = max(end, entry.offset + padded)
        }
        guard end == size else { throw .corrupt("the file is \(size) bytes, its sections end at \(end)") }
        func pointer<T>(_ section: IndexFileFormat.Section, _: T.Type) -> UnsafePointer<T> {
            // Offsets are 8-aligned inside a page-aligned mapping; an empty section still has an address.
            UnsafeRawPointer(base + header.sections[section.rawValue].offset).assumingMemoryBound(to: T.self)
        }
        let n = header.chunkCount
        collections = try StringTable(section: views[IndexFileFormat.Section.collectionTable.rawValue], count: header.collectionCount)
        documents = try StringTable(section: views[IndexFileFormat.Section.documentTable.rawValue], count: header.documentCount)
        vocabulary = try StringTable(section: views[IndexFileFormat.Section.vocabulary.rawValue], count: header.termCount)
        guard header.collectionCount <= Int(UInt16.max) + 1 else { throw .corrupt("\(header.collectionCount) collections") }

        chunkIDs = pointer(.chunkIDs, Int64.self)
        lengths = pointer(.lengths, UInt32.self)
        collectionOrdinals = pointer(.collectionOrdinals, UInt16.self)
        documentOrdinals = pointer(.documentOrdinals, UInt32.self)
        postingStarts = pointer(.postingStarts, UInt64.self)
        postingChunks = pointer(.postingChunks, UInt32.self)
        postingFrequencies = pointer(.postingFrequencies, UInt16.self)
        vectors = pointer(.vectors, Float.self)
        signs = pointer(.signs, UInt64.self)
        quantized = pointer(.quantizedVectors, Int8.self)
        scales = pointer(.vectorScales, Float.self)

        // Cross-references, so searches can index without further checks (postings' chunk indexes
        // are bounds-checked in the BM25 loop instead: one predictable compare per posting is
        // cheaper than a pass over all postings here).
        var total = 0
        for i in 0..<n {
            guard Int(collectionOrdinals[i]) < header.collectionCount, Int(documentOrdinals[i]) < header.documentCount else {
                throw .corrupt("chunk \(i) refers to a collection or document outside the tables")
            }
            total &+= Int(lengths[i])  // wrapping: a crafted file must not trap
        }
        guard total == header.totalLength else { throw .corrupt("chunk lengths sum to \(total), header says \(header.totalLength)") }
        guard postingStarts[0] == 0, postingStarts[header.termCount] == UInt64(header.postingCount) else {
            throw .corrupt("posting starts do not span the postings")
        }
        for t in 0..<header.termCount where postingStarts[t + 1] < postingStarts[t] {
            throw .corrupt("posting starts decrease at term \(t)")
        }

        self.path = path
        self.base = base
        self.size = size
        generation = header.generation
        watermark = header.watermark
        chunkCount = n
        dimensions = header.dimensions
        totalLength = header.totalLength
        termCount = header.termCount
        postingCount = header.postingCount
        signWords = IndexFileFormat.signWords(dimensions: header.dimensions)
    }

    deinit {
        munmap(base, size)
    }

    /// Chunks of this file containing `term` (exact bytes of the analyzed term), 0 if absent.
    public func documentFrequency(_ term: String) -> Int {
        guard let t = vocabulary.index(of: term) else { return 0 }
        return Int(postingStarts[t + 1] - postingStarts[t])
    }

    /// Mean chunk length, the avgdl of BM25 over this file alone.
    public var averageLength: Double { chunkCount > 0 ? Double(totalLength) / Double(chunkCount) : 0 }

    /// The chunk id at an index in file order (0..<chunkCount).
    public func chunkID(at index: Int) -> Int64? {
        index >= 0 && index < chunkCount ? chunkIDs[index] : nil
    }

    /// The document ids present, sorted by UTF-8 bytes (ordinal order).
    public var documentIDs: [String] { (0..<documents.count).map(documents.string(at:)) }
}
