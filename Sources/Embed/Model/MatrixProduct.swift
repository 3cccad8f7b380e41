internal import CKernels

/// Which engine computes a product A·Wᵀ: the no-packing C kernel (`parley_sgemm_nt`) for few rows,
/// OpenBLAS for many. OpenBLAS copies ("packs") both operands into its own panel layout before every
/// product, which is what makes large products fast and what dominated embedding one question:
/// packing a 1536×384 weight for 17 rows costs more than the arithmetic. The C kernel reads W where
/// it lies in the mapping and streams it once.
///
/// Immutable and `Sendable`: one per encoder, read by every thread.
struct MatrixProduct: Sendable {
    /// Products with at most this many rows go to the C kernel. Measured on 2 cores × AMD EPYC
    /// (AVX-512, load average 4–5 from other jobs), all GEMMs of MiniLM's 6 layers, one thread:
    /// 9 rows 3.5 ms vs OpenBLAS 4.6, 17 rows 4.5 vs 6.2, 32 rows 7.2 vs 8.0, 64 rows 11.5 vs 13.3.
    /// The gap narrows as packing is amortized over more rows; above 64 (ingestion batches)
    /// OpenBLAS keeps the work, where it can also use more than one thread.
    static let defaultSmallRowLimit = 64

    let smallRowLimit: Int
    /// `PARLEY_ISA_*`: the CPU's best unless a test forces a lower one.
    let isa: Int32

    init(smallRowLimit: Int = Self.defaultSmallRowLimit, isa: Int32? = nil) {
        self.smallRowLimit = smallRowLimit
        self.isa = isa ?? parley_isa_best()
    }

    /// C = alpha·A·Bᵀ + beta·C, row-major, B given [n, k] (rows contiguous along k).
    @inline(__always)
    func timesTransposed(m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                         b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m <= smallRowLimit {
            parley_sgemm_nt(isa, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        } else {
            OpenBLAS.sgemm(transposeB: true, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                           beta: beta, c: c, ldc: ldc)
        }
    }

    /// Whether int8 products beat float32 here: only with VNNI (without it the int8 kernel is the
    /// portable loop, slower than the float32 one).
    var hasFastInt8: Bool { isa >= Int32(PARLEY_ISA_AVX512) }

    /// C += A·Wᵀ with W quantized; `scratch` holds `Self.int8ScratchBytes(rows: m, inputs: k)`.
    @inline(__always)
    func timesTransposed(m: Int, a: UnsafePointer<Float>, lda: Int, quantized w: QuantizedLinear,
                         c: UnsafeMutablePointer<Float>, ldc: Int, scratch: UnsafeMutableRawPointer) {
        parley_q8_gemm(isa, m, w.outFeatures, w.inFeatures, a, lda, w.packed, w.scales, w.offsets, c, ldc, scratch)
    }

    static func int8ScratchBytes(rows: Int, inputs: Int) -> Int {
        parley_q8_scratch_bytes(rows, inputs)
    }
}
