/// Writes small, valid PDF 1.4 files in memory for tests: text pages in Helvetica, an encrypted
/// variant, truncated copies and image-only pages. Pure Swift, no dependencies, deterministic
/// output (the same input gives the same bytes), so tests never need fixture files.
///
/// Pages are US Letter (612 x 792 pt). Lines start at the top margin and move down by 1.25 times
/// their font size; an empty line (`Line.gap`) only adds vertical space, which is how tests make
/// paragraph breaks. Lines that do not fit the page are still written (below the bottom margin):
/// keep pages under about 45 lines of 11 pt text.
public enum PDFBuilder {
    /// One line of text drawn at the left margin in Helvetica at `size` points.
    public struct Line: Sendable, Equatable {
        public var text: String
        public var size: Double

        public init(_ text: String, size: Double = 11) {
            self.text = text
            self.size = size
        }

        /// Vertical space of one body line and no text: a paragraph break.
        public static let gap = Line("")
    }

    /// A two-page document: page 1 has a 20 pt heading and two paragraphs (the first wrapping
    /// over two lines with a hyphenated word), page 2 a 15 pt heading, a paragraph and a line
    /// holding only the page number.
    public static let samplePages: [[Line]] = [
        [
            Line("Getting Started", size: 20),
            Line.gap,
            Line("Parley answers questions from your documents. It reads every exam-"),
            Line("ple you upload and keeps the page numbers."),
            Line.gap,
            Line("Uploads are processed in the background (usually within a minute)."),
        ],
        [
            Line("Billing and Plans", size: 15),
            Line.gap,
            Line("Invoices are sent on the first day of each month."),
            Line.gap,
            Line("2"),
        ],
    ]

    /// `samplePages` as a PDF.
    public static func sample() -> [UInt8] { document(pages: samplePages) }

    /// A text PDF with one page per element of `pages`.
    public static func document(pages: [[Line]]) -> [UInt8] {
        var writer = Writer()
        writeTextPages(pages, into: &writer)
        return writer.finish(trailerExtra: "")
    }

    /// A text PDF that declares the Standard security handler (V1, R2, RC4 40-bit) with O and U
    /// entries that no password produces, so readers report it as encrypted and ask for a
    /// password instead of opening it. The page content is left in clear text: no reader gets
    /// that far.
    public static func encrypted(pages: [[Line]] = samplePages) -> [UInt8] {
        var writer = Writer()
        writeTextPages(pages, into: &writer)
        let owner = String(repeating: "5A", count: 32)
        let user = String(repeating: "C3", count: 32)
        let encrypt = writer.add("<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 /O <\(owner)> /U <\(user)> >>")
        let id = "<0123456789ABCDEF0123456789ABCDEF>"
        return writer.finish(trailerExtra: " /Encrypt \(encrypt) 0 R /ID [\(id) \(id)]")
    }

    /// The first `fraction` (0...1) of `pdf`, as an interrupted upload would leave it.
    public static func truncated(_ pdf: [UInt8], keeping fraction: Double) -> [UInt8] {
        let kept = Int((Double(pdf.count) * min(1, max(0, fraction))).rounded(.down))
        return Array(pdf.prefix(kept))
    }

    /// A PDF whose pages only draw an image (an 8 x 8 grey checkerboard), with no text operators,
    /// like a scanned document without OCR.
    public static func imageOnly(pages: Int = 1) -> [UInt8] {
        var writer = Writer()
        let pagesID = writer.reserve()
        writer.set(1, "<< /Type /Catalog /Pages \(pagesID) 0 R >>")
        var pixels: [UInt8] = []
        for row in 0..<8 { for column in 0..<8 { pixels.append((row + column) % 2 == 0 ? 0x20 : 0xE0) } }
        let image = writer.addStream(
            dictionary: "/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8",
            data: pixels)
        var kids: [Int] = []
        for _ in 0..<max(0, pages) {
            let content = writer.addStream(dictionary: "", data: Array("q 360 0 0 360 126 216 cm /Im1 Do Q\n".utf8))
            kids.append(writer.add(
                "<< /Type /Page /Parent \(pagesID) 0 R /MediaBox [0 0 612 792] "
                    + "/Resources << /XObject << /Im1 \(image) 0 R >> >> /Contents \(content) 0 R >>"))
        }
        writer.set(pagesID, pagesDictionary(kids))
        return writer.finish(trailerExtra: "")
    }

