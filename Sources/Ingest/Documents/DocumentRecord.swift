import FoundationEssentials
import HTTP
import Store

/// A document as the API shows it: the document's own fields plus the state of its newest
/// version (what the tenant is waiting for), and which version currently answers.
public struct DocumentRecord: Sendable, Encodable {
    public enum Status: String, Sendable, Codable, CaseIterable { case queued, processing, ready, failed }

    public let id: String
    public let collection: String
    public let visibility: String
    public let title: String?
    public let sourceURL: String?
    public let metadata: JSONValue
    public let version: Int
    public let activeVersion: Int?
    public let filename: String
    public let format: String
    public let mediaType: String
    public let byteSize: Int64
    public let sha256: String
    public let status: Status
    public let stage: String?
    public let progress: Int
    public let attempts: Int
    public let error: String?
    public let chunkCount: Int?
    public let pages: Int?
    public let timings: JSONValue
    public let createdAt: Date
    public let updatedAt: Date
    public let queuedAt: Date
    public let startedAt: Date?
    public let finishedAt: Date?

    /// The columns `init(row:)` reads, for `d` documents, `v` the newest version, `c` collections.
    static let columns: SQL = """
        d.id, c.name AS collection, c.visibility, d.title, d.source_url, d.metadata::text AS metadata,
        d.latest_version, d.active_version, v.filename, v.format, v.media_type, v.byte_size, v.sha256,
        v.status, v.stage, v.progress, v.attempts, v.error, v.chunk_count, v.pages, v.timings::text AS timings,
        d.created_at, d.updated_at, v.queued_at, v.started_at, v.finished_at
        """
    static let from: SQL = """
        documents d
        JOIN collections c ON c.id = d.collection_id AND c.tenant_id = d.tenant_id
        JOIN document_versions v ON v.document_id = d.id AND v.version = d.latest_version AND v.tenant_id = d.tenant_id
        """

    init(row: Row) throws {
        id = try row.string("id")
        collection = try row.string("collection")
        visibility = try row.string("visibility")
        title = try row.optionalString("title")
        sourceURL = try row.optionalString("source_url")
        metadata = try JSON.decode(JSONValue.self, from: Array(try row.string("metadata").utf8))
        version = try row.int("latest_version")
        activeVersion = try row.optionalInt("active_version")
        filename = try row.string("filename")
        format = try row.string("format")
        mediaType = try row.string("media_type")
        byteSize = try row.int64("byte_size")
        sha256 = Self.hex(try row.bytes("sha256"))
        status = Status(rawValue: try row.string("status")) ?? .failed
        stage = try row.optionalString("stage")
        progress = try row.int("progress")
        attempts = try row.int("attempts")
        error = try row.optionalString("error")
        chunkCount = try row.optionalInt("chunk_count")
        pages = try row.optionalInt("pages")
        timings = try JSON.decode(JSONValue.self, from: Array(try row.string("timings").utf8))
        createdAt = try row.date("created_at")
        updatedAt = try row.date("updated_at")
        queuedAt = try row.date("queued_at")
        startedAt = try row.optionalDate("started_at")
        finishedAt = try row.optionalDate("finished_at")
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    enum CodingKeys: String, CodingKey {
        case id, collection, visibility, title, metadata, version, filename, format, status, stage, progress
        case attempts, error, pages, timings, sha256, links
        case sourceURL = "source_url", activeVersion = "active_version", mediaType = "media_type"
        case byteSize = "byte_size", chunkCount = "chunk_count", createdAt = "created_at", updatedAt = "updated_at"
        case queuedAt = "queued_at", startedAt = "started_at", finishedAt = "finished_at"
    }

    /// Every field is always present (null when unset), so clients see one shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(collection, forKey: .collection)
        try c.encode(visibility, forKey: .visibility)
        try c.encode(title, forKey: .title)
        try c.encode(sourceURL, forKey: .sourceURL)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(status.rawValue, forKey: .status)
        try c.encode(stage, forKey: .stage)
        try c.encode(progress, forKey: .progress)
        try c.encode(error, forKey: .error)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(version, forKey: .version)
        try c.encode(activeVersion, forKey: .activeVersion)
        try c.encode(filename, forKey: .filename)
        try c.encode(format, forKey: .format)
        try c.encode(mediaType, forKey: .mediaType)
        try c.encode(byteSize, forKey: .byteSize)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(chunkCount, forKey: .chunkCount)
        try c.encode(pages, forKey: .pages)
        try c.encode(timings, forKey: .timings)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(queuedAt, forKey: .queuedAt)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(["self": "/v1/documents/\(id)", "chunks": "/v1/documents/\(id)/chunks"], forKey: .links)
    }
}
