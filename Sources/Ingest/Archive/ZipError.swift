/// Why a ZIP archive cannot be read. Kept apart from `ParseFailure` so the words can name the
/// format the archive carries ("DOCX expands beyond 256 MB..."): `failure(format:)` renders them.
public enum ZipError: Error, Equatable, Sendable {
    case notZip
    case truncated(String)
    case zip64
    case multiDisk
    case missingEntry(String)
    case encrypted(String)
    case unsupportedMethod(String, method: UInt16)
    case corruptData(String)
    case checksumMismatch(String)
    /// One entry inflates past the limit its caller gave.
    case entryTooLarge(String, limit: Int)
    /// All entries together inflate past the archive's total limit.
    case archiveTooLarge(limit: Int)

    /// The reason a tenant admin reads, naming the format (`"DOCX"`) the archive was meant to be.
    public func failure(format: String) -> ParseFailure {
        switch self {
        case .notZip:
            ParseFailure("not a \(format): the file is not a ZIP archive")
        case .truncated(let detail):
            ParseFailure("corrupt \(format): the ZIP archive is damaged or cut short (\(detail))")
        case .zip64:
            ParseFailure("\(format) uses ZIP64 (over 4 GB or 65,535 parts), which is not supported")
        case .multiDisk:
            ParseFailure("\(format) is a split (multi-part) ZIP archive, which is not supported")
        case .missingEntry(let name):
            ParseFailure("not a \(format): zip has no \(name)")
        case .encrypted(let name):
            ParseFailure("encrypted \(format): \(name) is password-protected; save it without a password")
        case .unsupportedMethod(let name, let method):
            ParseFailure("\(format) part \(name) uses ZIP compression method \(method); only stored and deflate are supported")
        case .corruptData(let name):
            ParseFailure("corrupt \(format): \(name) cannot be decompressed")
        case .checksumMismatch(let name):
            ParseFailure("corrupt \(format): \(name) fails its CRC-32 check")
        case .entryTooLarge(let name, let limit):
            ParseFailure("\(format) part \(name) expands beyond \(Self.megabytes(limit)) when decompressed (zip bomb?)")
        case .archiveTooLarge(let limit):
            ParseFailure("\(format) expands beyond \(Self.megabytes(limit)) when decompressed (zip bomb?)")
        }
    }

    private static func megabytes(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MB" : "\(bytes) bytes"
    }
}
