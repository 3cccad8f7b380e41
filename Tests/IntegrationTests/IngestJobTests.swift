import Foundation
import HTTP
import Glibc
import Testing
import TestSupport

/// `parley ingest` against documents uploaded through nginx: every file ends ready or failed with
/// a reason, runs never share a document, killed runs are recovered, deletes and new versions are
/// safe mid-processing. Each test runs the job for its own tenant only (`--tenant`), so tests
/// running in parallel do not take each other's documents.
@Suite(.enabled(if: IngestJob.isAvailable, "needs the stack scripts/test starts and the embedding model"))
struct IngestJobTests {
    @Test func everyFormatEndsReadyWithChunksAndBadFilesFailWithAReason() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let good: [(String, [UInt8])] = [
            ("guide.pdf", PDFBuilder.sample()), ("prices.csv", SampleFiles.csv), ("menu.txt", SampleFiles.latin1),
            ("greeting.txt", SampleFiles.utf16), ("returns.html", SampleFiles.html), ("setup.md", SampleFiles.markdown),
            ("people.json", SampleFiles.json), ("faq.jsonl", SampleFiles.jsonl), ("cities.tsv", SampleFiles.tsv),
            ("manual.docx", DocxFixtures.withTable()),
        ]
        let bad: [(String, [UInt8], String)] = [
            ("locked.pdf", PDFBuilder.encrypted(), "encrypted"),
            ("cut.pdf", PDFBuilder.truncated(PDFBuilder.sample(), keeping: 0.6), "truncated"),
            ("scan.pdf", PDFBuilder.imageOnly(), "no text layer"),
            ("bomb.docx", DocxFixtures.zipBomb(), "zip bomb"),
            ("hollow.docx", DocxFixtures.withoutDocumentXML(), "word/document.xml"),
        ]
        var ids: [String: String] = [:]
        for (name, bytes) in good {
            let id = try #require(try Uploads.post(fixture.adminKey, name: name, bytes: bytes).documentID, "\(name)")
            ids[name] = id
        }
        var badIDs: [String: String] = [:]
        for (name, bytes, _) in bad {
            let reply = try Uploads.post(fixture.adminKey, name: name, bytes: bytes)
            #expect(reply.status == 202, "\(name) is accepted at upload; the job finds out: \(reply.text)")
            badIDs[name] = reply.documentID
        }

        let run = try IngestJob.run(["--tenant", fixture.tenantID])
        #expect(run.status == 0, "\(run.output)")

        for (name, id) in ids {
            let document = try TestStack.send("GET", "/v1/documents/\(id)", key: fixture.adminKey).json
            #expect(document?["status"] == "ready", "\(name): \(String(describing: document))")
            #expect(document?["progress"] == 100)
            guard case .number(let chunks)? = document?["chunk_count"] else { Issue.record("\(name): no chunk_count"); continue }
            #expect(chunks >= 1, "\(name)")
            #expect(document?["timings"]?["embed_ms"] != nil, "\(name): stage timings")
            let listed = try TestStack.send("GET", "/v1/documents/\(id)/chunks", key: fixture.adminKey).json
            guard case .array(let rows)? = listed?["data"] else { Issue.record("\(name): no chunks listed"); continue }
            #expect(Double(rows.count) == chunks, "\(name)")
        }
        let pdf = try TestStack.send("GET", "/v1/documents/\(ids["guide.pdf"] ?? "")", key: fixture.adminKey).json
        #expect(pdf?["pages"] == 2)
        let pdfChunks = try TestStack.send("GET", "/v1/documents/\(ids["guide.pdf"] ?? "")/chunks", key: fixture.adminKey).text
        #expect(pdfChunks.contains("\"page_start\":1"))
        let html = try TestStack.send("GET", "/v1/documents/\(ids["returns.html"] ?? "")/chunks", key: fixture.adminKey).text
        #expect(html.contains("30 days") && !html.contains("do not index") && !html.contains("color: red"))
        let latin = try TestStack.send("GET", "/v1/documents/\(ids["menu.txt"] ?? "")/chunks", key: fixture.adminKey).text
        #expect(latin.contains("café crème"))
        let csv = try TestStack.send("GET", "/v1/documents/\(ids["prices.csv"] ?? "")/chunks", key: fixture.adminKey).text
        #expect(csv.contains("product: Widget, large"), "\(csv)")
        let docx = try TestStack.send("GET", "/v1/documents/\(ids["manual.docx"] ?? "")/chunks", key: fixture.adminKey).text
        #expect(docx.contains("Voltage: 230 V"), "table rows keep their headers: \(docx)")

