import CKernels
import Glibc
import Testing

/// The int8 product (q8gemm.c) at every ISA level this CPU runs: exact on inputs that int8
/// represents exactly (so any packing or indexing slip shows), within its error bound on random
/// floats, and accumulating into C like beta = 1.
@Suite struct QuantizedGEMMTests {
    static let levels = KernelTests.levels

    struct Packed {
        var data: [Int8]
        var scales: [Float]
        var offsets: [Float]

        init(_ w: [Float], n: Int, k: Int) {
            data = [Int8](repeating: 0, count: n * k)
            scales = [Float](repeating: 0, count: n)
            offsets = [Float](repeating: 0, count: n)
            parley_q8_pack(n, k, w, k, &data, &scales, &offsets)
        }
    }

    /// C += A·Wᵀ through the int8 kernel.
    static func product(_ isa: Int32, _ a: [Float], m: Int, lda: Int, _ w: Packed, n: Int, k: Int, into c: inout [Float], ldc: Int) {
        var scratch = [UInt8](repeating: 0, count: parley_q8_scratch_bytes(m, k))
        parley_q8_gemm(isa, m, n, k, a, lda, w.data, w.scales, w.offsets, &c, ldc, &scratch)
    }

    /// Weights sw_j · q with integer q (each row reaching ±127, so the scale is sw_j exactly) and
    /// activations lo_i + s_i · u with integer u in 0…255 (each row reaching both ends): the
    /// quantization is lossless, so the result is the float product up to rounding.
    @Test(arguments: levels)
    func exactOnRepresentableInputs(_ isa: Int32) {
        var rng = Random(seed: 7)
        for (m, n, k) in [(1, 16, 4), (17, 384, 384), (5, 48, 20), (9, 64, 1536), (4, 1152, 384)] {
            let lda = k + 5, ldc = n + 3
            var w = [Float](repeating: 0, count: n * k)
            for j in 0..<n {
                let scale = Float(rng.next() % 100 + 1) / 4096
                for p in 0..<k { w[j * k + p] = scale * Float(Int(rng.next() % 255) - 127) }
                w[j * k + Int(rng.next() % UInt64(k))] = scale * (j % 2 == 0 ? 127 : -127)
            }
            var a = [Float](repeating: 0, count: m * lda)
            for i in 0..<m {
                let low = Float(Int(rng.next() % 200) - 100) / 64, step = Float(rng.next() % 50 + 1) / 1024
                for p in 0..<k { a[i * lda + p] = low + step * Float(rng.next() % 256) }
                a[i * lda] = low
                a[i * lda + k - 1] = low + step * 255
            }
            let c0 = rng.floats(m * ldc)
            var c = c0
            Self.product(isa, a, m: m, lda: lda, Packed(w, n: n, k: k), n: n, k: k, into: &c, ldc: ldc)
            for i in 0..<m {
                for j in 0..<n {
                    var dot: Double = 0, size: Double = 0
                    for p in 0..<k {
                        dot += Double(a[i * lda + p]) * Double(w[j * k + p])
                        size += abs(Double(a[i * lda + p]) * Double(w[j * k + p]))
                    }
                    let expected = Double(c0[i * ldc + j]) + dot
                    #expect(abs(Double(c[i * ldc + j]) - expected) <= 1e-5 * (size + 1), "isa \(isa) m\(m) n\(n) k\(k) [\(i),\(j)]")
                }
                for j in n..<ldc { #expect(c[i * ldc + j] == c0[i * ldc + j], "padding column written") }
            }
        }
    }

    /// Random floats: the error of the whole product stays near int8's ~0.5%.
    @Test(arguments: levels)
    func randomInputsWithinTheQuantizationError(_ isa: Int32) {
        var rng = Random(seed: 8)
        let (m, n, k) = (17, 384, 1536)
        let w = rng.floats(n * k), a = rng.floats(m * k).map { max($0, -0.17) }
        var c = [Float](repeating: 0, count: m * n)
        Self.product(isa, a, m: m, lda: k, Packed(w, n: n, k: k), n: n, k: k, into: &c, ldc: n)
        var error: Double = 0, total: Double = 0
        for i in 0..<m {
            for j in 0..<n {
                var dot: Double = 0
                for p in 0..<k { dot += Double(a[i * k + p]) * Double(w[j * k + p]) }
                error += (Double(c[i * n + j]) - dot) * (Double(c[i * n + j]) - dot)
                total += dot * dot
            }
        }
        #expect((error / total).squareRoot() < 0.015)
    }

    /// A constant row (all zeros included) has no range to quantize: the product is exact.
    @Test(arguments: levels)
    func constantRowsAreExact(_ isa: Int32) {
        var rng = Random(seed: 9)
        let (n, k) = (32, 64)
        let w = rng.floats(n * k)
        let a = [Float](repeating: 0, count: k) + [Float](repeating: 0.75, count: k)
        var c = [Float](repeating: 1, count: 2 * n)
        let packed = Packed(w, n: n, k: k)
        Self.product(isa, a, m: 2, lda: k, packed, n: n, k: k, into: &c, ldc: n)
        for j in 0..<n {
            #expect(c[j] == 1)
            // 0.75 · Σ w_j, through the row's quantized sum (offsets = scale · Σq).
            #expect(abs(c[n + j] - (1 + 0.75 * packed.offsets[j])) < 1e-5)
        }
    }

    @Test func shapesOutsideThePackedLayoutAreRefused() {
        #expect(parley_q8_supported(16, 4) == 1)
        #expect(parley_q8_supported(15, 4) == 0)
        #expect(parley_q8_supported(16, 6) == 0)
        #expect(parley_q8_supported(0, 4) == 0)
    }
}

/// GELU against the exact formula (erf from the C library) at every level.
@Suite struct GELUTests {
    @Test(arguments: KernelTests.levels)
    func geluMatchesTheErfFormula(_ isa: Int32) {
        var x: [Float] = (0..<1001).map { Float($0 - 500) / 50 } + [-100, 100, 0, -0.0, 1e-8]
        let expected = x.map { v in 0.5 * Double(v) * (1 + erf(Double(v) / 2.0.squareRoot())) }
        parley_gelu(isa, &x, x.count)
        for (got, want) in zip(x, expected) {
            #expect(abs(Double(got) - want) <= 2e-6 * max(1, abs(want)), "gelu → \(got), want \(want)")
        }
    }
}
