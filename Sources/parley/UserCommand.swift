import App
import ArgumentParser
import Tenancy

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage admin-console users.", subcommands: [Create.self, Disable.self, SetRole.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an admin-console user for a tenant. The password is read from standard input, never from arguments."
        )
        @Option(help: "Tenant id (ten_…).") var tenant: String
        @Option(help: "Login email.") var email: String
        @Option(help: "owner, admin, agent or viewer.") var role = "admin"

        func run() throws {
            let role = try Role.parse(role)
            // Arguments show up in `ps` and shell history; stdin does not.
            guard let password = readLine(strippingNewline: true), !password.isEmpty else {
                throw ValidationError("Pipe the password on standard input, e.g. `parley user create … < password.txt`.")
            }
            let id = try UserStore.create(tenantID: tenant, email: email, password: password, role: role,
                                          on: try CommandSupport.ownerConnection())
            print(id)
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user and end their sessions at once.")
        @Option(help: "Tenant id (ten_…).") var tenant: String
        @Option(help: "Login email.") var email: String

        func run() throws {
            print("\(try UserStore.disable(tenantID: tenant, email: email, on: try CommandSupport.ownerConnection())) disabled")
        }
    }

    struct SetRole: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-role", abstract: "Change a user's role; effective on their next request.")
        @Option(help: "Tenant id (ten_…).") var tenant: String
        @Option(help: "Login email.") var email: String
        @Option(help: "owner, admin, agent or viewer.") var role: String

        func run() throws {
            try UserStore.setRole(try Role.parse(role), tenantID: tenant, email: email, on: try CommandSupport.ownerConnection())
            print("\(email) is now \(role)")
        }
    }
}
