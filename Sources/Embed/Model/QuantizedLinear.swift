internal import CKernels

/// Numbers a question's forward pass computes with. Stored vectors (passages) always use float32,
/// so a precision choice changes only how questions are embedded, never what is in an index.
public enum EmbeddingPrecision: String, Sendable, CaseIterable {
    /// Every product in float32: the vectors sentence-transformers gives, to ~1e-5.
    case float32
    /// The encoder's matrix products in int8 (VNNI), everything else (attention, LayerNorm, GELU,
    /// pooling) in float32. ~0.5% relative error per product, cosine ≥ 0.999 to the float32 vector on
    /// MiniLM, and about 6× less CPU for a question (see `scripts/bench embed`). Needs AVX-512 VNNI;
    /// elsewhere it falls back to float32, which is faster there.
    case int8
}

/// A Linear layer's weight packed for `parley_q8_gemm`: int8, one scale per output row, laid out
/// in 16-column blocks (see Sources/CKernels/q8gemm.c). Built once per encoder; 1/4 of the
/// float32 size, so MiniLM's six layers (10.6 MB) stay in the L3 cache between questions.
///
/// Immutable after `init` and owning its buffers, so every thread may read it.
final class QuantizedLinear: @unchecked Sendable {
    // @unchecked: raw buffers written only in init, then read-only until deinit.
    let packed: UnsafeMutablePointer<Int8>
    let scales: UnsafeMutablePointer<Float>
    let offsets: UnsafeMutablePointer<Float>
    let inFeatures: Int
    let outFeatures: Int

    /// nil when the shape does not fit the packed layout (outputs a multiple of 16, inputs of 4).
    init?(_ linear: BertWeights.Linear) {
        let n = linear.outFeatures, k = linear.inFeatures
        guard parley_q8_supported(n, k) != 0 else { return nil }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: n * k, alignment: 64)
        packed = raw.bindMemory(to: Int8.self, capacity: n * k)
        scales = .allocate(capacity: n)
        offsets = .allocate(capacity: n)
        inFeatures = k
        outFeatures = n
        parley_q8_pack(n, k, linear.weight, k, packed, scales, offsets)
    }

    deinit {
        UnsafeMutableRawPointer(packed).deallocate()
        scales.deallocate()
        offsets.deallocate()
    }

    /// The per-layer set the forward pass uses; nil when any of them cannot be packed.
    struct Layer: Sendable {
        let query: QuantizedLinear
        let key: QuantizedLinear
        let value: QuantizedLinear
        let attentionOutput: QuantizedLinear
        let intermediate: QuantizedLinear
        let output: QuantizedLinear

        init?(_ layer: BertWeights.Layer) {
            guard let query = QuantizedLinear(layer.query), let key = QuantizedLinear(layer.key),
                  let value = QuantizedLinear(layer.value), let attentionOutput = QuantizedLinear(layer.attentionOutput),
                  let intermediate = QuantizedLinear(layer.intermediate), let output = QuantizedLinear(layer.output)
            else { return nil }
            (self.query, self.key, self.value) = (query, key, value)
            (self.attentionOutput, self.intermediate, self.output) = (attentionOutput, intermediate, output)
        }
    }
}
