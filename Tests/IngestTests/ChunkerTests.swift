import Embed
import FoundationEssentials
import Glibc
import Testing
@testable import Ingest

/// Whitespace-separated words: a stand-in for the model's counter that tests can reason about.
let countWords: @Sendable (String) -> Int = { text in
    var count = 0
    var inWord = false
    for byte in text.utf8 {
        let space = byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
        if !space && !inWord { count += 1 }
        inWord = !space
    }
    return count
}

/// Like `countWords`, but a long word costs a token per four scalars, as long words do in WordPiece.
let countWordPieces: @Sendable (String) -> Int = { text in
    text.split(whereSeparator: { $0.isWhitespace }).reduce(0) { $0 + ($1.unicodeScalars.count + 3) / 4 }
}

/// The real model's directory, when this machine has it.
let modelDirectory: String? = {
    let candidates = [getenv("PARLEY_EMBED_MODEL_DIR").map { String(cString: $0) },
                      "/work/main/var/models/all-MiniLM-L6-v2"]
    return candidates.compactMap { $0 }.first { access($0 + "/vocab.txt", R_OK) == 0 }
}()

/// Runs the blocks through a chunker and checks what every chunk must satisfy.
func chunk(_ blocks: [Block], maxTokens: Int = 240, minTokens: Int = 200, overlap: Double = 0.15,
           counter: @escaping @Sendable (String) -> Int = countWords, additive: Bool = true) -> [Chunk] {
    var chunker = Chunker(tokenCount: counter, maxTokens: maxTokens, minTokens: minTokens, overlapFraction: overlap)
    var chunks: [Chunk] = []
    for block in blocks {
        chunks += chunker.add(block)
        #expect(chunker.pendingTokens <= maxTokens)
    }
    chunks += chunker.finish()
    let extracted = Array(blocks.map(\.text).joined(separator: "\n\n").unicodeScalars)
    for (index, chunk) in chunks.enumerated() {
        #expect(chunk.ordinal == index)
        #expect(chunk.tokenCount <= maxTokens)
        // Units meet at whitespace, so an additive counter gives the joined text the same count.
        if additive { #expect(chunk.tokenCount == counter(chunk.text)) }
        #expect(chunk.charStart < chunk.charEnd && chunk.charEnd <= extracted.count)
        if chunk.charStart < chunk.charEnd, chunk.charEnd <= extracted.count {
            var slice = String.UnicodeScalarView()
            slice.append(contentsOf: extracted[chunk.charStart..<chunk.charEnd])
            #expect(String(slice) == chunk.text, "chunk \(index) text differs from its range")
        }
    }
    return chunks
}

/// `count` sentences of `words` words each, numbered so every sentence is distinct.
func prose(_ tag: String, sentences count: Int, words: Int = 8) -> String {
    (0..<count).map { i in
        "Sentence \(tag)\(i) " + Array(repeating: "word", count: max(0, words - 3)).joined(separator: " ") + " ends."
    }.joined(separator: " ")
}

@Suite struct ChunkerTests {
    @Test func emptyDocumentsGiveNoChunks() {
        #expect(chunk([]).isEmpty)
        #expect(chunk([Block(.heading(level: 1), "Title"), Block(.heading(level: 2), "Empty section")]).isEmpty)
    }

    @Test func headingsStartChunksAndSetThePathWithoutOverlapAcrossThem() {
        let blocks = [
            Block(.heading(level: 1), "Guide"), Block(.paragraph, prose("a", sentences: 4)),
            Block(.heading(level: 2), "Install"), Block(.paragraph, prose("b", sentences: 4)),
            Block(.heading(level: 3), "Linux"), Block(.paragraph, prose("c", sentences: 4)),
            Block(.heading(level: 2), "Use"), Block(.paragraph, prose("d", sentences: 4)),
            Block(.heading(level: 1), "Other"), Block(.listItem, prose("e", sentences: 1)),
        ]
        let chunks = chunk(blocks, maxTokens: 100, minTokens: 80)
        #expect(chunks.map(\.headingPath) == [["Guide"], ["Guide", "Install"], ["Guide", "Install", "Linux"],
                                             ["Guide", "Use"], ["Other"]])
        #expect(chunks.map(\.text) == [blocks[1], blocks[3], blocks[5], blocks[7], blocks[9]].map(\.text))
    }

    @Test func aHeadingAfterALineOrTwoJoinsTheChunkInsteadOfLeavingItTiny() {
        let blocks = [
            Block(.heading(level: 1), "Report"), Block(.paragraph, "By Ann."),
            Block(.heading(level: 2), "Summary"), Block(.paragraph, prose("s", sentences: 3)),
        ]
        let chunks = chunk(blocks, maxTokens: 100, minTokens: 80)
        #expect(chunks.count == 1)
        #expect(chunks.first?.headingPath == ["Report"])
        #expect(chunks.first?.text == "By Ann.\n\nSummary\n\n" + blocks[3].text)
    }

    @Test func overlapRepeatsTheTrailingUnitsOfTheSameSection() {
        let blocks = (0..<30).map { Block(.paragraph, prose("p\($0)-", sentences: 1, words: 10)) }
        let chunks = chunk(blocks, maxTokens: 100, minTokens: 80, overlap: 0.15)
        #expect(chunks.count > 3)
        for (previous, next) in zip(chunks, chunks.dropFirst()) {
            // The next chunk starts inside the previous one, on a paragraph boundary.
            #expect(next.charStart < previous.charEnd)
            let shared = previous.charEnd - next.charStart
            let sharedText = String(next.text.unicodeScalars.prefix(shared).map(Character.init))
            #expect(previous.text.hasSuffix(sharedText))
            let overlapTokens = countWords(sharedText)
            #expect(overlapTokens >= 10 && overlapTokens <= 25, "overlap \(overlapTokens) tokens")
        }
    }

    @Test func aLargeTrailingParagraphGivesItsLastSentencesAsOverlap() {
        let blocks = (0..<6).map { Block(.paragraph, prose("q\($0)-", sentences: 8, words: 8)) }
        let chunks = chunk(blocks, maxTokens: 100, minTokens: 80, overlap: 0.15)
        for (previous, next) in zip(chunks, chunks.dropFirst()) {
            let shared = previous.charEnd - next.charStart
            #expect(shared > 0)
            let sharedText = String(next.text.unicodeScalars.prefix(shared).map(Character.init))
            #expect(sharedText.hasPrefix("Sentence ") && sharedText.hasSuffix("ends."))
            #expect(countWords(sharedText) <= 25)
        }
    }

    @Test func noOverlapWhenTheFractionIsZero() {
        let blocks = (0..<20).map { Block(.paragraph, prose("z\($0)-", sentences: 2)) }
        let chunks = chunk(blocks, maxTokens: 50, minTokens: 40, overlap: 0)
        for (previous, next) in zip(chunks, chunks.dropFirst()) { #expect(next.charStart > previous.charEnd) }
    }

    @Test func aLongParagraphIsCutAtSentenceEnds() {
        let text = prose("l", sentences: 60)
        let chunks = chunk([Block(.paragraph, text)], maxTokens: 60, minTokens: 50)
        #expect(chunks.count > 8)
        for chunk in chunks {
            #expect(chunk.text.hasPrefix("Sentence l"))
            #expect(chunk.text.hasSuffix("ends."))
            #expect(chunk.tokenCount > 40)
        }
        #expect(chunks.first?.charStart == 0)
        #expect(chunks.last?.charEnd == text.unicodeScalars.count)
    }

    @Test func sentencesAreNotCutAfterAbbreviationsInitialsOrDecimals() throws {
        let text = "Use a tool, e.g. the saw. Dr. Smith paid 3.14 dollars (i.e. cheap). J. R. R. Tolkien wrote it! "
            + "Really? \"Yes.\" Item 1. is fine. 価格は高い。安い！ Done"
        var copy = text
        let pieces = copy.withUTF8 { bytes in
            TextSegmenter.split(bytes, .init(bytes: 0..<bytes.count, scalars: 0..<text.unicodeScalars.count),
                                at: .sentence)
        }
        let scalars = Array(text.unicodeScalars)
        let sentences = pieces.map { String(String.UnicodeScalarView(scalars[$0.scalars])) }
        #expect(sentences == ["Use a tool, e.g. the saw.", "Dr. Smith paid 3.14 dollars (i.e. cheap).",
                              "J. R. R. Tolkien wrote it!", "Really?", "\"Yes.\"", "Item 1. is fine.",
                              "価格は高い。", "安い！", "Done"])
    }

    @Test func aHugeSingleWordIsCutIntoRunsThatFit() {
        let word = String(repeating: "x", count: 10_000)
        let blocks = [Block(.paragraph, "Before it. " + word + " after it.")]
        let chunks = chunk(blocks, maxTokens: 100, minTokens: 80, counter: countWordPieces, additive: false)
        #expect(chunks.count >= 25)
        for chunk in chunks { #expect(countWordPieces(chunk.text) <= 100) }
        // Overlap aside, the runs put back together are the word.
        #expect(chunks.map(\.text).joined().contains(word.prefix(400)))
    }

    @Test func recordsAndRowsAreNeverSplitWhenTheyFit() {
        let records = (0..<200).map { i in
            Block(.record, "id: \(i)\nname: customer number \(i)\nnote: pays on time \(i % 7)")
        }
        let chunks = chunk(records, maxTokens: 50, minTokens: 40)
        let texts = Set(records.map(\.text))
        for chunk in chunks {
            for part in chunk.text.split(separator: "\n\n", omittingEmptySubsequences: false) {
                #expect(texts.contains(String(part)))
            }
        }
    }

    @Test func aRecordOverTheLimitIsCutAtItsLineEnds() {
        let lines = (0..<30).map { "field\($0): value number \($0)" }
        let record = Block(.tableRow, lines.joined(separator: "\n"))
        let chunks = chunk([record], maxTokens: 40, minTokens: 30)
        #expect(chunks.count > 2)
        let allowed = Set(lines)
        for chunk in chunks {
            for line in chunk.text.split(separator: "\n") { #expect(allowed.contains(String(line))) }
        }
    }

    @Test func pagesSpanTheBlocksOfTheChunk() {
        let blocks = [Block(.paragraph, prose("a", sentences: 2), page: 1), Block(.paragraph, prose("b", sentences: 2), page: 2),
                      Block(.paragraph, prose("c", sentences: 2), page: 3), Block(.paragraph, prose("d", sentences: 2), page: 3)]
        let chunks = chunk(blocks, maxTokens: 40, minTokens: 30, overlap: 0)
        #expect(chunks.map(\.pageStart) == [1, 3])
        #expect(chunks.map(\.pageEnd) == [2, 3])
        let pageless = chunk([Block(.paragraph, "No pages here.")])
        #expect(pageless.first?.pageStart == nil && pageless.first?.pageEnd == nil)
    }

    @Test func offsetsPointIntoTheExtractedTextOfAMixedDocument() {
        // `chunk` checks extracted[charStart..<charEnd] == text for every chunk.
        var blocks: [Block] = [Block(.heading(level: 1), "Mixed ünïcödé 文档"), Block(.paragraph, "Intro line.")]
        for section in 0..<4 {
            blocks.append(Block(.heading(level: 2), "Section \(section) — ok"))
            blocks.append(Block(.paragraph, prose("é\(section)", sentences: 25, words: 9)))
            blocks.append(Block(.listItem, "An item with emoji 🙂 in it."))
            blocks.append(Block(.preformatted, "let x = 1\nlet y = 2\n    indented()"))
            blocks.append(Block(.record, "a: 1\nb: two words"))
        }
        blocks.append(Block(.paragraph, "中文句子没有空格" + String(repeating: "长", count: 500) + "。结束。"))
        let chunks = chunk(blocks, maxTokens: 60, minTokens: 45, counter: countWordPieces, additive: false)
        #expect(chunks.count > 10)
        #expect(chunks.first?.headingPath == ["Mixed ünïcödé 文档"])
    }

    @Test func aLongRecordStreamIsFastAndHoldsAtMostAboutOneChunk() {
        var chunker = Chunker(tokenCount: countWords, maxTokens: 240, minTokens: 200)
        let start = ContinuousClock.now
        var produced = 0
        var lastEnd = 0
        for i in 0..<20_000 {
            let record = Block(.record, "order: \(i)\ncustomer: person \(i % 97)\ntotal: \(i * 3) euros")
            for chunk in chunker.add(record) {
                #expect(chunk.ordinal == produced)
                #expect(chunk.charEnd > lastEnd)
                lastEnd = chunk.charEnd
                produced += 1
            }
            #expect(chunker.pendingTokens <= 240)
            #expect(chunker.units.count <= 40)
        }
        produced += chunker.finish().count
        #expect(produced > 20_000 * 8 / 240)
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func finishStartsOverForTheNextDocument() {
        var chunker = Chunker(tokenCount: countWords)
        _ = chunker.add(Block(.heading(level: 1), "One"))
        _ = chunker.add(Block(.paragraph, "First document."))
        #expect(chunker.finish().map(\.headingPath) == [["One"]])
        _ = chunker.add(Block(.paragraph, "Second document."))
        let second = chunker.finish()
        #expect(second.map(\.ordinal) == [0])
        #expect(second.first?.headingPath == [])
        #expect(second.first?.charStart == 0)
    }

    @Test(.enabled(if: modelDirectory != nil)) func realWordPieceCountsStayInsideTheModelWindow() throws {
        let tokenizer = try WordPieceTokenizer(modelDirectory: modelDirectory ?? "")
        let count: @Sendable (String) -> Int = { tokenizer.tokenCount($0) }
        var blocks: [Block] = [Block(.heading(level: 1), "Handbook")]
        for i in 0..<20 {
            blocks.append(Block(.paragraph, "The quarterly revenue (approx. 3.5% up, e.g. in Q\(i % 4 + 1)) was reported by Dr. Müller. "
                + "Überprüfung der Ergebnisse erfolgt jährlich; naïve café-style estimates aren't used! "
                + Array(repeating: "Customers asked whether the refund-policy applies to pre-orders.", count: i % 5 + 1).joined(separator: " ")))
            blocks.append(Block(.record, "sku: AB-\(i)-XYZ\nprice: \(i).99 EUR\ndescription: hand-made, 100% wool"))
        }
        blocks.append(Block(.paragraph, String(repeating: "数据处理很重要", count: 200)))
        blocks.append(Block(.paragraph, String(repeating: "a-b.c,", count: 400) + "end"))
        blocks.append(Block(.preformatted, (0..<80).map { "print(value_\($0), key=\"k\($0)\")" }.joined(separator: "\n")))
        let chunks = chunk(blocks, counter: count, additive: false)
        #expect(chunks.count > 5)
        for chunk in chunks {
            let real = tokenizer.tokenCount(chunk.text)
            #expect(real <= 254, "chunk \(chunk.ordinal) has \(real) tokens")
        }
    }
}
