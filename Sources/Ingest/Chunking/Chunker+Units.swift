import Embed

/// One block's text as the chunker keeps it: the String (shared, never copied per unit), where it
/// starts in the extracted text, and what it needs to slice itself by byte offsets.
struct SourceBlock: Sendable {
    let text: String
    /// Position among the document's blocks; units with the same serial come from one block.
    let serial: Int
    /// Offset of the block's first scalar in the extracted text.
    let start: Int
    let page: Int?
    let kind: Block.Kind
    let scalarCount: Int
    /// The whole text without surrounding whitespace; nil for a blank block.
    let whole: TextSegmenter.Piece?

    init(text: String, serial: Int, start: Int, page: Int?, kind: Block.Kind) {
        var native = text
        // Byte offsets are only O(1) to turn into indices, and the bytes only borrowable, in a
        // contiguous UTF-8 string; parsers make those anyway, so this is normally free.
        native.makeContiguousUTF8()
        self.text = native
        self.serial = serial
        self.start = start
        self.page = page
        self.kind = kind
        let counted = Self.withBytes(native) { bytes in
            let scalars = TextSegmenter.scalarCount(bytes)
            let full = TextSegmenter.Piece(bytes: 0..<bytes.count, scalars: 0..<scalars)
            return (scalars, TextSegmenter.trimmed(bytes, full))
        }
        scalarCount = counted.0
        whole = counted.1
    }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        Self.withBytes(text, body)
    }

    private static func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }

    /// The text between two byte offsets that fall on scalar boundaries (the segmenter's cuts do).
    func slice(_ bytes: Range<Int>) -> Substring {
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: bytes.lowerBound)
        let upper = utf8.index(lower, offsetBy: bytes.count)
        return Substring(utf8[lower..<upper])
    }

    func string(_ piece: TextSegmenter.Piece) -> String {
        piece.bytes == 0..<text.utf8.count ? text : String(slice(piece.bytes))
    }

    /// The heading-path entry for this block.
    var trimmedText: String { whole.map(string) ?? "" }

    /// Prose may be cut at sentences; rows, records and code only at line ends.
    var isProse: Bool {
        switch kind {
        case .paragraph, .listItem, .heading: true
        case .tableRow, .record, .preformatted: false
        }
    }
}

/// The smallest thing the chunker packs: a whole block, or a sentence, line, word or (last
/// resort) run of scalars of one, with its token count.
struct Unit: Sendable {
    var block: SourceBlock
    var piece: TextSegmenter.Piece
    var tokens: Int
    /// A whole paragraph or list item, which may still be cut at sentences to fill a chunk or to
    /// give a smaller overlap.
    var isWholeProse: Bool
    /// Repeated from the previous chunk.
    var isOverlap = false

    var bytes: Range<Int> { piece.bytes }
    var scalars: Range<Int> { piece.scalars }
}

extension Chunker {
    /// The block as units no larger than `maxTokens`: the whole block when it fits, otherwise its
    /// pieces at the finest level needed.
    func units(of block: SourceBlock) -> [Unit] {
        guard let whole = block.whole else { return [] }
        var known: Int?
        if whole.scalars.count <= wholeCountScalarLimit {
            let count = tokenCount(block.string(whole))
            if count <= maxTokens {
                return [Unit(block: block, piece: whole, tokens: count, isWholeProse: block.isProse)]
            }
            known = count
        }
        let levels: [TextSegmenter.Level] = block.isProse ? [.sentence, .line, .word] : [.line, .word]
        var result: [Unit] = []
        block.withBytes { bytes in
            refine(whole, tokens: known, in: block, bytes: bytes, levels: levels[...], into: &result)
        }
        return result
    }

    /// The unit's sentences, each counted; used to fill a chunk or pick a smaller overlap.
    func cut(_ unit: Unit, at level: TextSegmenter.Level) -> [Unit] {
        let pieces = unit.block.withBytes { TextSegmenter.split($0, unit.piece, at: level) }
        guard pieces.count > 1 else { return [unit] }
        return pieces.map { piece in
            Unit(block: unit.block, piece: piece, tokens: tokenCount(unit.block.string(piece)), isWholeProse: false)
        }
    }

    /// Cuts an oversized piece at the first level in `levels` that has a boundary in it, keeping
    /// the parts that fit and cutting the others at the next level. Recursion is bounded by the
    /// number of levels (three) plus the scalar fallback.
    private func refine(_ piece: TextSegmenter.Piece, tokens: Int?, in block: SourceBlock,
                        bytes: UnsafeBufferPointer<UInt8>, levels: ArraySlice<TextSegmenter.Level>,
                        into result: inout [Unit]) {
        guard let level = levels.first else {
            splitScalars(piece, in: block, bytes: bytes, into: &result)
            return
        }
        let parts = TextSegmenter.split(bytes, piece, at: level)
        if parts.count <= 1 {
            // No boundary at this level: the piece is unchanged, so its count still holds.
            refine(parts.first ?? piece, tokens: tokens, in: block, bytes: bytes, levels: levels.dropFirst(),
                   into: &result)
            return
        }
        for part in parts {
            let count = tokenCount(block.string(part))
            if count <= maxTokens {
                result.append(Unit(block: block, piece: part, tokens: count, isWholeProse: false))
            } else {
                refine(part, tokens: count, in: block, bytes: bytes, levels: levels.dropFirst(), into: &result)
            }
        }
    }

    /// Last resort for one "word" over the limit: runs of scalars, each counted, shrunk until they
    /// fit. A single scalar always fits (no tokenizer gives one more than a few tokens), and each
    /// run is counted a handful of times at most, since a failed try shrinks it in proportion.
    private func splitScalars(_ piece: TextSegmenter.Piece, in block: SourceBlock, bytes: UnsafeBufferPointer<UInt8>,
                              into result: inout [Unit]) {
        var byte = piece.bytes.lowerBound
        var scalar = piece.scalars.lowerBound
        var run = max(1, maxTokens)
        while byte < piece.bytes.upperBound {
            var attempt = min(run, piece.scalars.upperBound - scalar)
            while true {
                var end = byte
                var taken = 0
                while end < piece.bytes.upperBound, taken < attempt {
                    end += 1
                    while end < piece.bytes.upperBound, TextSegmenter.isContinuation(bytes[end]) { end += 1 }
                    taken += 1
                }
                let part = TextSegmenter.Piece(bytes: byte..<end, scalars: scalar..<(scalar + taken))
                let count = tokenCount(block.string(part))
                if count <= maxTokens || attempt == 1 {
                    result.append(Unit(block: block, piece: part, tokens: count, isWholeProse: false))
                    byte = end
                    scalar += taken
                    run = attempt
                    break
                }
                attempt = max(1, min(attempt / 2, attempt * maxTokens / max(count, 1)))
            }
        }
    }
}
