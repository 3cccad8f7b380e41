import App
import ArgumentParser
import Embed
import FoundationEssentials
import Glibc
import HTTP
import Ingest
import Search
import Store
import Tenancy

/// `parley eval --collection DIR`: measures retrieval quality on a BEIR-layout collection
/// (corpus.jsonl, queries.jsonl, qrels.tsv). The corpus goes through the normal path — stored as
/// documents of a scratch tenant, ingested by the job, indexed — then every judged query is searched
/// BM25-only, dense-only and hybrid, and nDCG@10, recall@10 and recall@100 are printed.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Retrieval quality on a BEIR collection: nDCG@10, recall@10, recall@100 for BM25, dense and hybrid."
    )

    @Option(help: "Directory with corpus.jsonl, queries.jsonl and qrels.tsv.") var collection: String
    @Option(help: "Encoder threads for ingestion (default: all cores).") var threads: Int?
    @Flag(help: "Keep the scratch tenant afterwards (prints its id).") var keep = false

    struct CorpusDocument: Decodable {
        let _id: String
        let title: String?
        let text: String
    }

    struct Query: Decodable {
        let _id: String
        let text: String
    }

    func run() throws {
        let configuration = try CommandSupport.configuration()
        let owner = try CommandSupport.ownerConnection()
        let app = try Connection(conninfo: try configuration.requireDatabaseURL())
        let name = collection.split(separator: "/").last.map(String.init) ?? "eval"
        let tenant = try TenantStore.create(name: "eval \(name)", plan: "enterprise", on: owner)
        defer {
            if keep {
                print("scratch tenant kept: \(tenant.id)")
            } else {
                _ = try? owner.execute("DELETE FROM tenants WHERE id = \(tenant.id)")
                unlink(IndexCatalog(directory: configuration.indexDirectory).path(for: tenant.id))
            }
        }
        let started = EmbedBenchmark.now()
        let loaded = try load(corpus: collection + "/corpus.jsonl", tenantID: tenant.id, on: app)
        log("stored \(loaded) documents; ingesting")
        let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let embedder = try LocalEmbedder(modelDirectory: configuration.embedModelDirectory, threads: max(1, threads ?? cores), batchSize: 32,
                                         queryPrecision: configuration.queryPrecision)
        var options = IngestOptions(owner: try IngestCommand.owner())
        options.budgetSeconds = nil
        options.filter = IngestQueue.Filter(tenantID: tenant.id)
        let display = IngestDisplay(interactive: isatty(STDERR_FILENO) == 1, quietDocuments: true)
        try IngestRunner(options: options, conninfo: try configuration.requireDatabaseURL(), embedder: embedder,
                         modelName: embedder.modelName, tokenCount: { embedder.tokenCount($0) },
                         shouldStop: { false }, observer: display).run()
        let catalog = IndexCatalog(directory: configuration.indexDirectory)
        log(IndexCommand.describe(tenantID: tenant.id, try IndexBuilder.rebuild(tenantID: tenant.id, catalog: catalog, on: app)))
        log("loaded and indexed in \(Int(EmbedBenchmark.now() - started)) s; searching (questions in \(embedder.queryPrecision.rawValue))")

        let corpusIDs = try app.withTenant(tenant.id) { tx in
            var map: [String: String] = [:]
            for row in try tx.query("SELECT id, metadata->>'corpus_id' AS corpus_id FROM documents WHERE tenant_id = \(tenant.id)").rows {
                map[try row.string("id")] = try row.string("corpus_id")
            }
            return map
        }
        let judgments = try readJudgments(collection + "/qrels.tsv")
        let queries = try readJSONLines(collection + "/queries.jsonl", as: Query.self).filter { judgments[$0._id] != nil }
        let searcher = Searcher(engine: SearchEngine(catalog: catalog) { embedder })
        let audience = SearchAudience(tenantID: tenant.id, includeInternal: true)
        print("| \(name) (\(queries.count) queries) | nDCG@10 | recall@10 | recall@100 |")
        print("|---|---:|---:|---:|")
        for mode in SearchRequest.Mode.allCases.reversed() {
            var ndcg = 0.0, recall10 = 0.0, recall100 = 0.0
            for query in queries {
                // Chunks, not documents: several chunks of one document merge into one entry, so
                // ask for enough that at least 100 distinct documents remain for recall@100. Hybrid
                // fuses the top 100 chunks of each signal, as the reference fuses its top 100.
                let result = try searcher.search(SearchRequest(query: query.text, topK: 300, mode: mode,
                                                               candidates: mode == .hybrid ? 100 : 300),
                                                 audience: audience, on: app)
                let ranking = RetrievalMetrics.documents(from: result.hits.compactMap { corpusIDs[$0.documentID] })
                let relevant = judgments[query._id] ?? [:]
                ndcg += RetrievalMetrics.ndcg(ranking: ranking, judgments: relevant, k: 10)
                recall10 += RetrievalMetrics.recall(ranking: ranking, judgments: relevant, k: 10)
                recall100 += RetrievalMetrics.recall(ranking: ranking, judgments: relevant, k: 100)
            }
            let n = Double(max(queries.count, 1))
            print("| \(mode.rawValue) | \(Formatting.fixed(ndcg / n, 4)) | \(Formatting.fixed(recall10 / n, 4)) | \(Formatting.fixed(recall100 / n, 4)) |")
        }
    }

    /// Each corpus document becomes a Markdown document: its title as the heading, its text below.
    /// An HTML comment carries the corpus id (the parser drops it), so identical texts stay distinct.
    private func load(corpus path: String, tenantID: String, on connection: Connection) throws -> Int {
        let limits = PlanLimits(requestsPerMinute: 1, queriesPerMonth: 1, maxDocuments: Int(Int32.max), maxStorageBytes: Int64.max / 2,
                                maxUploadBytes: 1 << 30, maxAPIKeys: 1)
        let audience = DocumentAudience(tenantID: tenantID, includeInternal: true)
        var count = 0
        for document in try readJSONLines(path, as: CorpusDocument.self) {
            let title = document.title?.trimmingWhitespace() ?? ""
            let markdown = "<!-- \(document._id) -->\n" + (title.isEmpty ? "" : "# \(title)\n\n") + document.text + "\n"
            let upload = Upload(filename: "\(document._id).md", format: .markdown, bytes: Array(markdown.utf8)[...],
                                title: title.isEmpty ? nil : String(title.prefix(500)), metadata: ["corpus_id": .string(document._id)])
            _ = try DocumentStore.create(upload, collection: "eval", audience: audience, limits: limits, on: connection)
            count += 1
        }
        return count
    }

    private func readJudgments(_ path: String) throws -> [String: [String: Int]] {
        var judgments: [String: [String: Int]] = [:]
        for (index, line) in try TextFile.lines(path).enumerated() where index > 0 {
            let fields = line.split(separator: "\t")
            guard fields.count >= 3, let grade = Int(fields[2]) else { continue }
            if grade > 0 { judgments[String(fields[0]), default: [:]][String(fields[1])] = grade }
        }
        return judgments
    }

    private func readJSONLines<T: Decodable>(_ path: String, as type: T.Type) throws -> [T] {
        let decoder = JSONDecoder()
        return try TextFile.lines(path).map { try decoder.decode(T.self, from: Data($0.utf8)) }
    }

    private func log(_ text: String) {
        let line = text + "\n"
        _ = line.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
    }
}
