internal import CKernels

/// Which chunks a search may score: the request's collections, documents it may see, and documents
/// deleted since the file was built (which stay in the file until the next rebuild).
///
/// Ids are the same strings the writer got in `IndexedChunk.collectionID` / `documentID`.
public struct ChunkFilter: Sendable, Equatable {
    /// Allowed collections; nil allows every collection.
    public var collectionIDs: Set<String>?
    /// Allowed documents; nil allows every document.
    public var documentIDs: Set<String>?
    /// Documents never to return, whatever the sets above say (deleted after the file was built).
    public var excludedDocumentIDs: Set<String>

    public init(collectionIDs: Set<String>? = nil, documentIDs: Set<String>? = nil, excludedDocumentIDs: Set<String> = []) {
        self.collectionIDs = collectionIDs
        self.documentIDs = documentIDs
        self.excludedDocumentIDs = excludedDocumentIDs
    }

    public static let all = ChunkFilter()

    /// Resolves the ids to the file's ordinals, as bitsets: O(ids × log table size), no scan of
    /// the chunks. Ids the file does not know are simply absent. The result is only meaningful
    /// for `file`; searching another file with it returns no results (see `CompiledFilter`).
    public func compile(for file: IndexFile) -> CompiledFilter {
        var collectionBits: Bitset?
        if let collectionIDs {
            var bits = Bitset(count: file.collections.count)
            for id in collectionIDs { if let ordinal = file.collections.index(of: id) { bits.insert(ordinal) } }
            collectionBits = bits
        }
        var documentBits: Bitset?
        if documentIDs != nil || !excludedDocumentIDs.isEmpty {
            var bits = Bitset(count: file.documents.count, filled: documentIDs == nil)
            for id in documentIDs ?? [] { if let ordinal = file.documents.index(of: id) { bits.insert(ordinal) } }
            for id in excludedDocumentIDs { if let ordinal = file.documents.index(of: id) { bits.remove(ordinal) } }
            documentBits = bits
        }
        return CompiledFilter(file: file, collections: collectionBits, documents: documentBits)
    }
}

/// A `ChunkFilter` resolved against one `IndexFile`: ordinal bitsets the scans test per chunk with
/// two loads. It holds the file it was compiled for (a strong reference, so the identity cannot be
/// reused by a later file at the same address) because ordinals mean nothing in another file; a
/// mismatched filter makes searches return nothing rather than the wrong chunks.
public struct CompiledFilter: Sendable {
    let file: IndexFile
    let collections: Bitset?
    let documents: Bitset?

    /// True when every chunk passes, so scans skip the per-chunk test.
    var allowsAll: Bool { collections == nil && documents == nil }

    @inline(__always)
    func allows(collection: Int, document: Int) -> Bool {
        (collections?.contains(collection) ?? true) && (documents?.contains(document) ?? true)
    }

    /// The filter as the C scans read it (nil when every chunk passes), valid inside `body` only.
    func withKernelFilter<R>(_ body: (UnsafePointer<parley_filter>?) -> R) -> R {
        guard !allowsAll else { return body(nil) }
        return Bitset.withWords(collections) { collectionBits in
            Bitset.withWords(documents) { documentBits in
                var filter = parley_filter(
                    collection_ordinals: file.collectionOrdinals, collection_bits: collectionBits, collection_count: collections?.count ?? 0,
                    document_ordinals: file.documentOrdinals, document_bits: documentBits, document_count: documents?.count ?? 0)
                return withUnsafePointer(to: &filter) { body($0) }
            }
        }
    }
}

/// Fixed-size bitset; out-of-range members are simply absent (never a trap).
struct Bitset: Sendable {
    private var words: [UInt64]
    let count: Int

    init(count: Int, filled: Bool = false) {
        self.count = count
        words = [UInt64](repeating: filled ? ~0 : 0, count: (count + 63) / 64)
    }

    mutating func insert(_ i: Int) { if i >= 0, i < count { words[i >> 6] |= 1 << UInt64(i & 63) } }
    mutating func remove(_ i: Int) { if i >= 0, i < count { words[i >> 6] &= ~(1 << UInt64(i & 63)) } }

    /// The words of `bits` (nil stays nil) for the duration of `body`.
    static func withWords<R>(_ bits: Bitset?, _ body: (UnsafePointer<UInt64>?) -> R) -> R {
        guard let bits else { return body(nil) }
        // An empty bitset still needs an address: nil would mean "no filter".
        guard bits.count > 0 else {
            var none: UInt64 = 0
            return withUnsafePointer(to: &none) { body($0) }
        }
        return bits.words.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    @inline(__always)
    func contains(_ i: Int) -> Bool {
        i >= 0 && i < count && words[i >> 6] & (1 << UInt64(i & 63)) != 0
    }
}
