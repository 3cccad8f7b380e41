import Ingest
import Testing

@Suite struct JSONRecordsParserTests {
    private let json = JSONRecordsParser(lines: false)
    private let jsonLines = JSONRecordsParser(lines: true)

    private func parse(_ parser: JSONRecordsParser, _ text: String, pieceSize: Int = 1 << 20) throws -> [Block] {
        try textFamilyBlocks(parser, Array(text.utf8), pieceSize: pieceSize)
    }

    @Test(arguments: [1, 3, 7, 4096])
    func topLevelArrayGivesOneRecordPerElementInKeyOrder(pieceSize: Int) throws {
        let text = """
        [{"name": "Ann", "city": "Paris", "age": 41, "price": 1.50, "vip": true, "note": null, "empty": ""},
         {"zeta": "z", "alpha": "a\\nb", "big": 12345678901234567890, "exp": -2.5E+3}]
        """
        #expect(try parse(json, text, pieceSize: pieceSize) == [
            Block(.record, "name: Ann\ncity: Paris\nage: 41\nprice: 1.50\nvip: true"),
            Block(.record, "zeta: z\nalpha: a b\nbig: 12345678901234567890\nexp: -2.5E+3"),
        ])
    }

    @Test func objectWrappingOneArrayOfObjectsGivesItsElements() throws {
        let text = #"{"products": [{"sku": "A1", "name": "Lamp"}, {"sku": "B2"}]}"#
        #expect(try parse(json, text) == [Block(.record, "sku: A1\nname: Lamp"), Block(.record, "sku: B2")])
    }

    @Test func otherObjectsAreOneRecord() throws {
        let text = #"{"products": [{"sku": "A1"}], "count": 1}"#
        #expect(try parse(json, text) == [Block(.record, "products.1.sku: A1\ncount: 1")])
        let scalars = #"{"tags": ["x", "y"]}"#
        #expect(try parse(json, scalars) == [Block(.record, "tags: x, y")])
    }

    @Test func nestedObjectsAndArraysFlattenToDottedKeys() throws {
        let text = """
        {"id": 7, "address": {"city": "Paris", "geo": {"lat": 48.85}}, "tags": ["a", "b", null, 3],
         "items": [{"name": "Lamp", "qty": 2}, ["x", "y"], "loose"], "emoji": "\\ud83c\\udf89 \\u00e9", "blank": {}}
        """
        #expect(try parse(json, text, pieceSize: 5) == [Block(.record, """
        id: 7
        address.city: Paris
        address.geo.lat: 48.85
        tags: a, b, 3
        items.1.name: Lamp
        items.1.qty: 2
        items.2: x, y
        items: loose
        emoji: 🎉 é
        """)])
    }

    @Test func topLevelScalarIsOneRecord() throws {
        #expect(try parse(json, #"  "just text"  "#) == [Block(.record, "just text")])
    }

    @Test func latin1AndUTF16DocumentsAreDecoded() throws {
        let latin1: [UInt8] = Array(#"[{"item": "caf"#.utf8) + [0xE9] + Array(#""}]"#.utf8)
        #expect(try textFamilyBlocks(json, latin1, pieceSize: 2) == [Block(.record, "item: café")])
        let utf16: [UInt8] = [0xFF, 0xFE] + #"{"a": "ü"}"#.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(try textFamilyBlocks(json, utf16, pieceSize: 3) == [Block(.record, "a: ü")])
    }

    @Test func invalidDocumentsFailWithAReason() {
        #expect(textFamilyFailure(json, Array("{\n\"a\": 1,\n\"b\" 2}".utf8)) == "the JSON document is not valid JSON (the error is on line 3)")
        #expect(textFamilyFailure(json, Array("[1, 2,]".utf8)) == "the JSON document is not valid JSON (the error is on line 1)")
        #expect(textFamilyFailure(json, Array("{} []".utf8)) == "the JSON document is not valid JSON (the error is on line 1)")
        #expect(textFamilyFailure(json, Array("[01]".utf8)) == "the JSON document is not valid JSON (the error is on line 1)")
        #expect(textFamilyFailure(json, Array(" \n ".utf8)) == "the JSON document is empty")
        #expect(textFamilyFailure(json, Array("[]".utf8)) == "the JSON document has no records: it holds only empty values")
        #expect(textFamilyFailure(json, Array(#"[{}, {"a": null}]"#.utf8)) == "the JSON document has no records: it holds only empty values")
    }

    @Test func deepNestingFailsCleanly() {
        let open = Array(repeating: UInt8(ascii: "["), count: 10_000)
        #expect(textFamilyFailure(json, open) == "the JSON document is nested more than 512 levels deep")
        #expect(textFamilyFailure(jsonLines, open + [0x0A]) == "JSON Lines line 1 is nested more than 512 levels deep")
        let balanced = String(repeating: #"{"a":"#, count: 300) + "1" + String(repeating: "}", count: 300)
        #expect(textFamilyFailure(json, Array(balanced.utf8)) == "the JSON document has no records: it holds only empty values")
        let shallow = String(repeating: #"{"a":"#, count: 5) + "1" + String(repeating: "}", count: 5)
        #expect((try? parse(json, shallow)) == [Block(.record, "a.a.a.a.a: 1")])
    }

    @Test(arguments: [1, 2, 7, 4096])
    func jsonLinesGivesOneRecordPerLineSkippingBlankLines(pieceSize: Int) throws {
        let text = "{\"q\": \"How?\", \"a\": \"Like this.\"}\r\n\n   \n[1, 2]\n\"solo\"\n{\"n\": {\"m\": 1}}"
        #expect(try parse(jsonLines, text, pieceSize: pieceSize) == [
            Block(.record, "q: How?\na: Like this."),
            Block(.record, "1, 2"),
            Block(.record, "solo"),
            Block(.record, "n.m: 1"),
        ])
    }

    @Test(arguments: [1, 4096])
    func jsonLinesBadLineFailsNamingIt(pieceSize: Int) {
        let text = "{\"a\": 1}\n\n{\"a\": 2\n{\"a\": 3}\n"
        #expect(textFamilyFailure(jsonLines, Array(text.utf8), pieceSize: pieceSize) == "JSON Lines line 3 is not valid JSON")
        #expect(textFamilyFailure(jsonLines, Array("{\"a\": 1} {\"b\": 2}\n".utf8)) == "JSON Lines line 1 is not valid JSON")
    }

    @Test func emptyJSONLinesFails() {
        #expect(textFamilyFailure(jsonLines, Array("\n\n".utf8)) == "the JSON Lines file has no records: it is empty or every value is empty")
    }

    @Test func errorsThrownByEmitPassThrough() {
        struct Stop: Error {}
        var source = MemorySource(Array("[{\"a\": 1}, {\"a\": 2}]".utf8))
        #expect(throws: Stop.self) { _ = try json.parse(&source) { _ in throw Stop() } }
    }
}
