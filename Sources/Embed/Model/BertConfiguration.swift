internal import FoundationEssentials

/// Everything the engine needs to know about a BERT-family model in Hugging Face +
/// sentence-transformers layout, read once from the model directory:
///
/// - `config.json`: the transformer's shape (hidden size, layers, heads, ...).
/// - `modules.json`: the sentence-transformers pipeline (Transformer → Pooling → Normalize?).
/// - `<pooling dir>/config.json`: CLS, mean or max pooling, and whether a prompt counts.
/// - `config_sentence_transformers.json` (optional): prompts prepended per `EmbeddingKind`.
///
/// Anything the engine cannot reproduce exactly (a Dense module, an activation other than gelu,
/// combined pooling modes) is rejected here, so a model never silently gives different vectors
/// from sentence-transformers.
struct BertConfiguration: Sendable, Equatable {
    enum Pooling: Sendable, Equatable {
        case cls, mean, max
    }

    var hiddenSize: Int
    var layers: Int
    var heads: Int
    var intermediateSize: Int
    var maxPositions: Int
    var typeVocabSize: Int
    var vocabSize: Int
    var layerNormEpsilon: Float

    var pooling: Pooling
    /// sentence-transformers' `include_prompt`: when false, the prompt's tokens (and [CLS]) are
    /// left out of mean/max pooling.
    var poolingIncludesPrompt: Bool
    /// Whether the pipeline ends in a Normalize module (L2, as `torch.nn.functional.normalize`).
    var normalizes: Bool
    var queryPrompt: String
    var passagePrompt: String

    var headSize: Int { hiddenSize / heads }

    init(modelDirectory dir: String) throws {
        let configPath = dir + "/config.json"
        let config = try Self.decode(HFConfig.self, at: configPath)
        guard config.hidden_act == nil || config.hidden_act == "gelu" else {
            throw ModelError(.unsupported, file: configPath, "hidden_act \(config.hidden_act ?? "") (only gelu, the erf form, is implemented)")
        }
        if let kind = config.position_embedding_type, kind != "absolute" {
            throw ModelError(.unsupported, file: configPath, "position_embedding_type \(kind) (only absolute)")
        }
        hiddenSize = config.hidden_size
        layers = config.num_hidden_layers
        heads = config.num_attention_heads
        intermediateSize = config.intermediate_size
        maxPositions = config.max_position_embeddings
        typeVocabSize = config.type_vocab_size ?? 2
        vocabSize = config.vocab_size
        layerNormEpsilon = config.layer_norm_eps ?? 1e-12
        guard hiddenSize > 0, heads > 0, hiddenSize % heads == 0, layers > 0, intermediateSize > 0,
              maxPositions > 0, vocabSize > 0, typeVocabSize > 0 else {
            throw ModelError(.invalidFile, file: configPath, "inconsistent sizes (hidden_size must be a positive multiple of num_attention_heads)")
        }

        let modulesPath = dir + "/modules.json"
        let modules = try Self.decode([Module].self, at: modulesPath).sorted { $0.idx < $1.idx }
        var poolingDirectory: String?
        normalizes = false
        for module in modules {
            switch module.type.split(separator: ".").last ?? "" {
            case "Transformer": break
            case "Pooling": poolingDirectory = module.path
            case "Normalize": normalizes = true
            default:
                throw ModelError(.unsupported, file: modulesPath, "module \(module.type) (supported: Transformer, Pooling, Normalize)")
            }
        }
        guard let poolingDirectory else {
            throw ModelError(.unsupported, file: modulesPath, "no Pooling module")
        }

        let poolingPath = dir + "/" + poolingDirectory + "/config.json"
        let poolingConfig = try Self.decode(PoolingConfig.self, at: poolingPath)
        var modes: [Pooling] = []
        // sentence-transformers ≥ 5 writes one "pooling_mode" string; older versions one boolean per mode.
        switch poolingConfig.pooling_mode {
        case nil: break
        case "cls": modes.append(.cls)
        case "mean": modes.append(.mean)
        case "max": modes.append(.max)
        case let other?: throw ModelError(.unsupported, file: poolingPath, "pooling_mode \(other) (supported: cls, mean, max)")
        }
        if poolingConfig.pooling_mode_cls_token == true { modes.append(.cls) }
        if poolingConfig.pooling_mode_mean_tokens == true { modes.append(.mean) }
        if poolingConfig.pooling_mode_max_tokens == true { modes.append(.max) }
        let others = [poolingConfig.pooling_mode_mean_sqrt_len_tokens, poolingConfig.pooling_mode_weightedmean_tokens,
                      poolingConfig.pooling_mode_lasttoken]
        guard modes.count == 1, !others.contains(true) else {
            throw ModelError(.unsupported, file: poolingPath, "exactly one of cls, mean or max pooling must be enabled")
        }
        pooling = modes[0]
        poolingIncludesPrompt = poolingConfig.include_prompt ?? true

        // Optional: models without prompts (MiniLM) may lack the file or the key.
        let stPath = dir + "/config_sentence_transformers.json"
        let prompts = FileManager.default.fileExists(atPath: stPath)
            ? try Self.decode(STConfig.self, at: stPath).prompts ?? [:] : [:]
        queryPrompt = prompts["query"] ?? ""
        passagePrompt = prompts["passage"] ?? prompts["document"] ?? ""
    }

    func prompt(for kind: EmbeddingKind) -> String {
        switch kind {
        case .query: queryPrompt
        case .passage: passagePrompt
        }
    }

    // MARK: - Files

    static func readFile(_ path: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelError(.missingFile, file: path, "not found")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError(.invalidFile, file: path, "cannot read")
        }
        return data
    }

    private static func decode<T: Decodable>(_ type: T.Type, at path: String) throws -> T {
        let data = try readFile(path)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw ModelError(.invalidFile, file: path, "\(error)")
        }
    }

    // Field names mirror the JSON keys, hence the snake case.
    private struct HFConfig: Decodable {
        let hidden_size: Int
        let num_hidden_layers: Int
        let num_attention_heads: Int
        let intermediate_size: Int
        let max_position_embeddings: Int
        let vocab_size: Int
        let type_vocab_size: Int?
        let layer_norm_eps: Float?
        let hidden_act: String?
        let position_embedding_type: String?
    }

    private struct Module: Decodable {
        let idx: Int
        let path: String
        let type: String
    }

    private struct PoolingConfig: Decodable {
        let pooling_mode: String?
        let pooling_mode_cls_token: Bool?
        let pooling_mode_mean_tokens: Bool?
        let pooling_mode_max_tokens: Bool?
        let pooling_mode_mean_sqrt_len_tokens: Bool?
        let pooling_mode_weightedmean_tokens: Bool?
        let pooling_mode_lasttoken: Bool?
        let include_prompt: Bool?
    }

    private struct STConfig: Decodable {
        let prompts: [String: String]?
    }
}
