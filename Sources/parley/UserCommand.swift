import App
import ArgumentParser
import Tenancy

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage admin-console users.", subcommands: [Create.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an admin user for a tenant. The password is read from standard input, never from arguments."
        )
        @Option(help: "Tenant id (ten_…).") var tenant: String
        @Option(help: "Login email.") var email: String
        @Option(help: "admin or agent.") var role = "admin"

        func run() throws {
            // Arguments show up in `ps` and shell history; stdin does not.
            guard let password = readLine(strippingNewline: true), !password.isEmpty else {
                throw ValidationError("Pipe the password on standard input, e.g. `parley user create … < password.txt`.")
            }
            let id = try UserStore.create(tenantID: tenant, email: email, password: password, role: role,
                                          on: try CommandSupport.ownerConnection())
            print(id)
        }
    }
}
