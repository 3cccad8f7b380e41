import FoundationEssentials
import HTTP
import Store
import Tenancy
import TestSupport

/// A tenant with keys, created as the owner through the same Tenancy code the CLI uses.
struct TenantFixture {
    let tenantID: String
    let adminKey: String
    let queryKey: String
    let adminKeyRecord: KeyRecord

    static func make(plan: String = "pro") throws -> TenantFixture {
        let owner = try TestDatabase.ownerConnection()
        let tenant = try TenantStore.create(name: "Integration \(TestDatabase.uniqueName("t"))", plan: plan, on: owner)
        let (admin, adminSecret) = try KeyStore.create(tenantID: tenant.id, name: "admin", scopes: [.admin], on: owner)
        let (_, querySecret) = try KeyStore.create(tenantID: tenant.id, name: "query", scopes: [.query], on: owner)
        return TenantFixture(tenantID: tenant.id, adminKey: adminSecret, queryKey: querySecret, adminKeyRecord: admin)
    }

    func remove() {
        if let owner = try? TestDatabase.ownerConnection() { try? TestDatabase.deleteTenants([tenantID], on: owner) }
    }
}

extension HTTPClient.Reply {
    var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body)) }

    /// The problem's `type` slug, after checking the response really is problem+json.
    var problemType: String? {
        guard header("content-type") == "application/problem+json", case .string(let type)? = json?["type"] else { return nil }
        return String(type.dropFirst("/problems/".count))
    }
}
