/// The BERT forward pass on the CPU, plus sentence-transformers' pooling and normalisation:
/// token ids in, one sentence vector per sequence out.
///
/// Thread rule: immutable after `init`; `encode` allocates its own scratch per call, so any
/// number of threads may call it at once. Matrix products go to OpenBLAS (`cblas_sgemm`) or, for
/// few tokens, the no-packing C kernel (`MatrixProduct`), both reading the weights in place from
/// the mapping, or in an `.int8` pass to the int8 kernel with the packed copy (`QuantizedLinear`);
/// everything else is plain loops in `LayerOps`.
final class BertEncoder: Sendable {
    let configuration: BertConfiguration
    let weights: BertWeights
    let product: MatrixProduct
    /// The weights in int8, one entry per layer, for `.int8` passes; nil when not requested or
    /// when a shape does not fit the packed layout.
    let quantizedLayers: [QuantizedLinear.Layer]?

    /// `product` picks the GEMM engine by row count; tests pass one to force either engine.
    /// `quantize` packs an int8 copy of the weights (10.6 MB for MiniLM) so `.int8` passes can run.
    init(modelDirectory: String, product: MatrixProduct = MatrixProduct(), quantize: Bool = false) throws {
        // Loads OpenBLAS now, so `encode` can rely on it (OpenBLAS.sgemm's invariant).
        _ = try OpenBLAS.load()
        let configuration = try BertConfiguration(modelDirectory: modelDirectory)
        let file = try SafetensorsFile(path: modelDirectory + "/model.safetensors")
        self.configuration = configuration
        self.weights = try BertWeights(file: file, config: configuration)
        self.product = product
        let packed = quantize ? weights.layers.compactMap(QuantizedLinear.Layer.init) : []
        quantizedLayers = quantize && packed.count == weights.layers.count ? packed : nil
    }

    /// The precision `encode` really uses when asked for `precision`.
    func effective(_ precision: EmbeddingPrecision) -> EmbeddingPrecision {
        precision == .int8 && quantizedLayers != nil ? .int8 : .float32
    }

    /// Vectors for a batch of token-id sequences (each already with [CLS] … [SEP]).
    ///
    /// - Parameter promptTokens: how many leading tokens mean/max pooling skips when the model's
    ///   pooling has `include_prompt: false` (sentence-transformers' prompt length, [CLS] included).
    func encode(_ batch: [[Int32]], promptTokens: Int = 0, precision: EmbeddingPrecision = .float32) throws -> [[Float]] {
        try forward(batch, precision: precision) { x, ranges in ranges.map { pool(x, range: $0, promptTokens: promptTokens) } }
    }

    /// `encode`, plus for each sequence the vectors of the given token-position ranges: the mean
    /// of those positions' final hidden states, scaled to unit length (nil for an empty range).
    /// Same forward pass, so the spans cost one extra pass over their tokens' states, nothing more.
    func encode(_ batch: [[Int32]], promptTokens: Int = 0, spans: [[Range<Int>]]) throws -> [(vector: [Float], spans: [[Float]?])] {
        try forward(batch, precision: .float32) { x, ranges in
            zip(ranges, spans).map { range, sequenceSpans in
                (pool(x, range: range, promptTokens: promptTokens),
                 sequenceSpans.map { meanUnit(x, positions: $0, in: range) })
            }
        }
    }

    /// Runs the layers over the packed batch and lends `body` the final hidden states
    /// ([tokens, hidden], valid only during the call) with each sequence's rows.
    private func forward<R>(_ batch: [[Int32]], precision: EmbeddingPrecision,
                            _ body: (UnsafePointer<Float>, [Range<Int>]) -> R) throws -> R {
        let c = configuration
        let h = c.hiddenSize
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(batch.count)
        var tokens = 0
        for ids in batch {
            guard ids.count <= c.maxPositions else {
                throw ModelError(.unsupported, file: weights.file.path, "sequence of \(ids.count) tokens exceeds max_position_embeddings \(c.maxPositions)")
            }
            ranges.append(tokens..<(tokens + ids.count))
            tokens += ids.count
        }
        // Nothing to run (only empty sequences): every range is empty; CLS pooling reads one zero row.
        guard tokens > 0 else {
            let zeros = UnsafeMutablePointer<Float>.allocate(capacity: h)
            defer { zeros.deallocate() }
            zeros.initialize(repeating: 0, count: h)
            return body(zeros, ranges)
        }
        let longest = ranges.map(\.count).max() ?? 0

        // One allocation per call, carved into the buffers below and reused by every layer. The
        // FFN's [tokens, intermediate] activations overlay Q|K|V + context, which are dead by
        // then (intermediate = 4·hidden in BERT, so this costs nothing extra).
        let wide = max(4 * h, c.intermediateSize)
        let scratchCount = tokens * (2 * h + wide) + longest * longest
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
        defer { scratch.deallocate() }
        let x = scratch                      // [tokens, h]: the hidden state between layers
        let y = x + tokens * h               // [tokens, h]: after attention
        let qkv = y + tokens * h             // [tokens, 3h]
        let context = qkv + tokens * 3 * h   // [tokens, h]
        let intermediate = qkv               // [tokens, intermediate], overlays qkv + context
        let scores = qkv + tokens * wide     // [longest, longest]

        // int8 products quantize their input rows into this (the widest input is the FFN's).
        let int8 = effective(precision) == .int8 ? quantizedLayers : nil
        let int8Scratch = int8.map { _ in
            UnsafeMutableRawPointer.allocate(byteCount: MatrixProduct.int8ScratchBytes(rows: tokens, inputs: max(h, c.intermediateSize)), alignment: 64)
        }
        defer { int8Scratch?.deallocate() }

        try embed(batch, ranges: ranges, into: x)
        for (index, layer) in weights.layers.enumerated() {
            let q = int8?[index]
            func linear(_ input: UnsafePointer<Float>, ld: Int, _ weight: BertWeights.Linear, _ int8: QuantizedLinear?,
                        into out: UnsafeMutablePointer<Float>, ldOut: Int, residual: UnsafePointer<Float>? = nil) {
                LayerOps.linear(input, rows: tokens, ld: ld, weight, int8, using: product, scratch: int8Scratch,
                                into: out, ldOut: ldOut, residual: residual, ldResidual: h)
            }
            linear(x, ld: h, layer.query, q?.query, into: qkv, ldOut: 3 * h)
            linear(x, ld: h, layer.key, q?.key, into: qkv + h, ldOut: 3 * h)
            linear(x, ld: h, layer.value, q?.value, into: qkv + 2 * h, ldOut: 3 * h)
            Attention.selfAttention(qkv: qkv, sequences: ranges, hidden: h, heads: c.heads, using: product, scores: scores, into: context)
            linear(context, ld: h, layer.attentionOutput, q?.attentionOutput, into: y, ldOut: h, residual: x)
            LayerOps.layerNorm(y, rows: tokens, width: h, layer.attentionNorm, epsilon: c.layerNormEpsilon)
            linear(y, ld: h, layer.intermediate, q?.intermediate, into: intermediate, ldOut: c.intermediateSize)
            LayerOps.gelu(intermediate, count: tokens * c.intermediateSize, isa: product.isa)
            linear(intermediate, ld: c.intermediateSize, layer.output, q?.output, into: x, ldOut: h, residual: y)
            LayerOps.layerNorm(x, rows: tokens, width: h, layer.outputNorm, epsilon: c.layerNormEpsilon)
        }
        return body(x, ranges)
    }

