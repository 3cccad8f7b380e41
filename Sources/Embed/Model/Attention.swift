
/// Multi-head scaled dot-product self-attention over a batch of *packed* sequences.
///
/// Why packed, not padded: the batch's tokens are stored back to back ([Σ lengths, hidden]), and
/// each sequence attends only over its own rows `range`. That is exactly what a padded batch
/// with an additive −∞ mask on the padding computes (the masked keys get weight exp(−∞) = 0),
/// but without spending any GEMM, GELU or softmax work on padding, and with no mask constant to
/// pick: a "large negative" like −10⁴ leaves a tiny weight on padding that −∞ does not. It also
/// makes a sequence's vector independent of what it is batched with.
enum Attention {
    /// - Parameters:
    ///   - qkv: [tokens, 3·hidden], Q | K | V side by side per row (as `LayerOps.linear` wrote them).
    ///   - sequences: the row range of each sequence in `qkv` and `context`.
    ///   - scores: scratch of at least (longest sequence)² floats.
    ///   - context: [tokens, hidden] output, heads concatenated as HF does before the output projection.
    static func selfAttention(
        qkv: UnsafePointer<Float>, sequences: [Range<Int>], hidden: Int, heads: Int, using product: MatrixProduct,
        scores: UnsafeMutablePointer<Float>, into context: UnsafeMutablePointer<Float>
    ) {
        let headSize = hidden / heads
        let ldQKV = 3 * hidden
        // Folding 1/√d into the GEMM's alpha costs nothing and matches HF (which scales the scores).
        let scale = 1 / Float(headSize).squareRoot()
        for range in sequences {
            let n = range.count
            guard n > 0 else { continue }
            let rows = qkv + range.lowerBound * 3 * hidden
            for head in 0..<heads {
                let q = rows + head * headSize
                let k = rows + hidden + head * headSize
                let v = rows + 2 * hidden + head * headSize
                // scores[n, n] = scale · Q Kᵀ, reading this head's columns with row stride 3·hidden.
                product.timesTransposed(m: n, n: n, k: headSize, alpha: scale, a: q, lda: ldQKV,
                                        b: k, ldb: ldQKV, beta: 0, c: scores, ldc: n)
                LayerOps.softmax(scores, rows: n, width: n)
                // context[n, headSize] = P V, written straight into this head's columns.
                let out = context + range.lowerBound * hidden + head * headSize
                OpenBLAS.sgemm(transposeB: false, m: n, n: headSize, k: n,
                               alpha: 1, a: scores, lda: n, b: v, ldb: ldQKV,
                               beta: 0, c: out, ldc: hidden)
            }
        }
    }
}
