internal import CZlib

/// Builds ZIP archives in memory for tests of the ZIP reader and the DOCX parser: stored and
/// deflated entries, true CRC-32s, and (for the zip-bomb tests) entries whose declared size lies.
///
/// Tests only: no ZIP64, no data descriptors, no timestamps (all zero).
public enum ZipWriter {
    /// One entry, already compressed: `archive(raw:)` writes exactly what it is told.
    public struct RawEntry: Sendable {
        public var name: String
        /// 0 stored, 8 deflate.
        public var method: UInt16
        public var data: [UInt8]
        public var crc32: UInt32
        public var uncompressedSize: Int
        public var flags: UInt16

        public init(name: String, method: UInt16, data: [UInt8], crc32: UInt32, uncompressedSize: Int, flags: UInt16 = 0) {
            self.name = name
            self.method = method
            self.data = data
            self.crc32 = crc32
            self.uncompressedSize = uncompressedSize
            self.flags = flags
        }
    }

    /// An archive of the given files, each stored or deflated.
    public static func archive(_ entries: [(name: String, bytes: [UInt8], deflate: Bool)]) -> [UInt8] {
        archive(raw: entries.map { entry in
            RawEntry(name: entry.name, method: entry.deflate ? 8 : 0,
                     data: entry.deflate ? deflate(entry.bytes) : entry.bytes,
                     crc32: crc32(entry.bytes), uncompressedSize: entry.bytes.count)
        })
    }

    /// An archive of entries exactly as given (sizes and CRCs unchecked), with an optional comment.
    public static func archive(raw entries: [RawEntry], comment: [UInt8] = []) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for entry in entries {
            let name = Array(entry.name.utf8)
            let offset = out.count
            append32(&out, 0x0403_4b50)
            append16(&out, 20)
            append16(&out, entry.flags)
            append16(&out, entry.method)
            append16(&out, 0)
            append16(&out, 0)
            append32(&out, entry.crc32)
            append32(&out, UInt32(entry.data.count))
            append32(&out, UInt32(truncatingIfNeeded: entry.uncompressedSize))
            append16(&out, UInt16(name.count))
            append16(&out, 0)
            out += name
            out += entry.data

            append32(&central, 0x0201_4b50)
            append16(&central, 20)
            append16(&central, 20)
            append16(&central, entry.flags)
            append16(&central, entry.method)
            append16(&central, 0)
            append16(&central, 0)
            append32(&central, entry.crc32)
            append32(&central, UInt32(entry.data.count))
            append32(&central, UInt32(truncatingIfNeeded: entry.uncompressedSize))
            append16(&central, UInt16(name.count))
            append16(&central, 0)
            append16(&central, 0)
            append16(&central, 0)
            append16(&central, 0)
            append32(&central, 0)
            append32(&central, UInt32(offset))
            central += name
        }
        let centralOffset = out.count
        out += central
        append32(&out, 0x0605_4b50)
        append16(&out, 0)
        append16(&out, 0)
        append16(&out, UInt16(entries.count))
        append16(&out, UInt16(entries.count))
        append32(&out, UInt32(central.count))
        append32(&out, UInt32(centralOffset))
        append16(&out, UInt16(comment.count))
        out += comment
        return out
    }

    /// Raw deflate (no zlib header), as ZIP stores it.
    public static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var input = bytes
        return deflateStream { feed in
            input.withUnsafeMutableBufferPointer { feed($0, true) }
        }
    }

    /// `count` zero bytes, deflated piece by piece so the zeros are never all in memory: the
    /// zip-bomb payload. Returns the compressed bytes and the CRC-32 of the zeros.
    public static func deflatedZeros(count: Int) -> (data: [UInt8], crc32: UInt32) {
        var zeros = [UInt8](repeating: 0, count: 1 << 20)
        var crc = CZlib.crc32(0, nil, 0)
        var remaining = count
        let data = deflateStream { feed in
            repeat {
                let piece = min(remaining, zeros.count)
                remaining -= piece
                zeros.withUnsafeMutableBufferPointer { buffer in
                    crc = CZlib.crc32(crc, buffer.baseAddress, uInt(piece))
                    feed(UnsafeMutableBufferPointer(rebasing: buffer[0..<piece]), remaining == 0)
                }
            } while remaining > 0
        }
        return (data, UInt32(truncatingIfNeeded: crc))
    }

    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(truncatingIfNeeded: CZlib.crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }

    /// Runs one deflate stream; `produce` hands pieces of input to `feed`, saying which is last.
    private static func deflateStream(
        _ produce: ((UnsafeMutableBufferPointer<UInt8>, Bool) -> Void) -> Void
    ) -> [UInt8] {
        var stream = z_stream()
        guard parley_deflate_init_raw(&stream, 9) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var out: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 64 << 10)
        produce { piece, last in
            stream.next_in = piece.baseAddress
            stream.avail_in = uInt(piece.count)
            scratch.withUnsafeMutableBufferPointer { buffer in
                repeat {
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    let status = CZlib.deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH)
                    out.append(contentsOf: buffer[0..<(buffer.count - Int(stream.avail_out))])
                    if status == Z_STREAM_END || status < 0 { break }
                } while stream.avail_out == 0 || last
            }
        }
        return out
    }

    private static func append16(_ out: inout [UInt8], _ value: UInt16) {
        out.append(UInt8(value & 0xFF))
        out.append(UInt8(value >> 8))
    }

    private static func append32(_ out: inout [UInt8], _ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }
}

extension ZipWriter {
    /// The WordprocessingML namespace, for tests writing their own document.xml.
    public static let wordNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    /// A minimal valid .docx whose `<w:body>` holds `bodyXML` (paragraphs, tables, with the `w:`
    /// prefix), with styles Title, Heading1, Heading2 and ListBullet defined in word/styles.xml.
    /// `styles: false` leaves styles.xml out; `extraEntries` adds parts (or replaces none).
    public static func docx(bodyXML: String, styles: Bool = true,
                            extraEntries: [(name: String, bytes: [UInt8], deflate: Bool)] = []) -> [UInt8] {
        let document = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:document xmlns:w="\(wordNamespace)" \
            xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>\(bodyXML)</w:body></w:document>
            """
        var entries: [(name: String, bytes: [UInt8], deflate: Bool)] = [
            ("[Content_Types].xml", Array(contentTypes(styles: styles).utf8), true),
            ("_rels/.rels", Array(packageRelationships.utf8), true),
            ("word/document.xml", Array(document.utf8), true),
        ]
        if styles { entries.append(("word/styles.xml", Array(stylesXML.utf8), false)) }
        return archive(entries + extraEntries)
    }

    private static func contentTypes(styles: Bool) -> String {
        let stylesOverride = styles
            ? "<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
            : ""
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/word/document.xml" \
            ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>\
            \(stylesOverride)</Types>
            """
    }

    private static let packageRelationships = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" \
        Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
        Target="word/document.xml"/></Relationships>
        """

    private static let stylesXML = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:styles xmlns:w="\(wordNamespace)">\
        <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>\
        <w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/></w:style>\
        <w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>\
        <w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>\
        <w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/>\
        <w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>\
        <w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/><w:basedOn w:val="Normal"/>\
        <w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>\
        </w:styles>
        """
}
