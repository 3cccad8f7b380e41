import App
import ArgumentParser
import Search
import Store
import Tenancy

/// `parley index`: (re)builds the per-tenant search index files from PostgreSQL. Without
/// `--rebuild` only tenants with enough fresh (unindexed) chunks are rebuilt; `parley ingest` does
/// that itself after each drain, so this is for operators: after restoring a backup, moving
/// PARLEY_INDEX_DIR, or to check a tenant.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build the search index files from PostgreSQL (all derived state; safe to run any time)."
    )

    @Flag(help: "Rebuild even when the file is current.") var rebuild = false
    @Option(help: "Only this tenant (ten_…).") var tenant: String?
    @Option(help: "Rebuild when at least this many chunks are not in the file yet.") var threshold = IndexMaintenance.defaultThreshold

    func validate() throws {
        if let tenant, !Identifier.isValid(tenant, kind: .tenant) { throw ValidationError("--tenant takes a tenant id (ten_…).") }
    }

    func run() throws {
        let configuration = try CommandSupport.configuration()
        let connection = try Connection(conninfo: try configuration.requireDatabaseURL())
        let catalog = IndexCatalog(directory: configuration.indexDirectory)
        let results: [(tenantID: String, result: IndexBuilder.Result)]
        if let tenant, rebuild {
            results = [(tenant, try IndexBuilder.rebuild(tenantID: tenant, catalog: catalog, on: connection))]
        } else {
            results = try IndexMaintenance.refresh(tenants: tenant.map { [$0] }, threshold: rebuild ? 0 : threshold,
                                                   catalog: catalog, on: connection)
        }
        for (tenantID, result) in results { print(IndexCommand.describe(tenantID: tenantID, result)) }
        if tenant == nil {
            let withChunks = Set(try IndexMaintenance.tenants(on: connection).map(\.tenantID))
            for orphan in IndexMaintenance.pruneOrphans(keeping: withChunks, catalog: catalog) {
                print("\(orphan): no chunks any more; index file removed")
            }
        }
        if results.isEmpty { print("nothing to rebuild (fewer than \(threshold) unindexed chunks per tenant; --rebuild forces)") }
    }

    static func describe(tenantID: String, _ result: IndexBuilder.Result) -> String {
        switch result {
        case .built(let outcome):
            "\(tenantID): generation \(outcome.generation), \(outcome.chunkCount) chunks, watermark \(outcome.watermark)"
        case .busy: "\(tenantID): skipped, ingestion is writing its chunks; a later run builds it"
        case .empty: "\(tenantID): no chunks; index removed"
        }
    }
}
