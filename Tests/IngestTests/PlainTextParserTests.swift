import Ingest
import Testing

@Suite struct PlainTextParserTests {
    @Test(arguments: [1, 2, 5, 7, 4096])
    func paragraphsSplitAtBlankLinesAndWrappedLinesJoin(pieceSize: Int) throws {
        let text = "First line\r\nwraps here.\r\n\r\n\r\nSecond   paragraph.\n  \t\nThird.\n"
        let blocks = try textFamilyBlocks(PlainTextParser(), Array(text.utf8), pieceSize: pieceSize)
        #expect(blocks == [
            Block(.paragraph, "First line wraps here."),
            Block(.paragraph, "Second paragraph."),
            Block(.paragraph, "Third."),
        ])
    }

    @Test func listLikeLinesBecomeListItems() throws {
        let text = """
        Shopping:
        - milk
        * eggs that are
          fresh
        • bread
        1. Preheat the oven
        2) Bake
        After the list.
        """
        let blocks = try textFamilyBlocks(PlainTextParser(), Array(text.utf8), pieceSize: 3)
        #expect(blocks == [
            Block(.paragraph, "Shopping:"),
            Block(.listItem, "milk"),
            Block(.listItem, "eggs that are fresh"),
            Block(.listItem, "bread"),
            Block(.listItem, "1. Preheat the oven"),
            Block(.listItem, "2) Bake"),
            Block(.paragraph, "After the list."),
        ])
    }

    @Test func longParagraphIsEmittedAtLineBoundaries() throws {
        let line = String(repeating: "word ", count: 19) + "end"  // 98 characters
        let text = Array(repeating: line, count: 200).joined(separator: "\n")
        let blocks = try textFamilyBlocks(PlainTextParser(), Array(text.utf8), pieceSize: 1000)
        #expect(blocks.count > 1)
        #expect(blocks.allSatisfy { $0.text.utf8.count <= PlainTextParser.maxParagraphBytes + 100 })
        #expect(blocks.allSatisfy { $0.text.hasSuffix("end") && $0.text.hasPrefix("word") })
        let words = blocks.map { $0.text.split(separator: " ").count }.reduce(0, +)
        #expect(words == 200 * 20)
    }

    @Test func singleHugeLineIsSplitWithoutLosingWords() throws {
        let text = String(repeating: "abcdefghi ", count: 5_000)
        let blocks = try textFamilyBlocks(PlainTextParser(), Array(text.utf8), pieceSize: 777)
        #expect(blocks.count > 5)
        #expect(blocks.allSatisfy { $0.text.utf8.count <= PlainTextParser.maxParagraphBytes * 2 })
        let words = blocks.flatMap { $0.text.split(separator: " ") }
        #expect(words.count == 5_000)
        #expect(words.allSatisfy { $0 == "abcdefghi" })
    }

    @Test func latin1TextIsDecoded() throws {
        let blocks = try textFamilyBlocks(PlainTextParser(), [0x63, 0x61, 0x66, 0xE9], pieceSize: 1)
        #expect(blocks == [Block(.paragraph, "café")])
    }

    @Test func emptyOrBlankFileGivesNoBlocks() throws {
        #expect(try textFamilyBlocks(PlainTextParser(), []).isEmpty)
        #expect(try textFamilyBlocks(PlainTextParser(), Array(" \n\n\t\r\n".utf8)).isEmpty)
    }
}
