/// The formats Parley ingests. The format of an upload is decided by sniffing its bytes (see
/// `Sniffer`), never by its name or the client's Content-Type alone.
public enum DocumentFormat: String, Sendable, Codable, CaseIterable {
    case pdf, docx, text, markdown, html, csv, tsv, json, jsonl

    /// The media type Parley reports for documents of this format.
    public var mediaType: String {
        switch self {
        case .pdf: "application/pdf"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .text: "text/plain"
        case .markdown: "text/markdown"
        case .html: "text/html"
        case .csv: "text/csv"
        case .tsv: "text/tab-separated-values"
        case .json: "application/json"
        case .jsonl: "application/jsonl"
        }
    }
}
