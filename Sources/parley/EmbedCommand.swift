import App
import ArgumentParser
import Embed
import Glibc

/// `parley embed "text"`: checks an installation's embedding model from the shell (dimensions,
/// first values, norm, tokens, time). `--benchmark` is what `scripts/bench embed` runs.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed a text with the local model and print the vector's first values and its norm."
    )

    @Argument(help: "The text to embed.") var text: String?
    @Option(help: "Model directory (overrides PARLEY_EMBED_MODEL_DIR).") var model: String?
    @Flag(help: "Embed as a question (models with query/passage prompts use the query one).") var query = false
    @Option(help: "Threads for the encoder.") var threads = 1
    @Option(help: "Precision for questions: int8 or float32 (default: PARLEY_QUERY_PRECISION, else int8).") var precision: String?
    @Option(help: .hidden) var batchSize = 32
    @Flag(help: .hidden) var benchmark = false
    @Option(help: .hidden) var chunks: String?
    @Option(help: .hidden) var questions: String?
    @Option(help: .hidden) var rounds = 3

    func run() throws {
        let configuration = try CommandSupport.configuration()
        let directory = model ?? configuration.embedModelDirectory
        var queryPrecision = configuration.queryPrecision
        if let precision {
            guard let parsed = EmbeddingPrecision(rawValue: precision) else { throw ValidationError("--precision is int8 or float32") }
            queryPrecision = parsed
        }
        let embedder = try LocalEmbedder(modelDirectory: directory, threads: threads, batchSize: batchSize, queryPrecision: queryPrecision)
        if benchmark {
            guard let chunks, let questions else { throw ValidationError("--benchmark needs --chunks FILE and --questions FILE") }
            try EmbedBenchmark(embedder: embedder, batchSize: batchSize, rounds: rounds)
                .run(chunks: try TextFile.lines(chunks), questions: try TextFile.lines(questions))
            return
        }
        guard let text else { throw ValidationError("Give the text to embed, e.g. parley embed \"hello world\"") }
        let started = EmbedBenchmark.now()
        guard let vector = try embedder.embed(texts: [text], kind: query ? .query : .passage).first else {
            throw ValidationError("the model returned no vector")
        }
        let milliseconds = (EmbedBenchmark.now() - started) * 1000
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let head = vector.prefix(8).map { Formatting.fixed(Double($0), 5) }.joined(separator: " ")
        print("model      \(embedder.modelName) (\(directory))")
        print("tokens     \(embedder.tokenCount(text))")
        print("dimensions \(vector.count)")
        if query { print("precision  \(embedder.queryPrecision.rawValue)") }
        print("first 8    \(head)")
        print("norm       \(Formatting.fixed(Double(norm), 6))")
        print("time       \(Formatting.fixed(milliseconds, 2)) ms (including the first call's warm-up)")
    }
}
