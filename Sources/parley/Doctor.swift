import App
import ArgumentParser
import FastCGI
import HTTP
import Store

/// Checks an installation from the sysadmin's side: configuration, database, migrations, the
/// FastCGI socket and nginx. Exits non-zero when any check fails.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the effective configuration (secrets masked) and check database, socket and nginx."
    )

    func run() throws {
        let configuration = try CommandSupport.configuration()
        print("parley \(ParleyVersion.current)\n\nconfiguration:")
        for (name, value) in configuration.summary { print("  \(name)=\(value)") }
        print("\nchecks:")
        var failures = 0
        func check(_ name: String, _ body: () throws -> String) {
            do {
                print("  ok    \(name): \(try body())")
            } catch {
                failures += 1
                print("  FAIL  \(name): \(error)")
            }
        }
        check("database (service role)") {
            let connection = try Connection(conninfo: try configuration.requireDatabaseURL())
            try connection.ping()
            return "connected, server \(connection.serverVersion)"
        }
        check("migrations") {
            let migrator = try Migrator(directory: configuration.migrationsDirectory)
            let pending = try migrator.pending(on: try CommandSupport.ownerConnection())
            guard pending.isEmpty else { throw DoctorFailure("\(pending.count) pending; run `parley migrate`") }
            return "\(migrator.migrations.count) applied, none pending"
        }
        check("FastCGI socket") {
            guard let path = configuration.socketPath else { return "inherited from systemd or spawn-fcgi; not probed" }
            let response = try fastCGIRoundTrip(socketPath: path, params: [
                ("REQUEST_METHOD", "GET"), ("DOCUMENT_URI", "/healthz"), ("REQUEST_URI", "/healthz"),
                ("SERVER_PROTOCOL", "HTTP/1.1"), ("CONTENT_LENGTH", "0"),
            ], body: [], timeout: 5)
            guard response.status == 200 else { throw DoctorFailure("GET /healthz answered \(response.status)") }
            return "\(path) answers GET /healthz"
        }
        check("nginx") {
            guard let base = configuration.publicURL else { return "PARLEY_PUBLIC_URL unset; not probed" }
            let result = try HTTPClient.send(method: "GET", url: base + "/readyz", timeoutSeconds: 5)
            guard result.status == 200 else { throw DoctorFailure("GET \(base)/readyz answered \(result.status)") }
            return "\(base)/readyz answers 200"
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

struct DoctorFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
