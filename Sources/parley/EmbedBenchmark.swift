import Embed
import Glibc

/// Parley's side of `scripts/bench embed`: the same measurements as the sentence-transformers
/// script (scripts/lib/reference/bench_embed.py), printed as one JSON object.
struct EmbedBenchmark {
    let embedder: LocalEmbedder
    let batchSize: Int
    let rounds: Int

    func run(chunks: [String], questions: [String]) throws {
        let chunkRate = try throughput(chunks)
        let questionRate = try throughput(questions)
        let single = try singleLatencyMilliseconds(questions)
        // The memory bar: a serving process after a thousand questions, beyond the shared weights.
        for index in 0..<1000 { _ = try embedder.embed(texts: [questions[index % questions.count]], kind: .query) }
        let memory = ProcessMemory.privateKiB(excludingMappingsEndingWith: "model.safetensors")
        print("""
            {"chunks_per_second":\(chunkRate),"questions_per_second":\(questionRate),\
            "single_question_ms":\(single),"private_kib_beyond_weights":\(memory.beyond),\
            "weights_resident_kib":\(memory.excluded)}
            """)
    }

    /// Median texts per second over `rounds` passes, after a warm-up batch.
    private func throughput(_ texts: [String]) throws -> Double {
        _ = try embedder.embed(texts: Array(texts.prefix(batchSize)), kind: .passage)
        var rates: [Double] = []
        for _ in 0..<rounds {
            let started = Self.now()
            _ = try embedder.embed(texts: texts, kind: .passage)
            rates.append(Double(texts.count) / (Self.now() - started))
        }
        return Self.median(rates)
    }

    /// Median milliseconds for one question embedded on its own, as a search request does.
    private func singleLatencyMilliseconds(_ questions: [String]) throws -> Double {
        _ = try embedder.embed(texts: [questions[0]], kind: .query)
        var times: [Double] = []
        for index in 0..<200 {
            let started = Self.now()
            _ = try embedder.embed(texts: [questions[index % questions.count]], kind: .query)
            times.append((Self.now() - started) * 1000)
        }
        return Self.median(times)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// This process's private memory from /proc/self/smaps, split into the mappings of one file (the
/// model weights, shared through the page cache by every process that maps them) and the rest.
enum ProcessMemory {
    static func privateKiB(excludingMappingsEndingWith suffix: String) -> (beyond: Int, excluded: Int) {
        guard let file = fopen("/proc/self/smaps", "r") else { return (0, 0) }
        defer { fclose(file) }
        var beyond = 0, excluded = 0, inExcluded = false
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        while getline(&buffer, &capacity, file) > 0, let buffer {
            let line = String(cString: buffer)
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), first.first?.isHexDigit == true {
                // A mapping header: "start-end perms offset dev inode [path]".
                inExcluded = fields.count >= 6 && fields.last.map { $0.hasSuffix(suffix + "\n") || $0.hasSuffix(suffix) } == true
            } else if fields.count >= 2, fields[0] == "Private_Clean:" || fields[0] == "Private_Dirty:", let kib = Int(fields[1]) {
                if inExcluded { excluded += kib } else { beyond += kib }
            }
        }
        free(buffer)
        return (beyond, excluded)
    }
}
