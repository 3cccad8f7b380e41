internal import CKernels


/// The per-token building blocks of the forward pass. All work on row-major matrices given as
/// raw pointers plus a row stride (`ld`), so that Q, K and V can live side by side in one
/// [tokens, 3·hidden] buffer and be read in place, without copies.
enum LayerOps {
    /// out = input · Wᵀ + b (+ residual), for `rows` rows.
    ///
    /// The bias (and residual) are written into `out` first and the product is accumulated with
    /// beta = 1, which fuses the bias add and the residual connection into the GEMM. The weight
    /// is used where it lies in the mapping: HF stores it [out, in], hence A·Wᵀ. With `int8` (the
    /// same weight, quantized) and its scratch, the product runs in int8 instead.
    static func linear(
        _ input: UnsafePointer<Float>, rows: Int, ld: Int,
        _ layer: BertWeights.Linear, _ int8: QuantizedLinear?, using product: MatrixProduct,
        scratch: UnsafeMutableRawPointer?,
        into out: UnsafeMutablePointer<Float>, ldOut: Int,
        residual: UnsafePointer<Float>? = nil, ldResidual: Int = 0
    ) {
        let n = layer.outFeatures
        for r in 0..<rows {
            let row = out + r * ldOut
            if let residual {
                let res = residual + r * ldResidual
                for j in 0..<n { row[j] = layer.bias[j] + res[j] }
            } else {
                row.update(from: layer.bias, count: n)
            }
        }
        if let int8, let scratch {
            product.timesTransposed(m: rows, a: input, lda: ld, quantized: int8, c: out, ldc: ldOut, scratch: scratch)
        } else {
            product.timesTransposed(m: rows, n: n, k: layer.inFeatures, alpha: 1, a: input, lda: ld,
                                    b: layer.weight, ldb: layer.inFeatures, beta: 1, c: out, ldc: ldOut)
        }
    }

    /// In-place LayerNorm over each row of width `width`, as `torch.nn.LayerNorm`: biased
    /// variance, epsilon inside the square root.
    static func layerNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, _ norm: BertWeights.Norm, epsilon: Float) {
        for r in 0..<rows {
            let row = x + r * width
            // Two passes (mean, then squared deviations): the one-pass E[x²] − E[x]² loses
            // precision on the large activations some BERT layers produce.
            let (mean, variance) = VectorMath.meanAndVariance(row, count: width)
            let scale = 1 / (variance + epsilon).squareRoot()
            for j in 0..<width {
                row[j] = (row[j] - mean) * scale * norm.weight[j] + norm.bias[j]
            }
        }
    }

    /// Exact GELU, x · Φ(x) = x/2 · (1 + erf(x/√2)), which is what HF's "gelu" computes; the tanh
    /// approximation would drift from the reference vectors. (erf itself: `VectorMath.erf`.) With
    /// AVX-512 the C kernel runs the same approximations 16 lanes at a time, 4× the Swift SIMD8.
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int, isa: Int32) {
        if isa >= Int32(PARLEY_ISA_AVX512) {
            parley_gelu(isa, x, count)
        } else {
            VectorMath.gelu(x, count: count)
        }
    }

    /// Row-wise softmax in place.
    static func softmax(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for r in 0..<rows { VectorMath.softmax(x + r * width, count: width) }
    }
}
