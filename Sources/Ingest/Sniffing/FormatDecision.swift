/// Why an upload is refused before it is stored. The API answers 422 for `.empty` and 415 for the
/// others, quoting `message`.
public enum UploadRejection: Error, Equatable, Sendable {
    case empty
    case unsupported(sniffed: SniffedType, message: String)

    public var message: String {
        switch self {
        case .empty: "The file is empty."
        case .unsupported(_, let message): message
        }
    }
}

/// Decides an upload's format from what libmagic found in its bytes. The file name only chooses
/// between formats the bytes allow (a text file named `.csv` is CSV) and is never trusted over
/// the bytes: a name that claims another kind of file than the content is refused, so an ELF
/// renamed `report.pdf` never reaches a parser.
public enum FormatDecision {
    /// Extensions Parley knows, and the family of content each promises.
    private static let textExtensions: [String: DocumentFormat] = [
        "txt": .text, "text": .text, "log": .text, "md": .markdown, "markdown": .markdown,
        "html": .html, "htm": .html, "xhtml": .html, "csv": .csv, "tsv": .tsv, "tab": .tsv,
        "json": .json, "jsonl": .jsonl, "ndjson": .jsonl,
    ]
    private static let binaryExtensions: [String: DocumentFormat] = ["pdf": .pdf, "docx": .docx]

    public static func decide(sniffed: SniffedType, filename: String, byteCount: Int) -> Result<DocumentFormat, UploadRejection> {
        if byteCount == 0 || sniffed.mimeType == "inode/x-empty" || sniffed.mimeType == "application/x-empty" {
            return .failure(.empty)
        }
        let fileExtension = Self.fileExtension(of: filename)
        let claimed = fileExtension.flatMap { textExtensions[$0] ?? binaryExtensions[$0] }
        let mime = sniffed.mimeType
        func refuse(_ why: String) -> Result<DocumentFormat, UploadRejection> {
            .failure(.unsupported(sniffed: sniffed, message: "\(why) (sniffed type: \(mime), \(sniffed.description))."))
        }
        func contradiction(_ kind: String) -> Result<DocumentFormat, UploadRejection> {
            refuse("The file is named '.\(fileExtension ?? "")' but its content is \(kind)")
        }

        switch mime {
        case "application/pdf":
            guard claimed == nil || claimed == .pdf else { return contradiction("a PDF") }
            return .success(.pdf)
        case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
            guard claimed == nil || claimed == .docx else { return contradiction("a DOCX document") }
            return .success(.docx)
        case "application/zip" where claimed == .docx:
            // libmagic names a DOCX only when [Content_Types].xml and word/ come first in the zip;
            // other writers order entries differently. The DOCX parser checks the inside.
            return .success(.docx)
        default:
            break
        }
        if isExecutable(mime) {
            return refuse(claimed == nil ? "Executables are not accepted" : "The file is named '.\(fileExtension ?? "")' but it is an executable")
        }
        if mime.hasPrefix("image/") {
            return refuse("Images are not accepted: Parley reads text, and does not do OCR")
        }
        if isArchive(mime) {
            return refuse("Archives are not accepted (except DOCX); upload the files inside one by one")
        }
        if mime.hasPrefix("text/") || mime == "application/json" || mime == "application/x-ndjson" || mime == "application/xml" {
            if let claimed {
                guard textExtensions[fileExtension ?? ""] != nil else { return contradiction("text") }
                return .success(claimed)
            }
            switch mime {
            case "text/html", "application/xhtml+xml": return .success(.html)
            case "text/csv": return .success(.csv)
            case "text/tab-separated-values": return .success(.tsv)
            case "application/json": return .success(.json)
            case "application/x-ndjson": return .success(.jsonl)
            case "text/markdown": return .success(.markdown)
            case "application/xml", "text/xml": return refuse("XML files are not accepted; export the content as HTML, text or JSON")
            default: return .success(.text)
            }
        }
        if mime == "application/octet-stream" {
            return refuse("The content is not a format Parley reads (unrecognised binary data)")
        }
        return refuse("This file type is not accepted; Parley reads PDF, DOCX, text, Markdown, HTML, CSV, TSV, JSON and JSON Lines")
    }

    /// The lower-cased extension after the last dot of the last path component, if any.
    public static func fileExtension(of filename: String) -> String? {
        let name = filename.split(separator: "/").last.map(String.init) ?? filename
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...].lowercased()
        return ext.isEmpty ? nil : ext
    }

    private static func isExecutable(_ mime: String) -> Bool {
        mime.hasPrefix("application/x-executable") || mime.hasPrefix("application/x-pie-executable")
            || mime.hasPrefix("application/x-sharedlib") || mime.hasPrefix("application/x-mach-binary")
            || mime.hasPrefix("application/x-dosexec") || mime.hasPrefix("application/vnd.microsoft.portable-executable")
            || mime.hasPrefix("application/x-msdownload") || mime.hasPrefix("application/java-archive")
            || mime.hasPrefix("application/x-object") || mime.hasPrefix("application/x-coredump")
            || mime == "text/x-shellscript" || mime.hasPrefix("text/x-script.") || mime == "application/x-sh"
            || mime == "text/x-perl" || mime == "text/x-python" || mime == "text/x-ruby"
    }

    private static func isArchive(_ mime: String) -> Bool {
        ["application/zip", "application/x-tar", "application/gzip", "application/x-gzip", "application/x-bzip2",
         "application/x-xz", "application/x-7z-compressed", "application/x-rar", "application/vnd.rar",
         "application/x-rar-compressed", "application/zstd", "application/x-lzma", "application/x-compress",
         "application/x-iso9660-image", "application/x-cpio", "application/x-archive", "application/vnd.debian.binary-package",
         "application/x-rpm"].contains(mime)
    }
}