        for (name, _, reason) in bad {
            let document = try TestStack.send("GET", "/v1/documents/\(badIDs[name] ?? "")", key: fixture.adminKey).json
            #expect(document?["status"] == "failed", "\(name): \(String(describing: document))")
            guard case .string(let error)? = document?["error"] else { Issue.record("\(name): no reason"); continue }
            #expect(error.contains(reason), "\(name): \(error)")
            #expect(document?["attempts"] == 1, "a bad file fails at once, not after retries")
        }
    }

    @Test func twoConcurrentRunsProcessEachDocumentExactlyOnce() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        var ids = Set<String>()
        for index in 0..<20 {
            let reply = try Uploads.raw(fixture.adminKey, name: "doc\(index).txt", bytes: SampleFiles.text(300, seed: index))
            ids.insert(try #require(reply.documentID))
        }
        let first = try IngestJob.start(["--tenant", fixture.tenantID])
        let second = try IngestJob.start(["--tenant", fixture.tenantID])
        var outputs: [String] = []
        for (process, pipe) in [first, second] {
            outputs.append(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        func processed(_ output: String) -> [String] {
            output.split(separator: "\n").compactMap { line in
                guard let event = try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)),
                      event["status"] == "ready", case .string(let id)? = event["document_id"] else { return nil }
                return id
            }
        }
        let a = processed(outputs[0])
        let b = processed(outputs[1])
        #expect(Set(a).isDisjoint(with: Set(b)), "no document processed by both runs")
        #expect(a.count + b.count == 20 && Set(a + b) == ids, "every document processed once: \(a.count) + \(b.count)")
        for id in ids {
            let row = try #require(try DocumentRows.version(id))
            #expect(try row.string("status") == "ready")
            #expect(try row.int("attempts") == 1)
            let expected = try row.int("chunk_count")
            #expect(try DocumentRows.chunkCount(id) == expected)
        }
    }

    @Test func aKilledRunsDocumentIsReclaimedAfterItsLeaseWithoutDuplicateChunks() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let id = try #require(try Uploads.raw(fixture.adminKey, name: "big.csv", bytes: SampleFiles.slowCSV(rows: 4000)).documentID)
        let (process, _) = try IngestJob.start(["--tenant", fixture.tenantID, "--lease", "5"])
        let midway = try DocumentRows.waitFor(id, seconds: 60) { try $0.string("status") == "processing" && $0.int("progress") > 5 }
        #expect(midway, "the run got going")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let stuck = try #require(try DocumentRows.version(id))
        #expect(try stuck.string("status") == "processing", "a killed run leaves its lease behind")
        #expect(try DocumentRows.chunkCount(id) == 0, "and no chunks: they were in its open transaction")

        // Until the lease expires a run finds nothing to claim and exits at once; then one reclaims it.
        var done = false
        var output = ""
        let deadline = Date().addingTimeInterval(90)
        while !done && Date() < deadline {
            output = try IngestJob.run(["--tenant", fixture.tenantID, "--lease", "5", "--once"]).output
            done = try DocumentRows.version(id).map { try $0.string("status") == "ready" } ?? false
            if !done { Thread.sleep(forTimeInterval: 1) }
        }
        #expect(done, "reclaimed and finished: \(output)")
        let row = try #require(try DocumentRows.version(id))
        #expect(try row.int("attempts") == 2)
        let chunks = try DocumentRows.chunkCount(id)
        let expected = try row.int("chunk_count")
        let distinct = try DocumentRows.distinctOrdinals(id)
        #expect(chunks == expected && chunks == distinct, "no duplicate chunks")
    }

    @Test func deletingADocumentWhileItIsProcessedRemovesItAtOnce() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let id = try #require(try Uploads.raw(fixture.adminKey, name: "big.csv", bytes: SampleFiles.slowCSV(rows: 4000)).documentID)
        let job = try IngestJob.start(["--tenant", fixture.tenantID])
        #expect(try DocumentRows.waitFor(id, seconds: 60) { try $0.string("status") == "processing" && $0.int("progress") > 5 })
        let started = Date()
        let deleted = try TestStack.send("DELETE", "/v1/documents/\(id)", key: fixture.adminKey)
        #expect(deleted.status == 204)
        #expect(Date().timeIntervalSince(started) < 5, "the delete does not wait for the job")
        #expect(try TestStack.send("GET", "/v1/documents/\(id)", key: fixture.adminKey).status == 404)
        _ = job.output.fileHandleForReading.readDataToEndOfFile()
        job.process.waitUntilExit()
        #expect(job.process.terminationStatus == 0)
        #expect(try DocumentRows.chunkCount(id) == 0, "the job's chunks never committed")
        #expect(try DocumentRows.version(id) == nil)
    }

    @Test func aNewVersionReplacesTheOldOneOnlyWhenReady() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let id = try #require(try Uploads.raw(fixture.adminKey, name: "policy.md", bytes: Array("# Policy\n\nRefunds take 14 days.\n".utf8)).documentID)
        try IngestJob.run(["--tenant", fixture.tenantID])
        let put = try Uploads.post(fixture.adminKey, files: [("policy.md", Array("# Policy\n\nRefunds take 30 days now.\n".utf8))],
                                   method: "PUT", path: "/v1/documents/\(id)")
        #expect(put.status == 202, "\(put.text)")
        #expect(put.json?["version"] == 2 && put.json?["active_version"] == 1 && put.json?["status"] == "queued")
        let before = try TestStack.send("GET", "/v1/documents/\(id)/chunks", key: fixture.adminKey).text
        #expect(before.contains("14 days"), "the old version keeps answering until the new one is ready")
        try IngestJob.run(["--tenant", fixture.tenantID])
        let after = try TestStack.send("GET", "/v1/documents/\(id)/chunks", key: fixture.adminKey).text
        #expect(after.contains("30 days") && !after.contains("14 days"))
        #expect(try TestStack.send("GET", "/v1/documents/\(id)", key: fixture.adminKey).json?["active_version"] == 2)
        let distinct = try DocumentRows.distinctOrdinals(id)
        #expect(try DocumentRows.chunkCount(id) == distinct, "only version 2's chunks remain")
        // Same bytes again: nothing to do.
        let same = try Uploads.post(fixture.adminKey, files: [("policy.md", Array("# Policy\n\nRefunds take 30 days now.\n".utf8))],
                                    method: "PUT", path: "/v1/documents/\(id)")
        #expect(same.status == 200)
    }
}
