import HTTP
@testable import Ingest
import Store
import Tenancy
import Testing
import TestSupport

/// The queue's rules against real PostgreSQL, as the service role: claims skip what another run
/// holds, expired leases are reclaimed, and nothing is retried forever.
@Suite(.enabled(if: TestDatabase.isConfigured, "needs the database scripts/test starts"))
struct IngestQueueTests {
    private let limits = PlanLimits(requestsPerMinute: 60, queriesPerMonth: 1000, maxDocuments: 50, maxStorageBytes: 1 << 30,
                                    maxUploadBytes: 1 << 26, maxAPIKeys: 3)

    /// A tenant with one queued text document; returns (tenant, document).
    private func queuedDocument(_ text: String = "Hello queue") throws -> (String, String) {
        let owner = try TestDatabase.ownerConnection()
        let tenant = try TestDatabase.createTenant(on: owner)
        let app = try TestDatabase.appConnection()
        let upload = Upload(filename: "a.txt", format: .text, bytes: Array(text.utf8)[...])
        let (record, created) = try DocumentStore.create(upload, collection: nil, audience: DocumentAudience(tenantID: tenant, includeInternal: true),
                                                         limits: limits, on: app)
        #expect(created)
        return (tenant, record.id)
    }

    private func status(_ document: String) throws -> (status: String, attempts: Int, error: String?) {
        let row = try #require(try TestDatabase.ownerConnection().query(
            "SELECT status, attempts, error FROM document_versions WHERE document_id = \(document)").rows.first)
        return (try row.string("status"), try row.int("attempts"), try row.optionalString("error"))
    }

    private func cleanup(_ tenant: String) {
        if let owner = try? TestDatabase.ownerConnection() { try? TestDatabase.deleteTenants([tenant], on: owner) }
    }

    @Test func aHeldLeaseIsSkippedAndAnExpiredOneIsReclaimed() throws {
        let (tenant, document) = try queuedDocument()
        defer { cleanup(tenant) }
        let app = try TestDatabase.appConnection()
        let filter = IngestQueue.Filter(tenantID: tenant)
        let first = try #require(try IngestQueue.claim(owner: "run-a", leaseSeconds: 60, filter: filter, on: app))
        #expect(first.documentID == document && first.attempts == 1)
        #expect(try IngestQueue.claim(owner: "run-b", leaseSeconds: 60, filter: filter, on: app) == nil, "held by run-a")

        // Run a stalls: its lease runs out (made to look expired), and run b takes over.
        _ = try TestDatabase.ownerConnection().execute(
            "UPDATE document_versions SET lease_expires_at = now() - interval '1 second' WHERE document_id = \(document)")
        let second = try #require(try IngestQueue.claim(owner: "run-b", leaseSeconds: 60, filter: filter, on: app))
        #expect(second.attempts == 2 && second.owner == "run-b")
        // Run a wakes up: its heartbeat says the lease is gone, so it stops.
        #expect(try IngestQueue.heartbeat(first, progress: 50, stage: "embedding", leaseSeconds: 60, on: app) == false)
        #expect(try IngestQueue.heartbeat(second, progress: 50, stage: "embedding", leaseSeconds: 60, on: app) == true)
    }

    @Test func aVersionWhoseLeaseExpiresThreeTimesFailsWithAReason() throws {
        let (tenant, document) = try queuedDocument()
        defer { cleanup(tenant) }
        let app = try TestDatabase.appConnection()
        let owner = try TestDatabase.ownerConnection()
        let filter = IngestQueue.Filter(tenantID: tenant)
        for attempt in 1...3 {
            let claim = try #require(try IngestQueue.claim(owner: "run-\(attempt)", leaseSeconds: 60, filter: filter, on: app))
            #expect(claim.attempts == attempt)
            _ = try owner.execute("UPDATE document_versions SET lease_expires_at = now() - interval '1 second' WHERE document_id = \(document)")
        }
        #expect(try IngestQueue.claim(owner: "run-4", leaseSeconds: 60, filter: filter, on: app) == nil)
        let state = try status(document)
        #expect(state.status == "failed")
        #expect(state.error?.contains("stopped before finishing 3 times") == true)
    }

    @Test func transientFailuresRetryUntilTheThirdAttemptAndBadFilesFailAtOnce() throws {
        let (tenant, document) = try queuedDocument()
        defer { cleanup(tenant) }
        let app = try TestDatabase.appConnection()
        let filter = IngestQueue.Filter(tenantID: tenant)
        for attempt in 1...3 {
            let claim = try #require(try IngestQueue.claim(owner: "run", leaseSeconds: 60, filter: filter, on: app))
            try IngestQueue.fail(claim, reason: "embedding failed: provider down", permanent: false, timings: [:], on: app)
            #expect(try status(document).status == (attempt < 3 ? "queued" : "failed"))
        }
        #expect(try status(document).error == "embedding failed: provider down")

        let (other, bad) = try queuedDocument("Another one")
        defer { cleanup(other) }
        let claim = try #require(try IngestQueue.claim(owner: "run", leaseSeconds: 60, filter: IngestQueue.Filter(tenantID: other), on: app))
        try IngestQueue.fail(claim, reason: "encrypted PDF", permanent: true, timings: [:], on: app)
        let state = try status(bad)
        #expect(state.status == "failed" && state.attempts == 1 && state.error == "encrypted PDF")
    }

    @Test func releasingOnStopDoesNotCountAsAnAttempt() throws {
        let (tenant, document) = try queuedDocument()
        defer { cleanup(tenant) }
        let app = try TestDatabase.appConnection()
        let claim = try #require(try IngestQueue.claim(owner: "run", leaseSeconds: 60, filter: IngestQueue.Filter(tenantID: tenant), on: app))
        try IngestQueue.release(claim, on: app)
        let state = try status(document)
        #expect(state.status == "queued" && state.attempts == 0)
    }
}
