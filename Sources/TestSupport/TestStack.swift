public import HTTP
internal import Glibc

/// The running stack `scripts/test` started (nginx → FastCGI pool → PostgreSQL), read from its
/// environment. Integration tests are `.enabled(if: TestStack.isRunning)`.
///
/// - `PARLEY_TEST_BASE_URL`: nginx, e.g. `http://127.0.0.1:41234`
/// - `PARLEY_TEST_LOG`: the pool's stderr (the JSON request log)
public enum TestStack {
    public static var baseURL: String? { variable("PARLEY_TEST_BASE_URL") }
    public static var logPath: String? { variable("PARLEY_TEST_LOG") }
    public static var isRunning: Bool { baseURL != nil && TestDatabase.isConfigured }

    /// One request through nginx.
    /// `from`: a loopback source address (127.0.0.x) to appear as a client of its own to nginx's
    /// per-IP rate limits, so tests of the public endpoints do not share one budget.
    public static func send(_ method: String, _ path: String, headers: [(String, String)] = [],
                            body: [UInt8]? = nil, from localAddress: String? = nil) throws -> HTTPClient.Reply {
        guard let baseURL else { throw TestDatabase.NotConfigured(variable: "PARLEY_TEST_BASE_URL") }
        return try HTTPClient.send(method: method, url: baseURL + path, headers: headers, body: body, timeoutSeconds: 15,
                                   localAddress: localAddress)
    }

    public static func send(_ method: String, _ path: String, key: String, json: String? = nil) throws -> HTTPClient.Reply {
        var headers = [("Authorization", "Bearer \(key)")]
        if json != nil { headers.append(("Content-Type", "application/json")) }
        return try send(method, path, headers: headers, body: json.map { Array($0.utf8) })
    }

    /// The pool's log so far, for checks that secrets never reach it.
    public static func logContents() -> String {
        guard let logPath, let file = fopen(logPath, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func variable(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}
