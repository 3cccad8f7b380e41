import CKernels
import FoundationEssentials
import Glibc
import Testing

@testable import Embed

private let miniLMModel: String = {
    let file = "\(#filePath)"
    return String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)]) + "/../../var/models/all-MiniLM-L6-v2"
}()
private let miniLMAvailable = FileManager.default.fileExists(atPath: miniLMModel + "/model.safetensors")

/// The no-packing kernel in the real encoder: the vectors it gives must be the ones OpenBLAS
/// gives (EncoderTests holds both to sentence-transformers' vectors; LocalEmbedder batches those,
/// so this suite covers the one-question shapes the search path runs).
@Suite struct MatrixProductTests {
    static let questions: [[Int32]] = [
        [101, 2129, 2079, 1045, 25141, 2026, 20786, 1029, 102],
        [101, 2054, 2003, 1996, 2190, 2126, 2000, 4009, 1037, 2047, 3274, 2000, 1996, 2897, 2007, 1037, 102],
        [101, 102],
    ]

    @Test(.enabled(if: miniLMAvailable, "needs var/models/all-MiniLM-L6-v2 (scripts/fetch-model)"),
          arguments: Array(Int32(PARLEY_ISA_PORTABLE)...parley_isa_best()))
    func smallKernelGivesOpenBLASVectors(_ isa: Int32) throws {
        let small = try BertEncoder(modelDirectory: miniLMModel, product: MatrixProduct(smallRowLimit: .max, isa: isa))
        let blas = try BertEncoder(modelDirectory: miniLMModel, product: MatrixProduct(smallRowLimit: 0))
        for ids in Self.questions {
            let a = try small.encode([ids])[0], b = try blas.encode([ids])[0]
            let difference = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            #expect(difference < 1e-5, "isa \(isa), \(ids.count) tokens: max |Δ| \(difference)")
        }
        // A batch of unequal lengths through the small kernel equals one at a time.
        let batch = try small.encode(Self.questions)
        for (ids, vector) in zip(Self.questions, batch) {
            #expect(zip(vector, try small.encode([ids])[0]).allSatisfy { abs($0 - $1) < 1e-6 })
        }
    }

    /// Off by default: `PARLEY_GEMM_BENCH=1 swift test --filter MatrixProductTests` prints the
    /// encoder's time per call (the whole forward pass) for each engine at several token counts (how
    /// the limit was chosen), and for int8 questions.
    @Test(.enabled(if: miniLMAvailable && getenv("PARLEY_GEMM_BENCH") != nil))
    func encoderTimeByEngineAndTokens() throws {
        let small = try BertEncoder(modelDirectory: miniLMModel, product: MatrixProduct(smallRowLimit: .max), quantize: true)
        let blas = try BertEncoder(modelDirectory: miniLMModel, product: MatrixProduct(smallRowLimit: 0))
        for tokens in [9, 17, 32, 48, 64, 96, 128, 256] {
            let ids = [Int32(101)] + (0..<(tokens - 2)).map { Int32(2000 + $0 * 37 % 5000) } + [102]
            var line = "tokens \(tokens):"
            for (name, encoder, precision) in [("c", small, EmbeddingPrecision.float32), ("openblas", blas, .float32), ("int8", small, .int8)] {
                _ = try encoder.encode([ids], precision: precision)
                var times: [Double] = []
                for _ in 0..<15 {
                    let start = now()
                    _ = try encoder.encode([ids], precision: precision)
                    times.append(now() - start)
                }
                times.sort()
                line += " \(name) \(String(format: "%.2f", times[7])) ms"
            }
            print(line)
        }
    }

    private func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
    }
}
