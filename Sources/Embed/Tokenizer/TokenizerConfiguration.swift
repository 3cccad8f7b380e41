internal import FoundationEssentials

/// How to tokenize for one model, read from its Hugging Face directory.
///
/// The settings live in up to four files, and the reference (sentence-transformers over the
/// Hugging Face fast tokenizer) gives them this precedence, which `load(modelDirectory:)` mirrors:
/// - `tokenizer.json`'s `normalizer` (a `BertNormalizer`) is what the fast tokenizer actually runs,
///   so it wins over `tokenizer_config.json`'s `do_lower_case` / `strip_accents`, which only
///   matter when `tokenizer.json` is absent (the tokenizer is then built from `vocab.txt`).
/// - The length limit is `sentence_bert_config.json`'s `max_seq_length`; without it,
///   sentence-transformers takes the smaller of `model_max_length` and `max_position_embeddings`.
///
/// A value type with no resources; Sendable.
public struct TokenizerConfiguration: Sendable, Equatable {
    /// Lower-case the text (BertNormalizer `lowercase`, tokenizer_config `do_lower_case`).
    public var lowercase: Bool
    /// Decompose (NFD) and drop non-spacing marks. `strip_accents: null` means "same as lowercase".
    public var stripAccents: Bool
    /// Maximum ids per text including `[CLS]` and `[SEP]`.
    public var maxLength: Int
    /// Drop NUL, U+FFFD and control/format/unassigned/private-use scalars; whitespace becomes a space.
    public var cleanText: Bool = true
    /// Put spaces around CJK ideographs, so each becomes its own word.
    public var handleChineseCharacters: Bool = true
    /// Longer words (in Unicode scalars) become a single `[UNK]` without being looked up.
    public var maxInputCharactersPerWord: Int = 100
    /// Marks a piece that continues a word in the vocabulary.
    public var continuingSubwordPrefix: String = "##"
    public var unknownToken: String = "[UNK]"
    public var classifierToken: String = "[CLS]"
    public var separatorToken: String = "[SEP]"
    public var paddingToken: String = "[PAD]"
    public var maskToken: String = "[MASK]"
    /// Tokens matched verbatim in the raw text before normalization, as the fast tokenizer does
    /// for its added tokens: a document containing "[SEP]" gets the separator id there.
    /// Empty means "the five special tokens above".
    public var addedTokens: [String] = []

    public init(lowercase: Bool = true, stripAccents: Bool? = nil, maxLength: Int = 512) {
        self.lowercase = lowercase
        self.stripAccents = stripAccents ?? lowercase
        self.maxLength = maxLength
    }

    /// The tokens matched verbatim in raw text: `addedTokens`, or the special tokens if none.
    var verbatimTokens: [String] {
        addedTokens.isEmpty
            ? [paddingToken, unknownToken, classifierToken, separatorToken, maskToken]
            : addedTokens
    }

    /// Reads `tokenizer.json`, `tokenizer_config.json`, `sentence_bert_config.json` and
    /// `config.json` from `modelDirectory`; each is optional, and a missing one leaves BERT's
    /// defaults (uncased, accents stripped, 512). A present but malformed file throws
    /// `EmbedError.corruptFile` naming it.
    public static func load(modelDirectory: String) throws -> TokenizerConfiguration {
        let dir = ConfigFile.directory(modelDirectory)
        return try load(directory: dir, fast: ConfigFile.decode(TokenizerJSON.self, at: dir + "tokenizer.json"))
    }

    /// `fast` is the already decoded `tokenizer.json`, so its vocabulary is parsed only once.
    static func load(directory dir: String, fast: TokenizerJSON?) throws -> TokenizerConfiguration {
        let slow = try ConfigFile.decode(TokenizerConfigJSON.self, at: dir + "tokenizer_config.json")
        let sbert = try ConfigFile.decode(SentenceBertJSON.self, at: dir + "sentence_bert_config.json")
        let model = try ConfigFile.decode(ModelConfigJSON.self, at: dir + "config.json")

        let bert = fast?.normalizer?.bertNormalizer
        let lowercase = bert?.lowercase ?? slow?.do_lower_case ?? true
        // sentence-transformers lower-cases before the tokenizer when its own flag says so.
        let sbertLowercase = sbert?.do_lower_case ?? false
        var config = TokenizerConfiguration(
            lowercase: lowercase || sbertLowercase,
            // `strip_accents: null` follows the tokenizer's lowercase flag, not ST's.
            stripAccents: bert.map { $0.strip_accents ?? lowercase } ?? slow?.strip_accents ?? lowercase,
            maxLength: maxLength(sbert: sbert, slow: slow, model: model))
        config.cleanText = bert?.clean_text ?? true
        config.handleChineseCharacters = bert?.handle_chinese_chars ?? slow?.tokenize_chinese_chars ?? true
        if let wordPiece = fast?.model {
            config.maxInputCharactersPerWord = wordPiece.max_input_chars_per_word ?? 100
            config.continuingSubwordPrefix = wordPiece.continuing_subword_prefix ?? "##"
            if let unk = wordPiece.unk_token { config.unknownToken = unk }
        }
        if let slow {
            if let t = slow.unk_token?.content { config.unknownToken = t }
            if let t = slow.cls_token?.content { config.classifierToken = t }
            if let t = slow.sep_token?.content { config.separatorToken = t }
            if let t = slow.pad_token?.content { config.paddingToken = t }
            if let t = slow.mask_token?.content { config.maskToken = t }
        }
        // Only tokens the fast tokenizer matches on raw text (normalized == false); BERT models
        // mark their special tokens so.
        config.addedTokens = (fast?.added_tokens ?? []).filter { $0.normalized == false }.map(\.content)
        return config
    }