    /// word + absolute position + token type 0 (single-segment input), then LayerNorm.
    private func embed(_ batch: [[Int32]], ranges: [Range<Int>], into x: UnsafeMutablePointer<Float>) throws {
        let c = configuration
        let h = c.hiddenSize
        let tokenType = weights.tokenTypeEmbeddings
        for (ids, range) in zip(batch, ranges) {
            for (position, id) in ids.enumerated() {
                guard id >= 0, Int(id) < c.vocabSize else {
                    throw ModelError(.invalidFile, file: weights.file.path, "token id \(id) is outside the \(c.vocabSize)-entry vocabulary (vocab.txt and model do not match?)")
                }
                let row = x + (range.lowerBound + position) * h
                let word = weights.wordEmbeddings + Int(id) * h
                let pos = weights.positionEmbeddings + position * h
                for j in 0..<h { row[j] = word[j] + pos[j] + tokenType[j] }
            }
        }
        LayerOps.layerNorm(x, rows: ranges.last?.upperBound ?? 0, width: h, weights.embeddingNorm, epsilon: c.layerNormEpsilon)
    }

    /// Mean of the rows at `positions` (relative to the sequence `range`), L2-normalised; nil when
    /// no position falls inside the sequence.
    private func meanUnit(_ x: UnsafePointer<Float>, positions: Range<Int>, in range: Range<Int>) -> [Float]? {
        let h = configuration.hiddenSize
        let first = range.lowerBound + max(0, positions.lowerBound)
        let end = min(range.upperBound, range.lowerBound + positions.upperBound)
        guard first < end else { return nil }
        var vector = [Float](repeating: 0, count: h)
        for t in first..<end {
            for j in 0..<h { vector[j] += x[t * h + j] }
        }
        let inverse = 1 / Float(end - first)
        for j in 0..<h { vector[j] *= inverse }
        return UnitVector.normalized(vector)
    }

    /// sentence-transformers' Pooling (one mode) followed by its Normalize module if present.
    private func pool(_ x: UnsafePointer<Float>, range: Range<Int>, promptTokens: Int) -> [Float] {
        let c = configuration
        let h = c.hiddenSize
        var vector = [Float](repeating: 0, count: h)
        // include_prompt: false masks the prompt (and [CLS]) out of mean/max, never out of CLS.
        let first = range.lowerBound + (c.poolingIncludesPrompt ? 0 : min(promptTokens, range.count))
        let counted = range.upperBound - first
        switch c.pooling {
        case .cls:
            for j in 0..<h { vector[j] = x[range.lowerBound * h + j] }
        case .mean:
            // No tokens left (everything was prompt): sentence-transformers divides a zero sum by
            // its 1e-9 clamp, giving a zero vector; so do we.
            guard counted > 0 else { break }
            for t in first..<range.upperBound {
                for j in 0..<h { vector[j] += x[t * h + j] }
            }
            let inverse = 1 / Float(counted)
            for j in 0..<h { vector[j] *= inverse }
        case .max:
            guard counted > 0 else { break }
            for j in 0..<h { vector[j] = -.infinity }
            for t in first..<range.upperBound {
                for j in 0..<h { vector[j] = max(vector[j], x[t * h + j]) }
            }
        }
        if c.normalizes {
            var squares: Float = 0
            for v in vector { squares += v * v }
            // torch.nn.functional.normalize: divide by max(‖v‖, 1e-12).
            let inverse = 1 / max(squares.squareRoot(), 1e-12)
            for j in 0..<h { vector[j] *= inverse }
        }
        return vector
    }
}
