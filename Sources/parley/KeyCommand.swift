import App
import ArgumentParser
import FoundationEssentials
import Tenancy

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Create, list and revoke a tenant's API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key. The key is printed once, on the last line, and never stored."
        )
        @Option(help: "Tenant id (ten_…).") var tenant: String
        @Option(help: "A name to tell the key apart.") var name: String
        @Option(help: "Comma-separated scopes: query, ingest, admin, internal.") var scopes = "query"

        func run() throws {
            let (record, secret) = try KeyStore.create(tenantID: tenant, name: name, scopes: try Scope.parseList(scopes),
                                                       on: try CommandSupport.ownerConnection())
            print("\(record.id)\t\(record.prefix)\t\(record.scopes.map(\.rawValue).joined(separator: ","))")
            print(secret)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's keys (never the secrets).")
        @Option(help: "Tenant id (ten_…).") var tenant: String

        func run() throws {
            for key in try KeyStore.list(tenantID: tenant, on: try CommandSupport.ownerConnection()) {
                let state = key.revokedAt.map { "revoked \($0.ISO8601Format())" } ?? "active"
                let used = key.lastUsedAt.map { $0.ISO8601Format() } ?? "never used"
                print([key.id, key.prefix, key.scopes.map(\.rawValue).joined(separator: ","), state, used, key.name].joined(separator: "\t"))
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id or prefix; effective on the next request.")
        @Option(help: "Tenant id (ten_…).") var tenant: String
        @Argument(help: "Key id (key_…) or prefix (pk_live_…).") var key: String

        func run() throws {
            let record = try KeyStore.revoke(tenantID: tenant, reference: key, on: try CommandSupport.ownerConnection())
            print("\(record.id) revoked")
        }
    }
}
