import Foundation
import HTTP
import Testing
import TestSupport

/// `POST /v1/search` through nginx on documents ingested by `parley ingest`: ranking by both
/// signals, freshness, deletion before and after index rebuilds, isolation, a corrupt index file.
@Suite(.enabled(if: IngestJob.isAvailable, "needs the stack scripts/test starts and the embedding model"))
struct SearchAPITests {
    static let documents: [(String, String)] = [
        ("returns.md", "# Returns\n\nCustomers may return unused items within 30 days of delivery for a full refund. Refunds go back to the original payment card."),
        ("shipping.md", "# Shipping\n\nParcels leave our warehouse in Lyon every weekday. Express delivery arrives the next morning across France."),
        ("battery.md", "# Battery care\n\nCharge the scooter battery to 80 percent for storage and never leave it below freezing temperatures."),
        ("security.md", "# Account security\n\nUse a long passphrase and turn on two-factor authentication to protect your account from intruders."),
    ]

    struct Loaded {
        let fixture: TenantFixture
        var ids: [String: String]
    }

    private func load() throws -> Loaded {
        let fixture = try TenantFixture.make()
        var ids: [String: String] = [:]
        for (name, text) in Self.documents {
            let reply = try Uploads.post(fixture.adminKey, name: name, bytes: Array(text.utf8))
            let id = try #require(reply.documentID, "\(reply.text)")
            ids[name] = id
        }
        let run = try IngestJob.run(["--tenant", fixture.tenantID])
        #expect(run.status == 0, "\(run.output)")
        return Loaded(fixture: fixture, ids: ids)
    }

    private func search(_ key: String, _ body: String) throws -> HTTPClient.Reply {
        try TestStack.send("POST", "/v1/search", key: key, json: body)
    }

    private func documentIDs(_ reply: HTTPClient.Reply) -> [String] {
        guard case .array(let hits)? = reply.json?["data"] else { return [] }
        return hits.compactMap { if case .string(let id)? = $0["document_id"] { id } else { nil } }
    }

