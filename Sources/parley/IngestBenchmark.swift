import Glibc
import HTTP
import Ingest

/// `parley ingest --benchmark-parse FILE` (hidden; what `scripts/bench ingest` runs): sniffs a file
/// the way an upload is sniffed, then streams it through its parser and the chunker, 1 MiB at a
/// time like the job reads stored parts, and prints one JSON line: throughput and peak RSS.
struct IngestBenchmark {
    let tokenCount: @Sendable (String) -> Int

    func run(path: String) throws {
        guard let file = fopen(path, "rb") else { throw ParseFailure("cannot open \(path)") }
        defer { fclose(file) }
        var sample = [UInt8](repeating: 0, count: Sniffer.sampleBytes)
        sample.removeLast(sample.count - fread(&sample, 1, sample.count, file))
        fseek(file, 0, SEEK_END)
        let size = ftell(file)
        rewind(file)
        let sniffed = try Sniffer().sniff(sample)
        let format: DocumentFormat
        switch FormatDecision.decide(sniffed: sniffed, filename: path, byteCount: size) {
        case .success(let decided): format = decided
        case .failure(let rejection): throw ParseFailure("refused: \(rejection.message)")
        }

        let started = Clock.monotonicSeconds()
        var source = FileSource(file: file)
        var chunker = Chunker(tokenCount: tokenCount)
        var blocks = 0
        var chunks = 0
        var tokens = 0
        let summary = try ParserRegistry.parser(for: format).parse(&source) { block in
            blocks += 1
            for chunk in chunker.add(block) { chunks += 1; tokens += chunk.tokenCount }
        }
        for chunk in chunker.finish() { chunks += 1; tokens += chunk.tokenCount }
        let seconds = Clock.monotonicSeconds() - started
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let result: JSONValue = [
            "file": .string(path), "format": .string(format.rawValue), "bytes": .number(Double(size)),
            "pages": summary.pages.map { .number(Double($0)) } ?? .null,
            "blocks": .number(Double(blocks)), "chunks": .number(Double(chunks)), "tokens": .number(Double(tokens)),
            "seconds": .number((seconds * 1000).rounded() / 1000),
            "mb_per_second": .number((Double(size) / 1_048_576 / seconds * 100).rounded() / 100),
            "peak_rss_mib": .number((Double(usage.ru_maxrss) / 1024 * 10).rounded() / 10),
        ]
        print(String(decoding: result.serialized(), as: UTF8.self))
    }
}

/// Reads a file 1 MiB at a time, like `PartsSource` reads stored parts.
private struct FileSource: ByteSource {
    let file: UnsafeMutablePointer<FILE>

    mutating func next() throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        let count = fread(&buffer, 1, buffer.count, file)
        guard count > 0 else { return nil }
        buffer.removeLast(buffer.count - count)
        return buffer
    }
}
