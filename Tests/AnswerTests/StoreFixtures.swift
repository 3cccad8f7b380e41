import Answer
import Store
import TestSupport

/// A tenant for one store test, made as the owner and removed afterwards; the test itself talks
/// to the database as the service role, so RLS is in force throughout.
struct StoreFixture {
    let tenantID: String
    let app: Connection
    let owner: Connection

    init(plan: String = "free") throws {
        owner = try TestDatabase.ownerConnection()
        tenantID = try TestDatabase.createTenant(on: owner, plan: plan)
        app = try TestDatabase.appConnection()
    }

    func remove() {
        try? TestDatabase.deleteTenants([tenantID], on: owner)
    }

    /// A provider with a unique name, removed with `removeProvider` (after the tenant, which may use it).
    func addProvider(kind: ProviderKind = .openai, keyVariable: String? = "PARLEY_TEST_OPENAI_KEY") throws -> ProviderRecord {
        let record = ProviderRecord(name: TestDatabase.uniqueName("p"), kind: kind,
                                    baseURL: "http://127.0.0.1:9/v1", apiKeyEnv: keyVariable,
                                    apiVersion: kind == .azure ? "2024-10-21" : nil)
        try ProviderStore.save(record, on: owner)
        return record
    }

    func removeProvider(_ record: ProviderRecord) {
        try? ProviderStore.remove(name: record.name, on: owner)
    }
}