    private static func maxLength(sbert: SentenceBertJSON?, slow: TokenizerConfigJSON?,
                                  model: ModelConfigJSON?) -> Int {
        if let n = sbert?.max_seq_length, n > 2 { return n }
        // transformers writes 1e30 for "no limit"; anything past a million means the same.
        let tokenizerLimit = slow?.model_max_length.flatMap { $0 > 0 && $0 < 1e6 ? Int($0) : nil }
        let positions = model?.max_position_embeddings
        switch (tokenizerLimit, positions) {
        case let (a?, b?): return min(a, b)
        case let (a?, nil): return a
        case let (nil, b?): return b
        case (nil, nil): return 512
        }
    }
}

// MARK: - File shapes (only the fields we read; JSONDecoder ignores the rest)

struct TokenizerJSON: Decodable {
    struct Normalizer: Decodable {
        var type: String?
        var lowercase: Bool?
        var strip_accents: Bool?
        var clean_text: Bool?
        var handle_chinese_chars: Bool?
        /// `Sequence` normalizers nest their parts.
        var normalizers: [Normalizer]?

        var bertNormalizer: Normalizer? {
            if type == "BertNormalizer" { return self }
            return normalizers?.lazy.compactMap(\.bertNormalizer).first
        }
    }
    struct Model: Decodable {
        var type: String?
        var unk_token: String?
        var continuing_subword_prefix: String?
        var max_input_chars_per_word: Int?
        var vocab: [String: Int]?
    }
    struct AddedToken: Decodable {
        var id: Int
        var content: String
        var normalized: Bool?
    }
    var normalizer: Normalizer?
    var model: Model?
    var added_tokens: [AddedToken]?
}

struct TokenizerConfigJSON: Decodable {
    /// Special tokens appear either as plain strings or as AddedToken objects.
    struct Token: Decodable {
        var content: String?
        init(from decoder: any Decoder) throws {
            if let s = try? decoder.singleValueContainer().decode(String.self) {
                content = s
            } else {
                struct Object: Decodable { var content: String? }
                content = try? Object(from: decoder).content
            }
        }
    }
    var do_lower_case: Bool?
    var strip_accents: Bool?
    var tokenize_chinese_chars: Bool?
    var model_max_length: Double?
    var unk_token: Token?
    var cls_token: Token?
    var sep_token: Token?
    var pad_token: Token?
    var mask_token: Token?
}

struct SentenceBertJSON: Decodable {
    var max_seq_length: Int?
    var do_lower_case: Bool?
}

struct ModelConfigJSON: Decodable {
    var max_position_embeddings: Int?
}

/// Reading the model directory's files with FoundationEssentials only.
enum ConfigFile {
    /// `path` with exactly one trailing slash, so file names can be appended.
    static func directory(_ path: String) -> String {
        path.hasSuffix("/") ? path : path + "/"
    }

    static func exists(_ path: String) -> Bool {
        var isDirectory = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory
    }

    /// The file's bytes, or nil when it does not exist.
    static func read(_ path: String) throws -> Data? {
        guard exists(path) else { return nil }
        do {
            return try Data(contentsOf: URL(filePath: path))
        } catch {
            throw EmbedError.corruptFile(path: path, reason: "unreadable: \(error)")
        }
    }

    /// The decoded file, or nil when it does not exist.
    static func decode<T: Decodable>(_ type: T.Type, at path: String) throws -> T? {
        guard let data = try read(path) else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw EmbedError.corruptFile(path: path, reason: "invalid JSON: \(error)")
        }
    }
}
