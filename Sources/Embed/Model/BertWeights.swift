/// Pointers to every weight of a BERT encoder, straight into the mapped safetensors file.
///
/// Resolving names and checking shapes once at load time means the forward pass never looks up a
/// string or meets a wrongly shaped tensor. The pointers borrow from `file`, which the struct
/// keeps alive.
struct BertWeights: @unchecked Sendable {
    // @unchecked: UnsafePointer is not Sendable, but these point into a PROT_READ mapping owned by
    // `file` (held here), which nothing ever writes.

    /// A Hugging Face `nn.Linear`: weight is [out, in] row-major, so y = x · Wᵀ + b.
    struct Linear {
        let weight: UnsafePointer<Float>
        let bias: UnsafePointer<Float>
        let inFeatures: Int
        let outFeatures: Int
    }

    struct Norm {
        let weight: UnsafePointer<Float>
        let bias: UnsafePointer<Float>
    }

    struct Layer {
        let query: Linear
        let key: Linear
        let value: Linear
        let attentionOutput: Linear
        let attentionNorm: Norm
        let intermediate: Linear
        let output: Linear
        let outputNorm: Norm
    }

    let file: SafetensorsFile
    let wordEmbeddings: UnsafePointer<Float>
    let positionEmbeddings: UnsafePointer<Float>
    let tokenTypeEmbeddings: UnsafePointer<Float>
    let embeddingNorm: Norm
    let layers: [Layer]

    init(file: SafetensorsFile, config c: BertConfiguration) throws {
        self.file = file
        // A bare BertModel (sentence-transformers' usual export) has no prefix; checkpoints saved
        // from BertForMaskedLM and friends put everything under "bert.".
        let prefixes = ["", "bert.", "model."]
        guard let prefix = prefixes.first(where: { file.contains($0 + "embeddings.word_embeddings.weight") }) else {
            throw ModelError(.invalidFile, file: file.path, "no embeddings.word_embeddings.weight tensor (also tried the bert. and model. prefixes)")
        }
        func tensor(_ name: String, _ shape: [Int]) throws -> UnsafePointer<Float> {
            try file.tensor(prefix + name, shape: shape).data
        }
        // Old TensorFlow-converted checkpoints name LayerNorm parameters gamma/beta.
        func norm(_ name: String) throws -> Norm {
            let h = c.hiddenSize
            if file.contains(prefix + name + ".gamma") {
                return Norm(weight: try tensor(name + ".gamma", [h]), bias: try tensor(name + ".beta", [h]))
            }
            return Norm(weight: try tensor(name + ".weight", [h]), bias: try tensor(name + ".bias", [h]))
        }
        func linear(_ name: String, in inFeatures: Int, out outFeatures: Int) throws -> Linear {
            Linear(weight: try tensor(name + ".weight", [outFeatures, inFeatures]),
                   bias: try tensor(name + ".bias", [outFeatures]),
                   inFeatures: inFeatures, outFeatures: outFeatures)
        }

        let h = c.hiddenSize
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [c.vocabSize, h])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [c.maxPositions, h])
        tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", [c.typeVocabSize, h])
        embeddingNorm = try norm("embeddings.LayerNorm")
        layers = try (0..<c.layers).map { i in
            let p = "encoder.layer.\(i)."
            return Layer(
                query: try linear(p + "attention.self.query", in: h, out: h),
                key: try linear(p + "attention.self.key", in: h, out: h),
                value: try linear(p + "attention.self.value", in: h, out: h),
                attentionOutput: try linear(p + "attention.output.dense", in: h, out: h),
                attentionNorm: try norm(p + "attention.output.LayerNorm"),
                intermediate: try linear(p + "intermediate.dense", in: h, out: c.intermediateSize),
                output: try linear(p + "output.dense", in: c.intermediateSize, out: h),
                outputNorm: try norm(p + "output.LayerNorm"))
        }
    }
}
