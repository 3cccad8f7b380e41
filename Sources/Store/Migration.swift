public import FoundationEssentials
internal import CCrypto

/// One migration file, `NNN_name.sql`: its number, name, text and SHA-256 checksum.
///
/// The checksum covers the file's exact bytes, so any edit after it landed — even whitespace — is
/// caught: a landed migration is history, and a change belongs in a new file.
public struct Migration: Sendable, Hashable {
    public let version: Int
    /// The part between the number and ".sql", e.g. "foundation".
    public let name: String
    public let filename: String
    /// Lowercase hex SHA-256 of the file's bytes.
    public let checksum: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.filename = Self.filename(version: version, name: name)
        self.sql = sql
        self.checksum = Self.sha256Hex(Array(sql.utf8))
    }

    init(filename: String, bytes: [UInt8]) throws(StoreError) {
        guard let (version, name) = Self.parse(filename: filename) else {
            throw StoreError(
                kind: .migration,
                message: "\(filename): migration files must be named NNN_name.sql (digits, underscore, lowercase name)")
        }
        guard let sql = String(validating: bytes, as: UTF8.self) else {
            throw StoreError(kind: .migration, message: "\(filename): not valid UTF-8")
        }
        self.version = version
        self.name = name
        self.filename = filename
        self.sql = sql
        self.checksum = Self.sha256Hex(bytes)
    }

    static func filename(version: Int, name: String) -> String {
        let digits = String(version)
        return String(repeating: "0", count: max(0, 3 - digits.count)) + digits + "_" + name + ".sql"
    }

    /// "001_foundation.sql" → (1, "foundation"). At least three digits, then `_`, then `[a-z0-9_]+`.
    static func parse(filename: String) -> (Int, String)? {
        guard filename.hasSuffix(".sql") else { return nil }
        let stem = filename.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<underscore]
        let name = stem[stem.index(after: underscore)...]
        guard digits.count >= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let version = Int(digits),
            !name.isEmpty,
            name.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" })
        else { return nil }
        return (version, String(name))
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha256(), nil)
        }
        // EVP_Digest fails only on allocation failure; an empty checksum then never matches a
        // recorded one, so the failure surfaces as a refused migration rather than a crash.
        guard ok == 1 else { return "" }
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in digest.prefix(Int(length)) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// A row of `schema_migrations`: what the database says has landed.
public struct AppliedMigration: Sendable, Hashable {
    public let version: Int
    public let name: String
    public let checksum: String
    public let appliedAt: Date
}

/// The database's migrations compared with the directory's, for `parley doctor` and `parley migrate`.
public struct MigrationStatus: Sendable {
    public let applied: [AppliedMigration]
    /// Files not yet applied, in the order they would be.
    public let pending: [Migration]
    /// Reasons migrating is refused: edited, removed, renamed or out-of-order files.
    public let problems: [String]

    public var isUpToDate: Bool { pending.isEmpty && problems.isEmpty }
}
