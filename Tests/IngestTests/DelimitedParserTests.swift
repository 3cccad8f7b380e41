import Ingest
import Testing

@Suite struct DelimitedParserTests {
    private let csv = DelimitedParser(delimiter: UInt8(ascii: ","))
    private let tsv = DelimitedParser(delimiter: 0x09)

    @Test(arguments: [1, 2, 3, 5, 7, 1 << 16])
    func quotedFieldsKeepDelimitersNewlinesAndDoubledQuotes(pieceSize: Int) throws {
        let text = "name,quote,city\r\n\"Smith, Jo\",\"She said \"\"hi\"\"\nthen left\",Paris\r\nAl,plain,\"\"\r\n"
        let blocks = try textFamilyBlocks(csv, Array(text.utf8), pieceSize: pieceSize)
        #expect(blocks == [
            Block(.record, "name: Smith, Jo\nquote: She said \"hi\" then left\ncity: Paris"),
            Block(.record, "name: Al\nquote: plain"),
        ])
    }

    @Test(arguments: 1...7)
    func latin1CSVIsDecoded(pieceSize: Int) throws {
        let bytes: [UInt8] = Array("item,price\n".utf8) + [0x63, 0x61, 0x66, 0xE9] + Array(",3\n".utf8)
        let blocks = try textFamilyBlocks(csv, bytes, pieceSize: pieceSize)
        #expect(blocks == [Block(.record, "item: café\nprice: 3")])
    }

    @Test(arguments: [1, 4, 7])
    func tsvSplitsOnTabs(pieceSize: Int) throws {
        let text = "id\tnote\n1\ta, b, c\n2\t\"quoted\ttab\"\n"
        let blocks = try textFamilyBlocks(tsv, Array(text.utf8), pieceSize: pieceSize)
        #expect(blocks == [Block(.record, "id: 1\nnote: a, b, c"), Block(.record, "id: 2\nnote: quoted tab")])
    }

    @Test func blankAndDuplicateHeadersAndExtraCellsGetColumnNumbers() throws {
        let text = "a,,a\n1,2,3,4\n"
        let blocks = try textFamilyBlocks(csv, Array(text.utf8), pieceSize: 2)
        #expect(blocks == [Block(.record, "a: 1\ncolumn 2: 2\ncolumn 3: 3\ncolumn 4: 4")])
    }

    @Test func emptyValuesAndEmptyRowsAreSkipped() throws {
        let text = "\n\na,b\n,\n\n  , \nx,\n,y"
        let blocks = try textFamilyBlocks(csv, Array(text.utf8), pieceSize: 3)
        #expect(blocks == [Block(.record, "a: x"), Block(.record, "b: y")])
    }

    @Test func lastRowWithoutLineEndAndTrailingDelimiterAreRead() throws {
        #expect(try textFamilyBlocks(csv, Array("a,b\n1,".utf8)) == [Block(.record, "a: 1")])
        #expect(try textFamilyBlocks(csv, Array("a,b\n1,\"2\"".utf8)) == [Block(.record, "a: 1\nb: 2")])
    }

    @Test func strayQuotesAreKeptAsText() throws {
        let blocks = try textFamilyBlocks(csv, Array("size,label\n5\" pipe,\"a\"b\n".utf8), pieceSize: 1)
        #expect(blocks == [Block(.record, "size: 5\" pipe\nlabel: ab")])
    }

    @Test(arguments: [1, 5, 4096])
    func unterminatedQuoteFailsNamingTheRow(pieceSize: Int) {
        let text = "a,b\n1,2\n3,\"never closed\n4,5\n"
        #expect(textFamilyFailure(csv, Array(text.utf8), pieceSize: pieceSize) == "CSV row 3: a quoted field is never closed")
    }

    @Test func oversizedRowFailsSuggestingTheDelimiter() {
        var bytes = Array("a;b;c\n".utf8)
        bytes += Array(repeating: UInt8(ascii: "x"), count: 600_000)
        bytes += [0x0A]
        bytes += Array(repeating: UInt8(ascii: "y"), count: 1_100_000)
        #expect(textFamilyFailure(csv, bytes, pieceSize: 65_536) == "CSV row 3 is larger than 1 MB; is the delimiter right?")
        let commas = Array("a,b\n".utf8) + Array(repeating: UInt8(ascii: ","), count: 1_100_000)
        #expect(textFamilyFailure(csv, commas) == "CSV row 2 is larger than 1 MB; is the delimiter right?")
        #expect(textFamilyFailure(tsv, Array("a\tb\n\"".utf8) + Array(repeating: 0x41, count: 1_100_000))
            == "TSV row 2 is larger than 1 MB; is the delimiter right?")
    }

    @Test func emptyFileAndHeaderOnlyFailSayingThereAreNoRows() {
        #expect(textFamilyFailure(csv, []) == "the CSV file is empty: it has no rows")
        #expect(textFamilyFailure(csv, Array("\n , \n".utf8)) == "the CSV file is empty: it has no rows")
        #expect(textFamilyFailure(csv, Array("name,city\r\n".utf8)) == "the CSV file has a header row but no data rows")
        #expect(textFamilyFailure(tsv, Array("name\tcity\n\t\n".utf8)) == "the TSV file has a header row but no data rows")
    }

    @Test func twentyMegabyteFileStreamsRowByRow() throws {
        let header = Array("id,name,email,notes\n".utf8)
        var row = 0
        var produced = false
        // A source that makes the file as it is read, so the test itself holds no 20 MB array.
        struct GeneratedSource: ByteSource {
            var header: [UInt8]?
            var remaining: Int
            var index = 0
            mutating func next() throws -> [UInt8]? {
                if let first = header { header = nil; return first }
                guard remaining > 0 else { return nil }
                var piece: [UInt8] = []
                piece.reserveCapacity(70_000)
                while piece.count < 65_536 {
                    index += 1
                    piece += Array("\(index),Person \(index),p\(index)@example.com,\"likes \"\"tea\"\", and\ncake\"\n".utf8)
                }
                remaining -= piece.count
                return piece
            }
        }
        var source = GeneratedSource(header: header, remaining: 20_000_000)
        _ = try csv.parse(&source) { block in
            row += 1
            if row == 12_345 {
                produced = true
                #expect(block.text == "id: 12345\nname: Person 12345\nemail: p12345@example.com\nnotes: likes \"tea\", and cake")
            }
        }
        #expect(produced)
        #expect(row == source.index)
        #expect(row > 250_000)
    }
}
