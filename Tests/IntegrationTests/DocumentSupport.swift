import Foundation
import HTTP
import Store
import Tenancy
import TestSupport

/// Uploads through nginx, as multipart/form-data or raw bodies.
enum Uploads {
    static func multipart(files: [(name: String, bytes: [UInt8])], fields: [(String, String)] = []) -> (contentType: String, body: [UInt8]) {
        let boundary = "parley-test-\(UUID().uuidString)"
        var body: [UInt8] = []
        func line(_ text: String) { body += Array((text + "\r\n").utf8) }
        for (name, value) in fields {
            line("--\(boundary)")
            line("Content-Disposition: form-data; name=\"\(name)\"")
            line("")
            line(value)
        }
        for file in files {
            line("--\(boundary)")
            line("Content-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"")
            // Deliberately wrong: the type is decided by sniffing, never by what the client claims.
            line("Content-Type: application/octet-stream")
            line("")
            body += file.bytes
            line("")
        }
        line("--\(boundary)--")
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    static func post(_ key: String, files: [(name: String, bytes: [UInt8])], fields: [(String, String)] = [],
                     method: String = "POST", path: String = "/v1/documents") throws -> HTTPClient.Reply {
        let (contentType, body) = multipart(files: files, fields: fields)
        return try TestStack.send(method, path, headers: [("Authorization", "Bearer \(key)"), ("Content-Type", contentType)], body: body)
    }

    static func post(_ key: String, name: String, bytes: [UInt8], fields: [(String, String)] = []) throws -> HTTPClient.Reply {
        try post(key, files: [(name, bytes)], fields: fields)
    }

    static func raw(_ key: String, name: String, bytes: [UInt8], query: String = "") throws -> HTTPClient.Reply {
        try TestStack.send("POST", "/v1/documents?filename=\(name)\(query)",
                           headers: [("Authorization", "Bearer \(key)"), ("Content-Type", "application/octet-stream")], body: bytes)
    }
}

/// Runs `parley ingest` (the binary under test) against the test database.
enum IngestJob {
    static var isAvailable: Bool {
        TestStack.isRunning && ProcessInfo.processInfo.environment["PARLEY_TEST_PARLEY_BIN"].map { !$0.isEmpty } == true
            && FileManager.default.fileExists(atPath: (modelDirectory ?? "") + "/model.safetensors")
    }

    static var modelDirectory: String? { ProcessInfo.processInfo.environment["PARLEY_TEST_EMBED_MODEL_DIR"] }

    /// The pool's index directory, so `parley index` here writes where the workers look.
    static var indexDirectory: String {
        ProcessInfo.processInfo.environment["PARLEY_TEST_INDEX_DIR"] ?? FileManager.default.currentDirectoryPath + "/var/index"
    }

    static func start(_ arguments: [String]) throws -> (process: Process, output: Pipe) {
        try startParley(["ingest", "--threads", "1"] + arguments)
    }

    /// Any `parley` subcommand with the test database and model.
    static func startParley(_ arguments: [String]) throws -> (process: Process, output: Pipe) {
        let environment = ProcessInfo.processInfo.environment
        let process = Process()
        process.executableURL = URL(fileURLWithPath: environment["PARLEY_TEST_PARLEY_BIN"] ?? "parley")
        process.arguments = arguments
        process.environment = [
            "PARLEY_DATABASE_URL": TestDatabase.appConninfo ?? "",
            "PARLEY_OWNER_DATABASE_URL": TestDatabase.ownerConninfo ?? "",
            "PARLEY_EMBED_MODEL_DIR": modelDirectory ?? "",
            "PARLEY_INDEX_DIR": indexDirectory,
            "PATH": environment["PATH"] ?? "/usr/bin:/bin",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return (process, output)
    }

    /// Runs to completion; returns the exit status and the JSON lines it wrote, one per document.
    @discardableResult
    static func run(_ arguments: [String]) throws -> (status: Int32, events: [JSONValue], output: String) {
        try finish(try start(arguments))
    }

    /// Runs `parley ARGUMENTS…` to completion.
    @discardableResult
    static func runParley(_ arguments: [String]) throws -> (status: Int32, events: [JSONValue], output: String) {
        try finish(try startParley(arguments))
    }

    private static func finish(_ started: (process: Process, output: Pipe)) throws -> (status: Int32, events: [JSONValue], output: String) {
        let (process, pipe) = started
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let events = text.split(separator: "\n").compactMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        return (process.terminationStatus, events, text)
    }
}

/// Reads what the API does not show (chunks of every version, leases) straight from PostgreSQL.
enum DocumentRows {
    static func version(_ documentID: String) throws -> Row? {
        let owner = try TestDatabase.ownerConnection()
        return try owner.query("""
            SELECT status, progress, attempts, error, lease_owner, chunk_count, version FROM document_versions
             WHERE document_id = \(documentID) ORDER BY version DESC LIMIT 1
            """).rows.first
    }

    static func chunkCount(_ documentID: String) throws -> Int {
        let owner = try TestDatabase.ownerConnection()
        return try owner.query("SELECT count(*) AS n FROM chunks WHERE document_id = \(documentID)").rows.first?.int("n") ?? -1
    }

    static func distinctOrdinals(_ documentID: String) throws -> Int {
        let owner = try TestDatabase.ownerConnection()
        return try owner.query("SELECT count(DISTINCT (version, ordinal)) AS n FROM chunks WHERE document_id = \(documentID)")
            .rows.first?.int("n") ?? -1
    }

    /// Polls until `condition` holds for the document's newest version, or `seconds` pass.
    static func waitFor(_ documentID: String, seconds: Double, _ condition: (Row) throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let row = try version(documentID), try condition(row) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}

extension HTTPClient.Reply {
    var documentID: String? {
        if case .string(let id)? = json?["id"] { return id }
        return nil
    }
}

/// Test documents of every accepted format, made here rather than checked in.
enum SampleFiles {
    /// Quoted commas, a quoted newline, doubled quotes, CRLF line ends.
    static let csv = Array([
        "product,price,notes",
        "\"Widget, large\",12.50,\"Ships in 2 days\"",
        "Gadget,3,\"Line one\nline two, with a comma\"",
        "\"Quote \"\"Pro\"\"\",99,",
        "",
    ].joined(separator: "\r\n").utf8)

    /// "café crème" in Latin-1: invalid UTF-8, so the decoder must notice.
    static let latin1: [UInt8] = Array("Le caf".utf8) + [0xE9] + Array(" cr".utf8) + [0xE8] + Array("me est servi chaud.\n\nDeuxi".utf8)
        + [0xE8] + Array("me paragraphe.\n".utf8)

    static let html = Array("""
        <!doctype html><html><head><title>Returns</title><script>var secret = "do not index";</script>
        <style>body { color: red }</style></head><body><nav>Home | About</nav>
        <h1>Returns policy</h1><p>Items can be returned within <b>30 days</b> &amp; refunded.</p>
        <ul><li>Keep the receipt</li><li>Use the original box</li></ul></body></html>
        """.utf8)

    static let markdown = Array("# Setup\n\nInstall the **agent** with `apt`.\n\n## Ports\n\n- 8080 for HTTP\n- 8443 for TLS\n".utf8)
    static let json = Array(#"[{"name":"Alice","role":"admin","address":{"city":"Paris"}},{"name":"Bob","role":"agent"}]"#.utf8)
    static let jsonl = Array("{\"q\":\"How to reset?\",\"a\":\"Hold the button 10 s.\"}\n{\"q\":\"Warranty?\",\"a\":\"Two years.\"}\n".utf8)
    static let tsv = Array("city\tcountry\nParis\tFrance\nLyon\tFrance\n".utf8)
    static let utf16: [UInt8] = [0xFF, 0xFE] + "Grüße aus Köln.\n".utf16.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] }

    static func text(_ words: Int, seed: Int) -> [UInt8] {
        let vocabulary = ["invoice", "shipping", "refund", "account", "password", "delivery", "warranty", "support",
                          "battery", "screen", "order", "customer", "payment", "return", "label", "courier"]
        var state = UInt64(seed) &* 6364136223846793005 &+ 1442695040888963407
        var out: [String] = ["Document \(seed)."]
        for index in 0..<words {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            out.append(vocabulary[Int(state >> 33) % vocabulary.count] + (index % 12 == 11 ? "." : ""))
        }
        return Array(out.joined(separator: " ").utf8)
    }

    /// A CSV big enough that ingesting it takes a few seconds (so tests can act mid-document).
    static func slowCSV(rows: Int) -> [UInt8] {
        var text = "id,question,answer\n"
        for row in 0..<rows {
            text += "\(row),\"How do I fix problem number \(row) with the device?\",\"Restart it, then check cable \(row % 7) and the fuse.\"\n"
        }
        return Array(text.utf8)
    }
}

extension TenantFixture {
    /// A further key of this tenant with the given scopes.
    func key(scopes: [String]) throws -> String {
        let owner = try TestDatabase.ownerConnection()
        let parsed = try Scope.parseList(scopes)
        return try KeyStore.create(tenantID: tenantID, name: "extra \(scopes.joined(separator: " "))", scopes: parsed, on: owner).1
    }
}

/// DOCX files made with TestSupport's ZipWriter.
enum DocxFixtures {
    static func paragraph(_ text: String, style: String? = nil) -> String {
        let properties = style.map { "<w:pPr><w:pStyle w:val=\"\($0)\"/></w:pPr>" } ?? ""
        return "<w:p>\(properties)<w:r><w:t xml:space=\"preserve\">\(text)</w:t></w:r></w:p>"
    }

    static func row(_ cells: [String]) -> String {
        "<w:tr>" + cells.map { "<w:tc>\(paragraph($0))</w:tc>" }.joined() + "</w:tr>"
    }

    /// A heading, two paragraphs and a table with a header row.
    static func withTable() -> [UInt8] {
        ZipWriter.docx(bodyXML: paragraph("Installation manual", style: "Heading1")
            + paragraph("Mount the unit on a dry wall, away from heat.")
            + paragraph("Connect it to a grounded outlet before switching on.")
            + "<w:tbl>" + row(["Setting", "Voltage"]) + row(["Europe", "230 V"]) + row(["USA", "120 V"]) + "</w:tbl>")
    }

    /// 300 MB of zeros deflated into word/document.xml: under 1 MB on the wire.
    static func zipBomb() -> [UInt8] {
        let zeros = ZipWriter.deflatedZeros(count: 300 << 20)
        return ZipWriter.archive(raw: [
            .init(name: "[Content_Types].xml", method: 0, data: Array("<Types/>".utf8), crc32: ZipWriter.crc32(Array("<Types/>".utf8)),
                  uncompressedSize: 8),
            .init(name: "word/document.xml", method: 8, data: zeros.data, crc32: zeros.crc32, uncompressedSize: 300 << 20),
        ])
    }

    /// A zip with a DOCX's name and content types but no word/document.xml.
    static func withoutDocumentXML() -> [UInt8] {
        ZipWriter.archive([(name: "[Content_Types].xml", bytes: Array("<Types/>".utf8), deflate: false),
                           (name: "word/styles.xml", bytes: Array("<w:styles/>".utf8), deflate: true)])
    }
}
