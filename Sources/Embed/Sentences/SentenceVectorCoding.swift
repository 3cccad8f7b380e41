/// The stored form of a chunk's sentence vectors (`chunks.sentence_vectors`): compact, versioned
/// and self-describing, written by ingestion and read per request by the extractive generator.
///
/// Version 1, little-endian:
///
///     header    u8 version (1) | u8 reserved (0) | u16 dimensions | u32 count
///     sentence  u32 start | u32 end | f32 scale | dimensions × i8      (count times)
///
/// `start`/`end` are UTF-8 byte offsets in the chunk's text. Each component is stored as
/// `round(value / scale)` with `scale = max|value| / 127`, symmetric int8 as in the search index:
/// for unit vectors the cosine error is ~1e-3, far below the gaps between sentences' scores, at a
/// quarter of float32's size (396 bytes per sentence for MiniLM). A decoder that meets another
/// version returns nil, so an old worker reading newer rows falls back instead of misreading.
public enum SentenceVectorCoding {
    public static let version: UInt8 = 1
    static let headerSize = 8
    static let sentenceHeaderSize = 12

    /// One sentence: its byte range in the chunk's text and its vector.
    public struct Sentence: Sendable, Equatable {
        public var range: Range<Int>
        public var vector: [Float]

        public init(range: Range<Int>, vector: [Float]) {
            self.range = range
            self.vector = vector
        }
    }

    /// The encoded sentences; every vector must have the same length (the model's dimensions).
    public static func encode(_ sentences: [Sentence]) -> [UInt8] {
        let dimensions = sentences.first?.vector.count ?? 0
        var out: [UInt8] = []
        out.reserveCapacity(headerSize + sentences.count * (sentenceHeaderSize + dimensions))
        out.append(version)
        out.append(0)
        append(UInt16(truncatingIfNeeded: dimensions), to: &out)
        append(UInt32(truncatingIfNeeded: sentences.count), to: &out)
        for sentence in sentences {
            precondition(sentence.vector.count == dimensions, "sentence vectors of one chunk differ in length")
            append(UInt32(truncatingIfNeeded: sentence.range.lowerBound), to: &out)
            append(UInt32(truncatingIfNeeded: sentence.range.upperBound), to: &out)
            var largest: Float = 0
            for value in sentence.vector where value.isFinite { largest = max(largest, abs(value)) }
            let scale = largest > 0 ? largest / 127 : 1
            append(scale.bitPattern, to: &out)
            let inverse = 1 / scale
            for value in sentence.vector {
                let q = value.isFinite ? (value * inverse).rounded() : 0
                out.append(UInt8(bitPattern: Int8(max(-127, min(127, q)))))
            }
        }
        return out
    }

    /// The sentences, vectors dequantized and scaled back to unit length; nil for another version,
    /// a truncated or oversized buffer, or ranges that are not ordered offsets.
    public static func decode(_ bytes: [UInt8]) -> [Sentence]? {
        bytes.withUnsafeBufferPointer { decode($0) }
    }

    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> [Sentence]? {
        guard bytes.count >= headerSize, bytes[0] == version else { return nil }
        let dimensions = Int(readUInt16(bytes, at: 2))
        let count = Int(readUInt32(bytes, at: 4))
        let stride = sentenceHeaderSize + dimensions
        guard bytes.count == headerSize + count * stride else { return nil }
        var sentences: [Sentence] = []
        sentences.reserveCapacity(count)
        var offset = headerSize
        for _ in 0..<count {
            let start = Int(readUInt32(bytes, at: offset))
            let end = Int(readUInt32(bytes, at: offset + 4))
            let scale = Float(bitPattern: readUInt32(bytes, at: offset + 8))
            guard start <= end, scale.isFinite else { return nil }
            let base = offset + sentenceHeaderSize
            var squares: Float = 0
            for i in 0..<dimensions {
                let q = Float(Int8(bitPattern: bytes[base + i]))
                squares += q * q
            }
            // Unit length again: the common scale cancels, so normalise the integers directly.
            let inverse = squares > 0 ? 1 / squares.squareRoot() : 0
            let vector = [Float](unsafeUninitializedCapacity: dimensions) { buffer, initialized in
                for i in 0..<dimensions { buffer[i] = Float(Int8(bitPattern: bytes[base + i])) * inverse }
                initialized = dimensions
            }
            sentences.append(Sentence(range: start..<end, vector: vector))
            offset += stride
        }
        return sentences
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func readUInt16(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    private static func readUInt32(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[offset + i]) << (8 * i) }
        return value
    }
}