    @Test func keywordsAndParaphrasesBothFindTheRightDocument() throws {
        let loaded = try load()
        defer { loaded.fixture.remove() }
        let keyword = try search(loaded.fixture.queryKey, #"{"query":"refund within 30 days","top_k":3}"#)
        #expect(keyword.status == 200, "\(keyword.text)")
        #expect(documentIDs(keyword).first == loaded.ids["returns.md"], "\(keyword.text)")
        guard case .array(let hits)? = keyword.json?["data"], let top = hits.first else { Issue.record("no hits"); return }
        #expect(top["scores"]?["bm25_rank"] == 1 && top["scores"]?["dense_rank"] != .null)
        #expect(top["heading_path"] == ["Returns"])
        guard case .string(let snippet)? = top["snippet"], case .array(let marks)? = top["highlights"], case .array(let first)? = marks.first,
              case .number(let start)? = first.first, case .number(let end)? = first.last else { Issue.record("no highlights: \(top)"); return }
        let scalars = Array(snippet.unicodeScalars)
        let marked = String(String.UnicodeScalarView(scalars[Int(start)..<Int(end)])).lowercased()
        #expect(["refund", "refunds", "days", "30", "within"].contains(marked), "highlight \(marked)")

        // No shared words: only the dense signal can find it.
        let paraphrase = try search(loaded.fixture.queryKey, #"{"query":"how should I store my e-scooter power pack in winter","top_k":2,"mode":"dense"}"#)
        #expect(documentIDs(paraphrase).first == loaded.ids["battery.md"], "\(paraphrase.text)")
        let bm25Only = try search(loaded.fixture.queryKey, #"{"query":"two-factor passphrase","mode":"bm25"}"#)
        #expect(documentIDs(bm25Only) == [loaded.ids["security.md"]].compactMap { $0 })
    }

    @Test func freshChunksAreSearchableAtOnceAndDeletesNeverComeBack() throws {
        var loaded = try load()
        defer { loaded.fixture.remove() }
        let key = loaded.fixture.queryKey
        let query = #"{"query":"warehouse in Lyon","top_k":5,"mode":"bm25"}"#
        #expect(try search(key, query).json?["path"] == "exact", "no index file yet: every chunk from SQL")

        let rebuilt = try IngestJob.runParley(["index", "--rebuild", "--tenant", loaded.fixture.tenantID])
        #expect(rebuilt.status == 0 && rebuilt.output.contains("generation 1"), "\(rebuilt.output)")
        let indexed = try search(key, query)
        #expect(indexed.json?["path"] == "index+delta")
        #expect(documentIDs(indexed).first == loaded.ids["shipping.md"])

        // Ingested after the rebuild: found right away, from SQL.
        let fresh = try Uploads.post(loaded.fixture.adminKey, name: "depot.md",
                                     bytes: Array("# Depot\n\nA second warehouse opens in Lyon in spring for returns.".utf8))
        loaded.ids["depot.md"] = fresh.documentID
        try IngestJob.run(["--tenant", loaded.fixture.tenantID])
        #expect(Set(documentIDs(try search(key, query))).isSuperset(of: [loaded.ids["shipping.md"], loaded.ids["depot.md"]].compactMap { $0 }))

        let topOne = #"{"query":"parcels warehouse Lyon","top_k":1,"mode":"bm25"}"#
        #expect(documentIDs(try search(key, topOne)) == [loaded.ids["shipping.md"]].compactMap { $0 })

        // Deleted after the rebuild: the file still lists its chunks, the final SQL fetch drops them.
        #expect(try TestStack.send("DELETE", "/v1/documents/\(loaded.ids["shipping.md"] ?? "")", key: loaded.fixture.adminKey).status == 204)
        #expect(!documentIDs(try search(key, query)).contains(loaded.ids["shipping.md"] ?? "-"))
        // The fetch reads only top_k rows first; the missing top hit is made up from the next slice.
        let refilled = try search(key, topOne)
        #expect(documentIDs(refilled) == [loaded.ids["depot.md"]].compactMap { $0 }, "\(refilled.text)")
        // Deleted before a rebuild: gone from the new file too.
        #expect(try TestStack.send("DELETE", "/v1/documents/\(loaded.ids["depot.md"] ?? "")", key: loaded.fixture.adminKey).status == 204)
        try IngestJob.runParley(["index", "--rebuild", "--tenant", loaded.fixture.tenantID])
        let after = try search(key, query)
        #expect(documentIDs(after).isEmpty, "\(after.text)")
    }

    @Test func aCorruptIndexFileFallsBackToTheExactPath() throws {
        let loaded = try load()
        defer { loaded.fixture.remove() }
        try IngestJob.runParley(["index", "--rebuild", "--tenant", loaded.fixture.tenantID])
        let path = IngestJob.indexDirectory + "/\(loaded.fixture.tenantID).idx"
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[bytes.count / 2] ^= 0xFF
        // Same generation, damaged content (no worker has mapped this tenant's file yet): the
        // checksum must catch it.
        try FileManager.default.removeItem(atPath: path)
        #expect(FileManager.default.createFile(atPath: path, contents: bytes))
        let reply = try search(loaded.fixture.queryKey, #"{"query":"two-factor authentication","top_k":1}"#)
        #expect(reply.status == 200)
        #expect(reply.json?["path"] == "exact")
        #expect(documentIDs(reply) == [loaded.ids["security.md"]].compactMap { $0 })
    }

    @Test func searchNeverCrossesTenantsOrShowsInternalChunksToPublicKeys() throws {
        let a = try load()
        let b = try TenantFixture.make()
        defer { a.fixture.remove(); b.remove() }
        let guessed = a.ids["returns.md"] ?? ""
        let cross = try search(b.queryKey, #"{"query":"refund","filters":{"document_ids":["\#(guessed)"]}}"#)
        #expect(cross.status == 200 && documentIDs(cross).isEmpty, "\(cross.text)")
        #expect(documentIDs(try search(b.queryKey, #"{"query":"refund within 30 days"}"#)).isEmpty)

        _ = try TestStack.send("POST", "/v1/collections", key: a.fixture.adminKey, json: #"{"name":"staff","visibility":"internal"}"#)
        let secret = try Uploads.post(a.fixture.adminKey, name: "salaries.md", bytes: Array("# Salaries\n\nThe refund desk team earns bonuses quarterly.".utf8),
                                      fields: [("collection", "staff")])
        let secretID = try #require(secret.documentID)
        try IngestJob.run(["--tenant", a.fixture.tenantID])
        let publicKey = a.fixture.queryKey
        let staffKey = try a.fixture.key(scopes: ["query", "internal"])
        for body in [#"{"query":"refund desk bonuses","top_k":10}"#, #"{"query":"bonuses","collections":["staff"]}"#,
                     #"{"query":"bonuses","filters":{"document_ids":["\#(secretID)"]}}"#] {
            #expect(!documentIDs(try search(publicKey, body)).contains(secretID), "public key saw internal: \(body)")
        }
        #expect(documentIDs(try search(staffKey, #"{"query":"refund desk bonuses","top_k":3}"#)).contains(secretID))
        #expect(documentIDs(try search(staffKey, #"{"query":"refund","collections":["default"],"top_k":10}"#)).allSatisfy { $0 != secretID })
    }

    @Test func badRequestsGetProblems() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        #expect(try search(fixture.queryKey, #"{"query":"   "}"#).status == 422)
        #expect(try search(fixture.queryKey, #"{"query":"x","top_k":0}"#).status == 422)
        #expect(try search(fixture.queryKey, #"{"query":"x","mode":"magic"}"#).status == 422)
        #expect(try search(fixture.queryKey, #"{"top_k":3}"#).status == 400)
        let empty = try search(fixture.queryKey, #"{"query":"anything"}"#)
        #expect(empty.status == 200 && empty.json?["data"] == .array([]))
    }
}
