/// Packs a document's blocks, as a parser streams them, into chunks sized for the embedding model.
///
/// Streaming and memory-bounded: it holds the units of the chunk being built (at most `maxTokens`
/// tokens' worth) plus the block being added, never the document. Feed every block in reading
/// order to `add`, which returns the chunks that block completed (usually none), then call
/// `finish` once for the last one. A value with no shared state: one per document, one thread.
///
/// Rules, in order of precedence:
/// - A heading replaces the heading path from its level down and starts a new chunk once the
///   current one holds content of meaningful size, so sections do not mix when that is avoidable.
///   A heading that arrives while the chunk holds only a line or two (a byline, a date) joins the
///   chunk as text instead, so no chunk is that small; it is in the text, not in the path.
/// - Paragraphs, list items, records and table rows are packed whole while they fit. A prose block
///   that does not fit into a chunk still below `minTokens` is cut at sentence ends to fill it.
/// - A unit larger than `maxTokens` alone is cut at sentence ends (prose), then line ends, then word
///   boundaries, and as a last resort (one "word" over the limit: CJK without punctuation, a base64
///   blob) between Unicode scalars. Records, table rows and code start at line ends, never inside
///   a line when avoidable.
/// - A chunk that continues the same section starts with the trailing whole units of the previous
///   one, about `overlapFraction * maxTokens` tokens and never more than a quarter of `maxTokens`;
///   a trailing paragraph too large for that is cut at its sentences. Never across a heading.
///
/// Text and offsets: a chunk's text is exactly the document's extracted text (all block texts,
/// headings included, joined by "\n\n") between its `charStart` and `charEnd`: units of one block
/// keep the block's own whitespace between them (a space between sentences of normalized prose, a
/// line break between the lines of a record), units of different blocks are joined by "\n\n".
///
/// Tokens: `tokenCount` is called once per unit (a whole block, or each sentence/line/word of one
/// that must be cut), never on the growing chunk; a chunk's `tokenCount` is the sum of its units'
/// counts. For WordPiece that equals the joined text's count, since units meet at whitespace, except
/// after a last-resort cut inside a word, where the joined text may count a token or two more.
public struct Chunker: Sendable {
    let tokenCount: @Sendable (String) -> Int
    let maxTokens: Int
    let minTokens: Int
    /// Overlap aimed for, and its hard ceiling, in tokens.
    let overlapTarget: Int
    let overlapCeiling: Int
    /// Fresh tokens from which a heading closes the chunk rather than joining it.
    let headingBreakTokens: Int
    /// Blocks with more scalars than this are not counted whole before being cut: no tokenizer
    /// packs more than a few characters per token, so they cannot fit, and counting them would
    /// tokenize a huge text twice.
    let wholeCountScalarLimit: Int

    /// The heading path now, outermost first, with each heading's level.
    var headings: [(level: Int, text: String)] = []
    /// Units of the chunk being built, in order; overlap units first.
    var units: [Unit] = []
    var tokens = 0
    var freshTokens = 0
    var freshUnits = 0
    /// The heading path when the current chunk got its first unit.
    var chunkPath: [String] = []
    var ordinal = 0
    /// Where the next block starts in the extracted text, in scalars.
    var nextBlockStart = 0
    var blockSerial = 0

    /// - Parameters:
    ///   - tokenCount: the embedding model's token counter, without `[CLS]`/`[SEP]`.
    ///   - maxTokens: hard ceiling of a chunk's summed token count (at least 1).
    ///   - minTokens: below this, a chunk is filled with sentences of the next paragraph rather than
    ///     closed; it is also the scale of "meaningful size" before a heading.
    ///   - overlapFraction: share of `maxTokens` repeated from the previous chunk; capped at 0.25.
    public init(tokenCount: @escaping @Sendable (String) -> Int, maxTokens: Int = 240, minTokens: Int = 200,
                overlapFraction: Double = 0.15) {
        self.tokenCount = tokenCount
        self.maxTokens = max(1, maxTokens)
        self.minTokens = min(max(0, minTokens), self.maxTokens)
        let fraction = overlapFraction.isFinite ? min(max(overlapFraction, 0), 0.25) : 0
        overlapCeiling = self.maxTokens / 4
        overlapTarget = min(overlapCeiling, Int((fraction * Double(self.maxTokens)).rounded()))
        headingBreakTokens = max(1, self.minTokens / 16)
        wholeCountScalarLimit = self.maxTokens * 24
    }

    /// Takes the next block in reading order; returns the chunks it completed.
    public mutating func add(_ block: Block) -> [Chunk] {
        let text = SourceBlock(text: block.text, serial: blockSerial, start: nextBlockStart, page: block.page,
                             kind: block.kind)
        blockSerial += 1
        nextBlockStart += text.scalarCount + 2
        var done: [Chunk] = []
        if case .heading(let level) = block.kind {
            addHeading(text, level: level, into: &done)
        } else {
            for unit in units(of: text) { place(unit, into: &done) }
        }
        return done
    }

    /// Closes the last chunk. The chunker then starts over, ready for another document.
    public mutating func finish() -> [Chunk] {
        var done: [Chunk] = []
        close(into: &done, keepOverlap: false)
        headings = []
        ordinal = 0
        nextBlockStart = 0
        blockSerial = 0
        return done
    }

