import Answer
import App
import ArgumentParser
import Tenancy

struct ProviderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provider", abstract: "Add, list and remove the LLM endpoints plans and tenants can answer with.",
        discussion: "A provider names the environment variable holding its API key (--api-key-env); the key itself never enters the database.",
        subcommands: [Add.self, List.self, Remove.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a provider, or replace the one with the same name.")
        @Option(help: "Name plans and tenants refer to (a-z, 0-9, '-', '_').") var name: String
        @Option(help: "openai (and every server speaking Chat Completions), azure or anthropic.") var kind: String
        @Option(help: "API base, e.g. https://api.openai.com/v1, https://api.anthropic.com/v1, http://127.0.0.1:11434/v1.")
        var baseURL: String
        @Option(help: "Environment variable of `parley serve` that holds the API key (omit for servers without one).")
        var apiKeyEnv: String?
        @Option(help: "Azure: the api-version query parameter, e.g. 2024-10-21.") var apiVersion: String?
        @Option(help: "Azure: the deployment (default: the model name).") var deployment: String?
        @Option(help: "Connect timeout in milliseconds.") var connectTimeoutMs = 5000
        @Option(help: "Whole-request timeout in milliseconds.") var requestTimeoutMs = 60000

        func run() throws {
            guard let kind = ProviderKind(rawValue: kind) else {
                throw ValidationError("--kind is one of \(ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            let record = ProviderRecord(name: name, kind: kind, baseURL: baseURL, apiKeyEnv: apiKeyEnv, apiVersion: apiVersion,
                                        deployment: deployment, connectTimeoutMs: connectTimeoutMs, requestTimeoutMs: requestTimeoutMs)
            let inserted = try ProviderStore.save(record, on: try CommandSupport.ownerConnection())
            print("\(name) \(inserted ? "added" : "updated")")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List providers (the key's variable, never the key).")

        func run() throws {
            for provider in try ProviderStore.list(on: try CommandSupport.ownerConnection()) {
                print([provider.name, provider.kind.rawValue, provider.baseURL, provider.apiKeyEnv ?? "-", provider.apiVersion ?? "-",
                       provider.deployment ?? "-", "\(provider.connectTimeoutMs)ms/\(provider.requestTimeoutMs)ms"]
                    .joined(separator: "\t"))
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a provider no plan or tenant uses.")
        @Argument(help: "The provider's name.") var name: String

        func run() throws {
            try ProviderStore.remove(name: name, on: try CommandSupport.ownerConnection())
            print("\(name) removed")
        }
    }
}
