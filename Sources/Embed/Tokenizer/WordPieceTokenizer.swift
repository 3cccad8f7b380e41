/// BERT's tokenizer: raw text → input ids, identical to the Hugging Face fast tokenizer that
/// sentence-transformers runs (checked id for id against Tests/EmbedTests/Fixtures/tokens.json).
///
/// Steps: special tokens written literally in the text ("[SEP]") are matched first, as the fast
/// tokenizer's added-token pass does; the rest goes through `BasicTokenizer` (clean, CJK split,
/// accents, lower-case, whitespace/punctuation split) and greedy longest-match-first WordPiece;
/// `encode` then wraps the ids in `[CLS] … [SEP]`, truncated to `maxLength`.
///
/// Owns only immutable tables built in `init`, so it is Sendable: one instance per model, shared
/// by every thread, nothing to close.
public final class WordPieceTokenizer: Sendable {
    public let configuration: TokenizerConfiguration
    public let padID: Int32
    public let clsID: Int32
    public let sepID: Int32
    public let unkID: Int32
    /// Highest id + 1: the embedding table must have at least this many rows.
    public let vocabularySize: Int

    private let vocabulary: Vocabulary
    private let basic: BasicTokenizer
    /// Verbatim tokens as UTF-8 with their ids, longest first so the longest match wins.
    private let verbatim: [(bytes: [UInt8], id: Int32)]

    /// Maximum ids per `encode`d text, `[CLS]` and `[SEP]` included.
    public var maxLength: Int { configuration.maxLength }

    /// Loads `vocab.txt` (or, without it, `tokenizer.json`'s `model.vocab`) and the settings
    /// described at `TokenizerConfiguration.load(modelDirectory:)`.
    /// Throws `EmbedError.missingFile` when neither vocabulary file exists, and
    /// `EmbedError.corruptFile` for unparsable files or a vocabulary without `[CLS]`/`[SEP]`/`[UNK]`.
    public convenience init(modelDirectory: String) throws {
        let dir = ConfigFile.directory(modelDirectory)
        let fast = try ConfigFile.decode(TokenizerJSON.self, at: dir + "tokenizer.json")
        let configuration = try TokenizerConfiguration.load(directory: dir, fast: fast)
        let vocabPath = dir + "vocab.txt"
        let vocabulary: Vocabulary
        let source: String
        if let data = try ConfigFile.read(vocabPath) {
            vocabulary = Vocabulary.parse(vocabText: Array(data),
                                          continuingSubwordPrefix: configuration.continuingSubwordPrefix)
            source = vocabPath
        } else if let vocab = fast?.model?.vocab {
            vocabulary = Vocabulary(tokens: vocab.map { ($0.key, Int32($0.value)) },
                                    continuingSubwordPrefix: configuration.continuingSubwordPrefix)
            source = dir + "tokenizer.json"
        } else if fast != nil {
            throw EmbedError.corruptFile(path: dir + "tokenizer.json", reason: "no model.vocab and no vocab.txt")
        } else {
            throw EmbedError.missingFile(path: vocabPath)
        }
        try self.init(configuration: configuration, vocabulary: vocabulary, source: source)
    }

    /// `source` names the vocabulary file in errors.
    init(configuration: TokenizerConfiguration, vocabulary: Vocabulary, source: String) throws {
        guard vocabulary.count > 0 else {
            throw EmbedError.corruptFile(path: source, reason: "empty vocabulary")
        }
        func require(_ token: String) throws -> Int32 {
            guard let id = vocabulary.id(for: token) else {
                throw EmbedError.corruptFile(path: source, reason: "no \(token) token")
            }
            return id
        }
        self.configuration = configuration
        self.vocabulary = vocabulary
        self.vocabularySize = vocabulary.size
        clsID = try require(configuration.classifierToken)
        sepID = try require(configuration.separatorToken)
        unkID = try require(configuration.unknownToken)
        // Padding is masked out, so a vocabulary without one can use 0 like BERT does.
        padID = vocabulary.id(for: configuration.paddingToken) ?? 0
        basic = BasicTokenizer(cleanText: configuration.cleanText,
                               handleChineseCharacters: configuration.handleChineseCharacters,
                               stripAccents: configuration.stripAccents,
                               lowercase: configuration.lowercase)
        verbatim = configuration.verbatimTokens
            .compactMap { token in vocabulary.id(for: token).map { (Array(token.utf8), $0) } }
            .filter { !$0.0.isEmpty }
            .sorted { $0.0.count > $1.0.count }
    }

