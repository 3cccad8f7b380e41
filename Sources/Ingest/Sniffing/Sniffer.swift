internal import CMagic

/// What libmagic says a buffer is: the MIME type and the human description (`ELF 64-bit LSB pie
/// executable, …`), which rejection messages quote.
public struct SniffedType: Sendable, Equatable {
    public let mimeType: String
    public let description: String

    public init(mimeType: String, description: String) {
        self.mimeType = mimeType
        self.description = description
    }
}

/// Asks libmagic what bytes are. It owns two `magic_t` cookies (one answering MIME types, one
/// descriptions), loaded from the system database on first use and closed in `deinit`.
///
/// Thread rule: a `magic_t` is not safe to share between threads (libmagic keeps per-cookie state
/// and error buffers), so each worker thread owns its own Sniffer; deliberately not Sendable.
public final class Sniffer {
    /// libmagic looks at no more than this of a file by default, and scanning further would only
    /// slow uploads; the parsers validate the rest.
    public static let sampleBytes = 1 << 20

    private var mimeCookie: magic_t?
    private var descriptionCookie: magic_t?

    public init() {}

    deinit {
        if let mimeCookie { magic_close(mimeCookie) }
        if let descriptionCookie { magic_close(descriptionCookie) }
    }

    /// libmagic's verdict on the first `sampleBytes` of `bytes`.
    public func sniff(_ bytes: some Collection<UInt8>) throws(SniffError) -> SniffedType {
        let sample = Array(bytes.prefix(Self.sampleBytes))
        let mime = try query(&mimeCookie, flags: MAGIC_MIME_TYPE, sample)
        let description = try query(&descriptionCookie, flags: MAGIC_NONE, sample)
        return SniffedType(mimeType: mime, description: description)
    }

    private func query(_ cookie: inout magic_t?, flags: Int32, _ sample: [UInt8]) throws(SniffError) -> String {
        if cookie == nil {
            guard let opened = magic_open(flags) else { throw SniffError("libmagic could not be initialised") }
            // NULL loads the system's compiled database (/usr/share/misc/magic.mgc).
            guard magic_load(opened, nil) == 0 else {
                let message = magic_error(opened).map { String(cString: $0) } ?? "unknown error"
                magic_close(opened)
                throw SniffError("libmagic could not load its database: \(message)")
            }
            cookie = opened
        }
        guard let cookie else { throw SniffError("libmagic is not available") }
        let answer = sample.withUnsafeBytes { magic_buffer(cookie, $0.baseAddress, $0.count) }
        guard let answer else {
            let message = magic_error(cookie).map { String(cString: $0) } ?? "unknown error"
            throw SniffError("libmagic failed: \(message)")
        }
        return String(cString: answer)
    }
}

/// libmagic itself failed (no database installed): an operator problem, not the client's.
public struct SniffError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
