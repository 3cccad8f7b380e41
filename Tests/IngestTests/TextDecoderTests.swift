import Ingest
import Testing

/// Parses `bytes` handed out `pieceSize` bytes at a time, collecting every block. Shared by the
/// text-family parser tests; small piece sizes put a boundary at every byte position.
func textFamilyBlocks(_ parser: some DocumentParser, _ bytes: [UInt8], pieceSize: Int = 1 << 20) throws -> [Block] {
    var source = MemorySource(bytes, pieceSize: pieceSize)
    var blocks: [Block] = []
    _ = try parser.parse(&source) { blocks.append($0) }
    return blocks
}

/// The failure reason `parser` gives for `bytes`, or nil when it parses.
func textFamilyFailure(_ parser: some DocumentParser, _ bytes: [UInt8], pieceSize: Int = 1 << 20) -> String? {
    do {
        _ = try textFamilyBlocks(parser, bytes, pieceSize: pieceSize)
        return nil
    } catch let failure as ParseFailure {
        return failure.reason
    } catch {
        return "unexpected \(error)"
    }
}

@Suite struct TextDecoderTests {
    /// Decodes `bytes` through a source of `pieceSize`-byte pieces.
    private func decode(_ bytes: [UInt8], pieceSize: Int) throws -> (String, TextDecoder.Charset?) {
        var source = MemorySource(bytes, pieceSize: pieceSize)
        var decoder = TextDecoder()
        var out: [UInt8] = []
        while let text = try decoder.nextText(from: &source) {
            #expect(!text.isEmpty)
            out += text
        }
        return (String(decoding: out, as: UTF8.self), decoder.charset)
    }

    @Test(arguments: 1...7)
    func utf8SplitAcrossPiecesDecodesWhole(pieceSize: Int) throws {
        let text = "Grüße, 東京 and 🎉 emoji — naïve café"
        let (decoded, charset) = try decode(Array(text.utf8), pieceSize: pieceSize)
        #expect(decoded == text)
        #expect(charset == .utf8)
    }

    @Test(arguments: 1...7)
    func utf8ByteOrderMarkIsStripped(pieceSize: Int) throws {
        let (decoded, charset) = try decode([0xEF, 0xBB, 0xBF] + Array("héllo".utf8), pieceSize: pieceSize)
        #expect(decoded == "héllo")
        #expect(charset == .utf8)
    }

    @Test(arguments: 1...7)
    func utf16LittleEndianWithBOMDecodesSurrogatePairs(pieceSize: Int) throws {
        let text = "café 🎉\r\nend"
        let bytes: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let (decoded, charset) = try decode(bytes, pieceSize: pieceSize)
        #expect(decoded == "café 🎉\nend")
        #expect(charset == .utf16LE)
    }

    @Test(arguments: 1...7)
    func utf16BigEndianWithBOMDecodes(pieceSize: Int) throws {
        let text = "Zürich 𝄞 ok"
        let bytes: [UInt8] = [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let (decoded, charset) = try decode(bytes, pieceSize: pieceSize)
        #expect(decoded == text)
        #expect(charset == .utf16BE)
    }

    @Test func utf16WithoutBOMIsRecognisedByItsZeroBytes() throws {
        let text = "plain ascii exported by a Windows tool, é"
        let bytes: [UInt8] = text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let (decoded, charset) = try decode(bytes, pieceSize: 3)
        #expect(decoded == text)
        #expect(charset == .utf16LE)
    }

    @Test func unpairedSurrogateBecomesReplacementCharacter() throws {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x3D, 0xD8, 0x41, 0x00]  // high surrogate, then "A"
        let (decoded, _) = try decode(bytes, pieceSize: 1)
        #expect(decoded == "\u{FFFD}A")
    }

    @Test(arguments: 1...7)
    func latin1TextIsReadAsWindows1252(pieceSize: Int) throws {
        let bytes: [UInt8] = [0x63, 0x61, 0x66, 0xE9, 0x20, 0x80, 0x35, 0x20, 0x93, 0x71, 0x94]
        let (decoded, charset) = try decode(bytes, pieceSize: pieceSize)
        #expect(decoded == "café €5 “q”")
        #expect(charset == .windows1252)
    }

    @Test func invalidUTF8AfterTheSampleIsDecodedAsWindows1252() throws {
        var bytes = Array(repeating: UInt8(ascii: "a"), count: TextDecoder.sampleSize + 10)
        bytes += [0xE9, UInt8(ascii: "!"), 0xC3, 0xA9]
        let (decoded, charset) = try decode(bytes, pieceSize: 4096)
        #expect(charset == .utf8)
        #expect(decoded.hasSuffix("aé!é"))
        #expect(decoded.utf8.count == TextDecoder.sampleSize + 10 + 2 + 1 + 2)
    }

    @Test func truncatedSequenceAtTheEndIsKeptAsWindows1252() throws {
        let (decoded, _) = try decode(Array("ok ".utf8) + [0xE2, 0x82], pieceSize: 1)
        // A UTF-8 file cut short: the sample decides Windows-1252, nothing is dropped.
        #expect(decoded == "ok â‚")
    }

    @Test(arguments: 1...3)
    func lineEndsAreNormalizedAndNULsStripped(pieceSize: Int) throws {
        let (decoded, _) = try decode(Array("a\r\nb\rc\n\r\nd\0e\r".utf8), pieceSize: pieceSize)
        #expect(decoded == "a\nb\nc\n\nde\n")
    }

    @Test func emptyInputDecodesToNothing() throws {
        let (decoded, _) = try decode([], pieceSize: 1)
        #expect(decoded.isEmpty)
        #expect(TextDecoder.decode([]).text.isEmpty)
    }
}

@Suite struct TextFamilyRobustnessTests {
    /// Deterministic pseudo-random bytes, mostly the characters these formats give meaning to,
    /// plus invalid UTF-8 and NULs.
    private func noise(seed: UInt64, count: Int) -> [UInt8] {
        let alphabet = Array("\"\\,\t\n\r\r\n[]{}:|#`*_~>-+1. <!---->abcé".utf8) + [0x00, 0xFF, 0xFE, 0xE9, 0xC3, 0xED, 0xA0]
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return alphabet[Int(state >> 33) % alphabet.count]
        }
    }

    @Test func noiseNeverCrashesAnyTextParserAndBlocksAreTrimmed() throws {
        let parsers: [any DocumentParser] = [
            PlainTextParser(), MarkdownParser(), DelimitedParser(delimiter: UInt8(ascii: ",")),
            DelimitedParser(delimiter: 0x09), JSONRecordsParser(lines: false), JSONRecordsParser(lines: true),
        ]
        for seed in 1...40 {
            let bytes = noise(seed: UInt64(seed), count: 50 + seed * 97)
            for parser in parsers {
                for pieceSize in [1, 3, 64, 1 << 20] {
                    let blocks: [Block]
                    do {
                        blocks = try textFamilyBlocks(parser, bytes, pieceSize: pieceSize)
                    } catch is ParseFailure {
                        continue
                    }
                    for block in blocks {
                        #expect(!block.text.isEmpty)
                        #expect(block.text.first.map { !$0.isWhitespace } ?? false)
                        #expect(block.text.last.map { !$0.isWhitespace } ?? false)
                        #expect(!block.text.utf8.contains(0))
                    }
                }
            }
        }
    }
}
