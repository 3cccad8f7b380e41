internal import CCurl

/// Outbound HTTP through libcurl: one blocking request per call, on the calling thread.
///
/// Thread rule: an easy handle is created and cleaned up inside each call, so calls from different
/// threads never share curl state. `curl_global_init` is not thread-safe; it runs once, guarded by a
/// lazily initialised global (Swift runs those exactly once, with a lock).
public enum HTTPClient {
    public struct Reply: Sendable {
        public let status: Int
        public let headers: [String: String]
        public let body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Performs a request. `maxResponseBytes` bounds memory against a hostile or broken server.
    public static func send(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                            timeoutSeconds: Double = 10, maxResponseBytes: Int = 16 * 1024 * 1024) throws -> Reply {
        guard initialized, let handle = curl_easy_init() else { throw Failure(description: "libcurl could not start") }
        defer { curl_easy_cleanup(handle) }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers { list = curl_slist_append(list, "\(name): \(value)") }
        // An empty Expect stops curl from waiting for `100 Continue` on larger bodies, unless the
        // caller asks for that handshake (to be refused before sending a large body).
        if !headers.contains(where: { $0.0.lowercased() == "expect" }) { list = curl_slist_append(list, "Expect:") }
        defer { curl_slist_free_all(list) }

        let sink = ReplySink(limit: maxResponseBytes)
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }
        _ = parley_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = parley_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        _ = parley_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(timeoutSeconds * 1000))
        _ = parley_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)  // no SIGALRM in a threaded server
        _ = parley_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        if method == "HEAD" { _ = parley_curl_setopt_long(handle, CURLOPT_NOBODY, 1) }
        _ = parley_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, unmanaged.toOpaque())
        _ = parley_curl_setopt_write_function(handle) { data, size, count, user in
            guard let data, let user else { return 0 }
            let sink = Unmanaged<ReplySink>.fromOpaque(user).takeUnretainedValue()
            let length = size * count
            guard sink.body.count + length <= sink.limit else { return 0 }  // aborts the transfer
            sink.body += UnsafeRawBufferPointer(start: data, count: length)
            return length
        }
        _ = parley_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, unmanaged.toOpaque())
        _ = parley_curl_setopt_header_function(handle) { data, size, count, user in
            guard let data, let user else { return 0 }
            let sink = Unmanaged<ReplySink>.fromOpaque(user).takeUnretainedValue()
            sink.addHeaderLine(String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self))
            return size * count
        }

        let code: CURLcode = (body ?? []).withUnsafeBufferPointer { buffer in
            if body != nil {
                _ = parley_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, buffer.count)
                _ = parley_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)))
            }
            return curl_easy_perform(handle)
        }
        guard code == CURLE_OK else {
            throw Failure(description: "\(method) \(url): \(String(cString: curl_easy_strerror(code)))")
        }
        var status = 0
        _ = parley_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return Reply(status: status, headers: sink.headers, body: sink.body)
    }
}

/// Collects one reply. Header lines of earlier responses (redirects, 100 Continue) are discarded
/// when a new status line starts.
private final class ReplySink {
    let limit: Int
    var body: [UInt8] = []
    var headers: [String: String] = [:]

    init(limit: Int) { self.limit = limit }

    func addHeaderLine(_ line: String) {
        if line.hasPrefix("HTTP/") { headers = [:]; return }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t\r\n")
        headers[name] = value
    }
}

private extension Substring {
    func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
