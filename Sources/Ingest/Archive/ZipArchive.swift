/// A ZIP archive held in memory (DOCX is a ZIP of XML parts), read from its central directory.
///
/// Everything in the archive is untrusted: every offset, length and count is checked against the
/// buffer before it is used, and the sizes the archive declares are never believed for safety.
/// `extract` counts the bytes inflation actually produces, stops an entry once it passes its limit,
/// and keeps a running total over the whole archive (`totalLimit`), so a small upload cannot make
/// the ingest job allocate gigabytes (the zip-bomb defence).
///
/// Not supported, each with its own `ZipError`: ZIP64, split archives, encrypted entries and
/// compression methods other than stored (0) and deflate (8). Office files never need them.
///
/// A value type: `extract` is `mutating` because it adds to the running total. Use one archive
/// value per document, on one thread.
public struct ZipArchive: Sendable {
    /// One file of the archive, as its central directory describes it.
    public struct Entry: Sendable, Equatable {
        public var name: String
        /// 0 stored, 8 deflate; anything else fails at `extract`.
        public var method: UInt16
        public var flags: UInt16
        public var compressedSize: Int
        /// Declared, untrusted: used only to reject early and to size the first allocation.
        public var uncompressedSize: Int
        public var crc32: UInt32
        public var localHeaderOffset: Int

        public var isEncrypted: Bool { flags & 1 != 0 }
    }

    /// The most the archive may expand to, over all extracted entries, unless the caller says
    /// otherwise: real DOCX files rarely pass a few tens of MB of XML.
    public static let defaultTotalLimit = 256 << 20

    public let entries: [Entry]
    public let totalLimit: Int
    /// Bytes produced so far by `extract`, over all entries.
    public private(set) var extractedBytes = 0

    let bytes: [UInt8]
    private let indexByName: [String: Int]

    private static let endRecordSignature: UInt32 = 0x0605_4b50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    private static let centralSignature: UInt32 = 0x0201_4b50
    static let localSignature: UInt32 = 0x0403_4b50
    private static let endRecordSize = 22
    private static let centralHeaderSize = 46
    static let localHeaderSize = 30

