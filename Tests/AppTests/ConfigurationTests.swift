import Testing
@testable import App

@Suite struct ConfigurationTests {
    @Test func defaultsApplyWhenUnset() throws {
        let configuration = try Configuration(environment: [:])
        #expect(configuration.threads == 4)
        #expect(configuration.socketMode == 0o660)
        #expect(configuration.maxBodyBytes == 10 * 1024 * 1024)
        #expect(configuration.workers >= 1)
        #expect(configuration.databaseURL == nil)
    }

    @Test func ownerURLDefaultsToTheServiceURL() throws {
        let configuration = try Configuration(environment: ["PARLEY_DATABASE_URL": "dbname=parley"])
        #expect(try configuration.requireOwnerDatabaseURL() == "dbname=parley")
    }

    @Test(arguments: [("PARLEY_THREADS", "0"), ("PARLEY_WORKERS", "many"), ("PARLEY_SOCKET_MODE", "999"), ("PARLEY_MAX_BODY_BYTES", "-1")])
    func invalidValuesAreRefusedNamingTheVariable(name: String, value: String) {
        do {
            _ = try Configuration(environment: [name: value])
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            #expect(String(describing: error).contains(name))
        }
    }

    @Test func secretsAreMaskedInTheSummary() throws {
        let configuration = try Configuration(environment: [
            "PARLEY_DATABASE_URL": "host=db user=parley_app password=hunter2 dbname=parley",
            "PARLEY_OWNER_DATABASE_URL": "postgresql://parley_owner:s3cret@db/parley",
        ])
        let text = configuration.summary.map { "\($0.0)=\($0.1)" }.joined(separator: "\n")
        #expect(!text.contains("hunter2") && !text.contains("s3cret"))
        #expect(text.contains("password=***"))
        #expect(text.contains("postgresql://parley_owner:***@db/parley"))
        #expect(String(describing: configuration.databaseURL!) == "***")
    }
}