    /// `[CLS]` + the text's ids + `[SEP]`, keeping only the first `maxLength - 2` text ids.
    public func encode(_ text: String) -> [Int32] {
        let budget = max(0, maxLength - 2)
        var ids: [Int32] = [clsID]
        ids.reserveCapacity(min(budget, text.utf8.count) + 2)
        tokenize(text, into: &ids, limit: budget + 1)
        ids.append(sepID)
        return ids
    }

    public func encode(_ texts: [String]) -> [[Int32]] {
        texts.map { encode($0) }
    }

    /// How many ids the text has without `[CLS]`/`[SEP]` and without truncation, so a chunker
    /// can size chunks to the model's window.
    public func tokenCount(_ text: String) -> Int {
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 3)
        tokenize(text, into: &ids, limit: .max)
        return ids.count
    }

    /// The text's ids (no `[CLS]`/`[SEP]`), appended to `ids` until it holds `limit` elements.
    func tokenize(_ text: String, into ids: inout [Int32], limit: Int) {
        var offsets: [Range<Int>]? = nil
        tokenize(text, into: &ids, offsets: &offsets, limit: limit)
    }

    /// As above; when `offsets` is non-nil, also appends each id's source, the UTF-8 byte range
    /// in `text` of the word it is a piece of (all pieces of a word share the word's range).
    func tokenize(_ text: String, into ids: inout [Int32], offsets: inout [Range<Int>]?, limit: Int) {
        guard ids.count < limit else { return }
        var text = text
        text.makeContiguousUTF8()
        let utf8 = text.utf8
        // Split around verbatim tokens on the raw bytes; everything between is normal text.
        var segmentStart = utf8.startIndex
        var index = utf8.startIndex
        var byte = 0
        var segmentByte = 0
        while index < utf8.endIndex {
            if let match = verbatimMatch(utf8, at: index) {
                if segmentStart < index {
                    tokenizeSegment(text[segmentStart..<index], base: segmentByte, into: &ids, offsets: &offsets, limit: limit)
                    guard ids.count < limit else { return }
                }
                ids.append(match.id)
                offsets?.append(byte..<(byte + match.length))
                guard ids.count < limit else { return }
                index = utf8.index(index, offsetBy: match.length)
                byte += match.length
                segmentStart = index
                segmentByte = byte
            } else {
                index = utf8.index(after: index)
                byte += 1
            }
        }
        if segmentStart < utf8.endIndex {
            tokenizeSegment(text[segmentStart..<utf8.endIndex], base: segmentByte, into: &ids, offsets: &offsets, limit: limit)
        }
        if ids.count > limit { ids.removeLast(ids.count - limit) }
        if let count = offsets?.count, count > ids.count { offsets?.removeLast(count - ids.count) }
    }

    private func verbatimMatch(_ utf8: String.UTF8View, at index: String.Index) -> (id: Int32, length: Int)? {
        let first = utf8[index]
        for token in verbatim where token.bytes[0] == first {
            if utf8[index...].starts(with: token.bytes) { return (token.id, token.bytes.count) }
        }
        return nil
    }

    /// `base`: the segment's byte offset in the text, added to the words' offsets.
    private func tokenizeSegment(_ segment: Substring, base: Int, into ids: inout [Int32], offsets: inout [Range<Int>]?,
                                 limit: Int) {
        basic.forEachWord(in: segment, trackingOffsets: offsets != nil) { word, source in
            let before = ids.count
            wordPiece(word, into: &ids)
            let range = (base + source.lowerBound)..<(base + source.upperBound)
            offsets?.append(contentsOf: repeatElement(range, count: ids.count - before))
            return ids.count < limit
        }
    }

    /// Greedy longest-match-first: the longest vocabulary prefix of the word, then the longest
    /// "##" piece of the rest, and so on. A word with any unmatchable rest, or longer than
    /// `maxInputCharactersPerWord` scalars, becomes one `[UNK]`.
    private func wordPiece(_ word: UnsafeBufferPointer<UInt8>, into ids: inout [Int32]) {
        // Scalars = bytes that are not UTF-8 continuation bytes (10xxxxxx).
        var scalarCount = 0
        for b in word where b & 0xC0 != 0x80 { scalarCount += 1 }
        if scalarCount > configuration.maxInputCharactersPerWord {
            ids.append(unkID)
            return
        }
        let rollback = ids.count
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while end > start {
                let piece = UnsafeBufferPointer(rebasing: word[start..<end])
                if let id = vocabulary.lookup(piece, continuation: start > 0) {
                    found = id
                    break
                }
                // Step back one whole scalar: only cut at scalar boundaries.
                end -= 1
                while end > start && word[end] & 0xC0 == 0x80 { end -= 1 }
            }
            guard let id = found else {
                ids.removeLast(ids.count - rollback)
                ids.append(unkID)
                return
            }
            ids.append(id)
            start = end
        }
    }
}