    /// Reads the central directory; fails with `ZipError` when `bytes` is not a readable ZIP.
    public init(_ bytes: [UInt8], totalLimit: Int = ZipArchive.defaultTotalLimit) throws(ZipError) {
        self.bytes = bytes
        self.totalLimit = totalLimit
        let end = try Self.findEndRecord(bytes)
        let reader = LittleEndianBytes(bytes)
        let diskNumber = reader.u16(end + 4)
        let directoryDisk = reader.u16(end + 6)
        let entriesOnDisk = reader.u16(end + 8)
        let entryCount = reader.u16(end + 10)
        let directorySize = reader.u32(end + 12)
        let directoryOffset = reader.u32(end + 16)
        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF
            || (end >= 20 && reader.u32(end - 20) == Self.zip64LocatorSignature) {
            throw .zip64
        }
        guard diskNumber == 0, directoryDisk == 0, entriesOnDisk == entryCount else { throw .multiDisk }
        let directoryStart = Int(directoryOffset)
        guard directoryStart <= end, Int(directorySize) <= end - directoryStart else {
            throw .truncated("the central directory lies outside the file")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(Int(entryCount))
        var index: [String: Int] = [:]
        var offset = directoryStart
        let directoryEnd = directoryStart + Int(directorySize)
        for _ in 0..<Int(entryCount) {
            guard offset + Self.centralHeaderSize <= directoryEnd, reader.u32(offset) == Self.centralSignature else {
                throw .truncated("the central directory is damaged")
            }
            let nameLength = Int(reader.u16(offset + 28))
            let extraLength = Int(reader.u16(offset + 30))
            let commentLength = Int(reader.u16(offset + 32))
            let nameStart = offset + Self.centralHeaderSize
            let next = nameStart + nameLength + extraLength + commentLength
            guard next <= directoryEnd else { throw .truncated("the central directory is damaged") }
            let entry = Entry(
                name: String(decoding: bytes[nameStart..<nameStart + nameLength], as: UTF8.self),
                method: reader.u16(offset + 10),
                flags: reader.u16(offset + 8),
                compressedSize: Int(reader.u32(offset + 20)),
                uncompressedSize: Int(reader.u32(offset + 24)),
                crc32: reader.u32(offset + 16),
                localHeaderOffset: Int(reader.u32(offset + 42)))
            if entry.compressedSize == 0xFFFF_FFFF || entry.uncompressedSize == 0xFFFF_FFFF
                || entry.localHeaderOffset == 0xFFFF_FFFF {
                throw .zip64
            }
            // The first of duplicate names wins, as most readers do.
            if index[entry.name] == nil { index[entry.name] = entries.count }
            entries.append(entry)
            offset = next
        }
        self.entries = entries
        self.indexByName = index
    }

    public func entry(named name: String) -> Entry? {
        indexByName[name].map { entries[$0] }
    }

    /// The uncompressed bytes of the entry `name`, at most `limit` of them, counted as they are
    /// produced (never trusting the declared size) and checked against the stored CRC-32.
    public mutating func extract(_ name: String, limit: Int) throws(ZipError) -> [UInt8] {
        guard let entry = entry(named: name) else { throw .missingEntry(name) }
        guard !entry.isEncrypted else { throw .encrypted(name) }
        let remaining = max(0, totalLimit - extractedBytes)
        let entryLimit = min(limit, remaining)
        // Whichever limit binds decides the words of the failure.
        let overflow: ZipError = limit <= remaining ? .entryTooLarge(name, limit: limit) : .archiveTooLarge(limit: totalLimit)
        guard entry.uncompressedSize <= entryLimit else { throw overflow }
        let data = try dataRange(of: entry)
        let output: [UInt8]
        switch entry.method {
        case 0:
            guard data.count <= entryLimit else { throw overflow }
            output = Array(bytes[data])
        case 8:
            output = try Self.inflate(bytes, data, expected: entry.uncompressedSize, limit: entryLimit,
                                      name: name, overflow: overflow)
        default:
            throw .unsupportedMethod(name, method: entry.method)
        }
        guard Self.checksum(output) == entry.crc32 else { throw .checksumMismatch(name) }
        extractedBytes += output.count
        return output
    }

    /// Where the entry's compressed bytes are, from its local header (whose own name and extra
    /// lengths may differ from the central directory's, so they are read again here).
    private func dataRange(of entry: Entry) throws(ZipError) -> Range<Int> {
        let reader = LittleEndianBytes(bytes)
        let header = entry.localHeaderOffset
        guard header <= bytes.count - Self.localHeaderSize, reader.u32(header) == Self.localSignature else {
            throw .truncated("the entry \(entry.name) points outside the file")
        }
        let start = header + Self.localHeaderSize + Int(reader.u16(header + 26)) + Int(reader.u16(header + 28))
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw .truncated("the entry \(entry.name) is cut short")
        }
        return start..<start + entry.compressedSize
    }

    /// The end-of-central-directory record is last in the file, followed only by a comment of up
    /// to 65,535 bytes, so it is searched backwards over at most that much.
    private static func findEndRecord(_ bytes: [UInt8]) throws(ZipError) -> Int {
        guard bytes.count >= endRecordSize else { throw .notZip }
        let reader = LittleEndianBytes(bytes)
        let last = bytes.count - endRecordSize
        let first = max(0, last - 0xFFFF)
        var offset = last
        while offset >= first {
            if bytes[offset] == 0x50, reader.u32(offset) == endRecordSignature,
               offset + endRecordSize + Int(reader.u16(offset + 20)) <= bytes.count {
                return offset
            }
            offset -= 1
        }
        if reader.u32(0) == localSignature { throw .truncated("its end record is missing") }
        throw .notZip
    }
}

/// Little-endian reads; an offset outside the buffer reads as 0 (callers check bounds first, this
/// is the second wall).
private struct LittleEndianBytes {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func u16(_ offset: Int) -> UInt16 {
        guard offset >= 0, offset + 2 <= bytes.count else { return 0 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func u32(_ offset: Int) -> UInt32 {
        guard offset >= 0, offset + 4 <= bytes.count else { return 0 }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
            | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
