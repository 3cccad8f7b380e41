import App
import ArgumentParser
import FoundationEssentials
import Tenancy

struct TenantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Create, list, disable and enable tenants.",
        subcommands: [Create.self, List.self, Disable.self, Enable.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant; prints its id.")
        @Option(help: "Display name.") var name: String
        @Option(help: "Plan: free, pro or enterprise.") var plan = "free"

        func run() throws {
            let tenant = try TenantStore.create(name: name, plan: plan, on: try CommandSupport.ownerConnection())
            print(tenant.id)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        func run() throws {
            let tenants = try TenantStore.list(on: try CommandSupport.ownerConnection())
            for tenant in tenants {
                print([tenant.id, tenant.plan, tenant.status.rawValue, tenant.createdAt.ISO8601Format(), tenant.name].joined(separator: "\t"))
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a tenant: its keys stop working at once.")
        @Argument(help: "Tenant id (ten_…).") var id: String
        func run() throws { try TenantCommand.setStatus(.disabled, tenantID: id) }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled tenant again.")
        @Argument(help: "Tenant id (ten_…).") var id: String
        func run() throws { try TenantCommand.setStatus(.active, tenantID: id) }
    }

    static func setStatus(_ status: Tenant.Status, tenantID: String) throws {
        let tenant = try TenantStore.setStatus(status, tenantID: tenantID, on: try CommandSupport.ownerConnection())
        print("\(tenant.id) \(tenant.status.rawValue)")
    }
}