    // MARK: - Pages

    private static func writeTextPages(_ pages: [[Line]], into writer: inout Writer) {
        let pagesID = writer.reserve()
        writer.set(1, "<< /Type /Catalog /Pages \(pagesID) 0 R >>")
        let font = writer.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        var kids: [Int] = []
        for lines in pages {
            let content = writer.addStream(dictionary: "", data: contentStream(lines))
            kids.append(writer.add(
                "<< /Type /Page /Parent \(pagesID) 0 R /MediaBox [0 0 612 792] "
                    + "/Resources << /Font << /F1 \(font) 0 R >> >> /Contents \(content) 0 R >>"))
        }
        writer.set(pagesID, pagesDictionary(kids))
    }

    private static func pagesDictionary(_ kids: [Int]) -> String {
        "<< /Type /Pages /Kids [\(kids.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(kids.count) >>"
    }

    private static func contentStream(_ lines: [Line]) -> [UInt8] {
        var out: [UInt8] = []
        var baseline = 792.0 - 72
        for line in lines {
            baseline -= line.size * 1.25
            if line.text.isEmpty { continue }
            out += Array("BT /F1 \(number(line.size)) Tf 72 \(number(baseline)) Td (".utf8)
            out += escapedWinAnsi(line.text)
            out += Array(") Tj ET\n".utf8)
        }
        return out
    }

    /// Fixed-point with two decimals: PDF numbers have no exponent form.
    private static func number(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// `text` in WinAnsiEncoding inside a literal string: ( ) \ escaped, bytes outside printable
    /// ASCII written as octal escapes, characters WinAnsi lacks written as "?".
    private static func escapedWinAnsi(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for scalar in text.unicodeScalars {
            let byte = winAnsi(scalar)
            switch byte {
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"):
                out += [UInt8(ascii: "\\"), byte]
            case 0x20...0x7E:
                out.append(byte)
            default:
                out += [UInt8(ascii: "\\"), 0x30 + (byte >> 6), 0x30 + ((byte >> 3) & 7), 0x30 + (byte & 7)]
            }
        }
        return out
    }

    private static let winAnsiHigh: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87,
        0x02C6: 0x88, 0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91,
        0x2019: 0x92, 0x201C: 0x93, 0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98,
        0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B, 0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]

    private static func winAnsi(_ scalar: Unicode.Scalar) -> UInt8 {
        switch scalar.value {
        case 0x20...0x7E, 0xA0...0xFF: UInt8(scalar.value)
        default: winAnsiHigh[scalar.value] ?? UInt8(ascii: "?")
        }
    }
}

/// Collects numbered objects and writes them with a cross-reference table whose offsets are the
/// exact byte positions of each "N 0 obj". Object 1 is always the catalog.
private struct Writer {
    private var bodies: [[UInt8]] = [[]]

    /// Allocates the next object number to fill in later with `set`.
    mutating func reserve() -> Int {
        bodies.append([])
        return bodies.count
    }

    mutating func set(_ id: Int, _ body: String) { bodies[id - 1] = Array(body.utf8) }

    mutating func add(_ body: String) -> Int {
        bodies.append(Array(body.utf8))
        return bodies.count
    }

    mutating func addStream(dictionary: String, data: [UInt8]) -> Int {
        var body = Array("<< \(dictionary) /Length \(data.count) >>\nstream\n".utf8)
        body += data
        body += Array("\nendstream".utf8)
        bodies.append(body)
        return bodies.count
    }

    func finish(trailerExtra: String) -> [UInt8] {
        // The second line's high bytes mark the file as binary for transfer tools.
        var out: [UInt8] = Array("%PDF-1.4\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        var offsets: [Int] = []
        for (index, body) in bodies.enumerated() {
            offsets.append(out.count)
            out += Array("\(index + 1) 0 obj\n".utf8)
            out += body
            out += Array("\nendobj\n".utf8)
        }
        let xref = out.count
        out += Array("xref\n0 \(bodies.count + 1)\n0000000000 65535 f \n".utf8)
        for offset in offsets {
            let digits = String(offset)
            out += Array((String(repeating: "0", count: max(0, 10 - digits.count)) + digits + " 00000 n \n").utf8)
        }
        out += Array("trailer\n<< /Size \(bodies.count + 1) /Root 1 0 R\(trailerExtra) >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return out
    }
}
