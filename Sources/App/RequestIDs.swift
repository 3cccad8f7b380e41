import Tenancy

/// Request ids for requests that arrive without nginx's `$request_id` (e.g. a direct FastCGI probe).
enum RequestIDs {
    static func generate() -> String {
        (try? Crypto.randomBytes(16)).map(Encoding.hex) ?? "unknown"
    }
}
