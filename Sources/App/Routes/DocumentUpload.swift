import HTTP
import Ingest
import Tenancy

/// Reads an upload (multipart/form-data or a raw body), sniffs every file and turns it into
/// `Upload`s, or refuses the whole request with the problem of the first bad file. Nothing is
/// stored here; nothing slow happens here.
struct DocumentUpload {
    /// Collection, title, source URL and metadata, from form fields or query parameters.
    var collection: String?
    var files: [Upload]

    /// Multipart boundaries and part headers around the files; allowed on top of the plan's limit.
    static let envelopeBytes = 64 * 1024

    static func read(_ request: Request, context: TenantContext, requireSingleFile: Bool) throws -> DocumentUpload {
        let limits = context.principal.tenant.limits
        let limit = Int(min(Int64(context.base.configuration.maxUploadBytes), limits.maxUploadBytes))
        let contentType = request.header("content-type")
        let isMultipart = contentType?.lowercased().hasPrefix("multipart/form-data") ?? false
        let body: [UInt8]
        do {
            body = try context.base.readBody(limit: isMultipart ? limit + envelopeBytes : limit)
        } catch let problem as Problem where problem.status == 413 {
            throw tooLarge(limit: limit, plan: context.principal.tenant.plan)
        }

        var fields: [String: String] = request.query
        var files: [(name: String, bytes: ArraySlice<UInt8>)] = []
        if isMultipart {
            for part in try Multipart.parse(body, contentType: contentType) {
                if let filename = part.filename {
                    files.append((filename, body[part.content]))
                } else {
                    fields[part.name] = String(decoding: body[part.content], as: UTF8.self)
                }
            }
            guard !files.isEmpty else {
                throw Problem.unprocessable("The form has no file: send each document as a part with a filename.")
            }
        } else {
            let filename = fields["filename"] ?? filenameFromDisposition(request.header("content-disposition")) ?? "upload"
            files = [(filename, body[...])]
        }
        if requireSingleFile, files.count != 1 {
            throw Problem.unprocessable("Send exactly one file to replace a document's content.")
        }

        let metadata = try fields["metadata"].map(parseMetadata)
        var uploads: [Upload] = []
        for file in files {
            guard file.bytes.count <= limit else { throw tooLarge(limit: limit, plan: context.principal.tenant.plan) }
            let sniffed: SniffedType
            do {
                sniffed = try context.base.sniffer.sniff(file.bytes)
            } catch {
                throw Problem(status: 500, type: "internal", title: "Internal error", detail: "File type detection is unavailable: \(error).")
            }
            switch FormatDecision.decide(sniffed: sniffed, filename: file.name, byteCount: file.bytes.count) {
            case .success(let format):
                uploads.append(Upload(filename: file.name, format: format, bytes: file.bytes, title: nonEmpty(fields["title"]),
                                      sourceURL: nonEmpty(fields["source_url"]), metadata: metadata))
            case .failure(.empty):
                throw Problem.unprocessable("'\(file.name)' is empty.", type: "empty-file")
            case .failure(let rejection):
                var problem = Problem.unsupportedMediaType("'\(file.name)': \(rejection.message)")
                problem.extensions.append(("sniffed_type", .string(sniffed.mimeType)))
                throw problem
            }
        }
        if let title = uploads.first?.title, title.count > 500 { throw Problem.unprocessable("title is limited to 500 characters.") }
        if let url = uploads.first?.sourceURL, url.count > 2000 || !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            throw Problem.unprocessable("source_url must be an http(s) URL of at most 2000 characters.")
        }
        return DocumentUpload(collection: nonEmpty(fields["collection"]), files: uploads)
    }

    private static func tooLarge(limit: Int, plan: String) -> Problem {
        Problem(status: 413, type: "payload-too-large", title: "Payload too large",
                detail: "The '\(plan)' plan accepts files up to \(megabytes(limit)); this upload is larger.")
    }

    private static func megabytes(_ bytes: Int) -> String {
        bytes % 1_048_576 == 0 ? "\(bytes / 1_048_576) MiB" : "\(bytes) bytes"
    }

    private static func parseMetadata(_ text: String) throws -> JSONValue {
        let value = try JSON.decode(JSONValue.self, from: Array(text.utf8))
        guard case .object = value else { throw Problem.unprocessable("metadata must be a JSON object.") }
        return value
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text = text?.trimmingWhitespace(), !text.isEmpty else { return nil }
        return text
    }

    /// `attachment; filename="report.pdf"` (the raw-body way to name a file).
    static func filenameFromDisposition(_ header: String?) -> String? {
        guard let header else { return nil }
        for parameter in header.split(separator: ";") {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingWhitespace().lowercased() == "filename" else { continue }
            var value = pair[1].trimmingWhitespace()
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty ? nil : value
        }
        return nil
    }
}
