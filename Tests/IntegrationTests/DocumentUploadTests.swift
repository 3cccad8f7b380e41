import Foundation
import HTTP
import Testing
import TestSupport

/// Uploads through nginx: what is accepted, what is refused and why, dedupe, listing, isolation.
@Suite(.enabled(if: TestStack.isRunning, "needs the stack scripts/test starts"))
struct DocumentUploadTests {
    @Test func everyAcceptedFormatIsStoredAndQueuedWithItsSniffedFormat() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let cases: [(String, [UInt8], String)] = [
            ("guide.pdf", PDFBuilder.sample(), "pdf"),
            ("prices.csv", SampleFiles.csv, "csv"),
            ("menu.txt", SampleFiles.latin1, "text"),
            ("greeting.txt", SampleFiles.utf16, "text"),
            ("returns.html", SampleFiles.html, "html"),
            ("setup.md", SampleFiles.markdown, "markdown"),
            ("people.json", SampleFiles.json, "json"),
            ("faq.jsonl", SampleFiles.jsonl, "jsonl"),
            ("cities.tsv", SampleFiles.tsv, "tsv"),
            ("manual.docx", DocxFixtures.withTable(), "docx"),
            // No extension: the bytes alone decide.
            ("scan-result", PDFBuilder.document(pages: [[PDFBuilder.Line("Scanned result", size: 12)]]), "pdf"),
        ]
        for (name, bytes, format) in cases {
            let reply = try Uploads.post(fixture.adminKey, name: name, bytes: bytes)
            #expect(reply.status == 202, "\(name): \(reply.text)")
            #expect(reply.json?["format"] == .string(format), "\(name)")
            #expect(reply.json?["status"] == "queued")
            #expect(reply.json?["filename"] == .string(name))
            #expect(reply.header("location") == "/v1/documents/\(reply.documentID ?? "")")
        }
    }

    @Test func refusedFilesGetTheRightProblemNamingTheSniffedType() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let elf = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "/bin/ls")))
        var garbage = [UInt8](repeating: 0, count: 4096)
        var state: UInt32 = 7
        for index in garbage.indices { state = state &* 1_103_515_245 &+ 12345; garbage[index] = UInt8(truncatingIfNeeded: state >> 16) }
        let zip = ZipWriter.archive([(name: "notes.txt", bytes: Array("hello".utf8), deflate: false)])
        // A PNG signature and IHDR chunk (1×1 RGB): what libmagic needs to call it an image.
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
                            0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE] + [UInt8](repeating: 0, count: 64)
        let cases: [(String, [UInt8], Int, String?)] = [
            ("report.pdf", elf, 415, "application/x-"),
            ("tool", elf, 415, "application/x-"),
            ("archive.zip", zip, 415, "application/zip"),
            ("photo.png", png, 415, "image/png"),
            ("blob.bin", garbage, 415, "application/octet-stream"),
            ("notes.pdf", Array("just text".utf8), 415, "text/plain"),
            ("empty.txt", [], 422, nil),
        ]
        for (name, bytes, status, sniffed) in cases {
            let reply = try Uploads.post(fixture.adminKey, name: name, bytes: bytes)
            #expect(reply.status == status, "\(name): \(reply.text)")
            #expect(reply.header("content-type") == "application/problem+json", "\(name)")
            if let sniffed {
                guard case .string(let type)? = reply.json?["sniffed_type"] else { Issue.record("\(name): no sniffed_type"); continue }
                // libmagic calls a PIE binary x-pie-executable or x-sharedlib depending on its version.
                #expect(type.hasPrefix(sniffed), "\(name): \(reply.text)")
                #expect(reply.text.contains(name))
            }
        }
        let list = try TestStack.send("GET", "/v1/documents", key: fixture.adminKey)
        #expect(list.json?["data"] == .array([]), "nothing refused was stored")
    }

    @Test func uploadsOverThePlanLimitGet413ProblemFromParley() throws {
        // free: 50 MiB. nginx lets 51 MiB through (its ceiling is the largest plan's); Parley refuses it.
        let fixture = try TenantFixture.make(plan: "free")
        defer { fixture.remove() }
        var big = Array(repeating: UInt8(ascii: "a"), count: 51 * 1_048_576)
        big[0] = UInt8(ascii: "x")
        let reply = try Uploads.raw(fixture.adminKey, name: "big.txt", bytes: big)
        #expect(reply.status == 413)
        #expect(reply.problemType == "payload-too-large")
        #expect(reply.text.contains("50 MiB"))
        let multipart = try Uploads.post(fixture.adminKey, name: "big.txt", bytes: big)
        #expect(multipart.status == 413)
        #expect(multipart.problemType == "payload-too-large")
    }

    @Test func identicalBytesInTheSameCollectionReturnTheExistingDocument() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let first = try Uploads.post(fixture.adminKey, name: "a.md", bytes: SampleFiles.markdown)
        #expect(first.status == 202)
        let again = try Uploads.post(fixture.adminKey, name: "copy-of-a.md", bytes: SampleFiles.markdown)
        #expect(again.status == 200)
        #expect(again.documentID == first.documentID)
        let raw = try Uploads.raw(fixture.adminKey, name: "a.md", bytes: SampleFiles.markdown)
        #expect(raw.status == 200 && raw.documentID == first.documentID)
        // Another collection is another document.
        let other = try Uploads.post(fixture.adminKey, name: "a.md", bytes: SampleFiles.markdown, fields: [("collection", "support")])
        #expect(other.status == 202 && other.documentID != first.documentID)
        #expect(other.json?["collection"] == "support")
    }

    @Test func severalFilesInOneRequestWithFields() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let reply = try Uploads.post(fixture.adminKey, files: [("a.csv", SampleFiles.csv), ("b.tsv", SampleFiles.tsv)],
                                     fields: [("title", "Price lists"), ("source_url", "https://example.com/prices"),
                                              ("metadata", #"{"team":"sales","year":2026}"#)])
        #expect(reply.status == 202, "\(reply.text)")
        guard case .array(let documents)? = reply.json?["data"] else { Issue.record("no data: \(reply.text)"); return }
        #expect(documents.count == 2)
        #expect(documents.allSatisfy { $0["title"] == "Price lists" && $0["source_url"] == "https://example.com/prices" })
        #expect(documents.first?["metadata"]?["team"] == "sales")
    }

    @Test func listingFiltersAndPaginates() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        var ids: [String] = []
        for index in 0..<5 {
            let reply = try Uploads.raw(fixture.adminKey, name: "n\(index).txt", bytes: SampleFiles.text(40, seed: index))
            ids.append(reply.documentID ?? "")
        }
        let first = try TestStack.send("GET", "/v1/documents?limit=2", key: fixture.adminKey)
        guard case .array(let page)? = first.json?["data"], case .string(let cursor)? = first.json?["next_cursor"] else {
            Issue.record("bad page \(first.text)"); return
        }
        #expect(page.count == 2)
        #expect(page.first?["id"] == .string(ids[4]), "newest first")
        let second = try TestStack.send("GET", "/v1/documents?limit=2&cursor=\(cursor)", key: fixture.adminKey)
        guard case .array(let next)? = second.json?["data"] else { Issue.record("bad page"); return }
        #expect(next.first?["id"] == .string(ids[2]))
        #expect(try TestStack.send("GET", "/v1/documents?status=ready", key: fixture.adminKey).json?["data"] == .array([]))
        #expect(try TestStack.send("GET", "/v1/documents?status=bogus", key: fixture.adminKey).status == 400)
    }

    @Test func tenantsCannotSeeEachOthersDocumentsOrChunks() throws {
        let a = try TenantFixture.make()
        let b = try TenantFixture.make()
        defer { a.remove(); b.remove() }
        let id = try #require(try Uploads.post(a.adminKey, name: "secret.md", bytes: SampleFiles.markdown).documentID)
        for path in ["/v1/documents/\(id)", "/v1/documents/\(id)/chunks"] {
            #expect(try TestStack.send("GET", path, key: b.adminKey).status == 404, "\(path)")
        }
        #expect(try TestStack.send("DELETE", "/v1/documents/\(id)", key: b.adminKey).status == 404)
        let put = try Uploads.post(b.adminKey, files: [("x.md", SampleFiles.markdown)], method: "PUT", path: "/v1/documents/\(id)")
        #expect(put.status == 404)
        #expect(!(try TestStack.send("GET", "/v1/documents", key: b.adminKey).text.contains(id)))
        #expect(try TestStack.send("GET", "/v1/documents/\(id)", key: a.adminKey).status == 200, "still there for its owner")
    }

    @Test func internalCollectionsAreHiddenFromKeysWithoutTheInternalScope() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let created = try TestStack.send("POST", "/v1/collections", key: fixture.adminKey, json: #"{"name":"hr","visibility":"internal"}"#)
        #expect(created.status == 201, "\(created.text)")
        let ingestKey = try fixture.key(scopes: ["ingest"])
        let staffKey = try fixture.key(scopes: ["ingest", "internal"])
        let refused = try Uploads.post(ingestKey, name: "pay.md", bytes: SampleFiles.markdown, fields: [("collection", "hr")])
        #expect(refused.status == 403)
        let stored = try Uploads.post(staffKey, name: "pay.md", bytes: SampleFiles.markdown, fields: [("collection", "hr")])
        #expect(stored.status == 202)
        let id = try #require(stored.documentID)
        #expect(try TestStack.send("GET", "/v1/documents/\(id)", key: ingestKey).status == 404)
        #expect(try TestStack.send("GET", "/v1/documents/\(id)", key: staffKey).status == 200)
        #expect(!(try TestStack.send("GET", "/v1/collections", key: ingestKey).text.contains("\"hr\"")))
        #expect(try TestStack.send("GET", "/v1/collections", key: staffKey).text.contains("\"hr\""))
    }

    @Test func queryKeysCannotUpload() throws {
        let fixture = try TenantFixture.make()
        defer { fixture.remove() }
        let reply = try Uploads.post(fixture.queryKey, name: "a.md", bytes: SampleFiles.markdown)
        #expect(reply.status == 403)
        #expect(reply.problemType == "insufficient-scope")
    }
}
