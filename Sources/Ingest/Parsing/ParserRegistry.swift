/// The parser for each format: one place, so the job and the benchmarks agree.
public enum ParserRegistry {
    public static func parser(for format: DocumentFormat) -> any DocumentParser {
        switch format {
        case .pdf: PDFParser()
        case .docx: DocxParser()
        case .html: HTMLParser()
        case .text: PlainTextParser()
        case .markdown: MarkdownParser()
        case .csv: DelimitedParser(delimiter: UInt8(ascii: ","))
        case .tsv: DelimitedParser(delimiter: UInt8(ascii: "\t"))
        case .json: JSONRecordsParser(lines: false)
        case .jsonl: JSONRecordsParser(lines: true)
        }
    }
}