    /// Tokens held for the chunk being built; never more than `maxTokens`.
    var pendingTokens: Int { tokens }

    // MARK: Packing

    private mutating func addHeading(_ heading: SourceBlock, level: Int, into done: inout [Chunk]) {
        if freshUnits == 0 {
            dropAll()
        } else if freshTokens >= headingBreakTokens {
            close(into: &done, keepOverlap: false)
        } else {
            // Too little content to stand alone: the heading joins it as text when it fits.
            let parts = units(of: heading)
            let size = parts.reduce(0) { $0 + $1.tokens }
            if tokens + size <= maxTokens {
                for part in parts { append(part) }
            } else {
                close(into: &done, keepOverlap: false)
            }
        }
        let level = min(max(level, 1), 6)
        headings.removeAll { $0.level >= level }
        headings.append((level, heading.trimmedText))
    }

    private mutating func place(_ unit: Unit, into done: inout [Chunk]) {
        if tokens + unit.tokens <= maxTokens {
            append(unit)
            return
        }
        if freshUnits == 0 {
            // Only overlap so far: give up its oldest units until the new one fits.
            while !units.isEmpty, tokens + unit.tokens > maxTokens { dropFirst() }
            append(unit)
            return
        }
        if unit.isWholeProse, freshTokens < minTokens, let sentences = fill(with: unit) {
            for sentence in sentences { place(sentence, into: &done) }
            return
        }
        close(into: &done, keepOverlap: true)
        while !units.isEmpty, tokens + unit.tokens > maxTokens { dropFirst() }
        append(unit)
    }

    /// The sentences of a paragraph that would leave a short chunk behind, so it can be filled;
    /// nil when cutting would not help (one sentence only, or a sentence over the limit).
    private func fill(with unit: Unit) -> [Unit]? {
        let sentences = cut(unit, at: .sentence)
        guard sentences.count > 1, sentences.allSatisfy({ $0.tokens <= maxTokens }),
              let first = sentences.first, tokens + first.tokens <= maxTokens
        else { return nil }
        return sentences
    }

    private mutating func append(_ unit: Unit) {
        if units.isEmpty { chunkPath = headings.map(\.text) }
        units.append(unit)
        tokens += unit.tokens
        if !unit.isOverlap {
            freshUnits += 1
            freshTokens += unit.tokens
        }
    }

    private mutating func dropFirst() {
        guard !units.isEmpty else { return }
        let unit = units.removeFirst()
        tokens -= unit.tokens
        if !unit.isOverlap {
            freshUnits -= 1
            freshTokens -= unit.tokens
        }
    }

    private mutating func dropAll() {
        units.removeAll(keepingCapacity: true)
        tokens = 0
        freshTokens = 0
        freshUnits = 0
    }

    /// Emits the current chunk if it holds anything new, then starts the next one, with the
    /// previous chunk's tail as overlap when it continues the same section.
    private mutating func close(into done: inout [Chunk], keepOverlap: Bool) {
        guard freshUnits > 0 else {
            dropAll()
            return
        }
        done.append(makeChunk())
        ordinal += 1
        let tail = keepOverlap ? overlap() : []
        dropAll()
        for unit in tail { append(unit) }
    }

    /// The trailing whole units of the current chunk worth about `overlapTarget` tokens, never
    /// more than `overlapCeiling`; a trailing prose block too large for that gives its last
    /// sentences instead.
    private func overlap() -> [Unit] {
        guard overlapTarget > 0 else { return [] }
        var taken: [Unit] = []
        var total = 0
        for unit in units.reversed() {
            if total >= overlapTarget { break }
            if total + unit.tokens <= overlapCeiling {
                taken.append(unit)
                total += unit.tokens
                continue
            }
            if unit.isWholeProse {
                for sentence in cut(unit, at: .sentence).reversed() {
                    guard total < overlapTarget, total + sentence.tokens <= overlapCeiling else { break }
                    taken.append(sentence)
                    total += sentence.tokens
                }
            }
            break
        }
        return taken.reversed().map { unit in
            var copy = unit
            copy.isOverlap = true
            return copy
        }
    }

    private func makeChunk() -> Chunk {
        var text = ""
        var pageStart: Int?
        var pageEnd: Int?
        var index = 0
        while index < units.count {
            // Consecutive units of one block are one slice of it, original whitespace included.
            var last = index
            while last + 1 < units.count, units[last + 1].block.serial == units[index].block.serial { last += 1 }
            let block = units[index].block
            if !text.isEmpty { text += "\n\n" }
            text += block.slice(units[index].bytes.lowerBound..<units[last].bytes.upperBound)
            if let page = block.page {
                pageStart = min(pageStart ?? page, page)
                pageEnd = max(pageEnd ?? page, page)
            }
            index = last + 1
        }
        let first = units.first.map { $0.block.start + $0.scalars.lowerBound } ?? 0
        let end = units.last.map { $0.block.start + $0.scalars.upperBound } ?? first
        return Chunk(ordinal: ordinal, text: text, pageStart: pageStart, pageEnd: pageEnd, headingPath: chunkPath,
                     charStart: first, charEnd: end, tokenCount: tokens)
    }
}
