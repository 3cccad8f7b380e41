import Ingest
import Testing

@Suite struct MarkdownParserTests {
    private func parse(_ text: String, pieceSize: Int = 1 << 20) throws -> [Block] {
        try textFamilyBlocks(MarkdownParser(), Array(text.utf8), pieceSize: pieceSize)
    }

    @Test(arguments: [1, 3, 7, 4096])
    func documentWithEveryBlockKindParsesInOrder(pieceSize: Int) throws {
        let text = """
        ---
        title: Handbook
        tags: [a, b]
        ---
        # Getting *started* #

        Welcome to **Parley**, see [the docs](https://example.com/docs "Docs")
        and ![a diagram](img/d.png).
        <!-- an editor's note
        that spans lines -->

        Setup
        -----

        - first item
          continues here
        * second `item`
        + third
        1. numbered step
        2) another step

        ```swift
        let x = [1, 2]
          print(x)
        ```

        ~~~
        raw *text*
        ~~~

        | Name | City |
        |------|:----:|
        | Ann  | Paris |
        | Bob  |       |
        |      |       |

        > A quoted
        > line with _emphasis_.

        ***
        ### Last ###
        """
        let blocks = try parse(text, pieceSize: pieceSize)
        #expect(blocks == [
            Block(.heading(level: 1), "Getting started"),
            Block(.paragraph, "Welcome to Parley, see the docs and a diagram."),
            Block(.heading(level: 2), "Setup"),
            Block(.listItem, "first item continues here"),
            Block(.listItem, "second item"),
            Block(.listItem, "third"),
            Block(.listItem, "1. numbered step"),
            Block(.listItem, "2) another step"),
            Block(.preformatted, "let x = [1, 2]\n  print(x)"),
            Block(.preformatted, "raw *text*"),
            Block(.tableRow, "Name: Ann\nCity: Paris"),
            Block(.tableRow, "Name: Bob"),
            Block(.paragraph, "A quoted line with emphasis."),
            Block(.heading(level: 3), "Last"),
        ])
    }

    @Test func inlineMarkupIsReducedToText() throws {
        let text = """
        **Bold**, __strong__, *it*, ~~gone~~ and `a*b*c` with \\*stars\\*; 2 * 3 = 6;
        snake_case_name stays; [outer [inner](x) link](y) and [ref link][1]; <https://example.com>
        and <b>tag</b>; a [ ] box; ![](empty.png)
        """
        #expect(try parse(text) == [Block(.paragraph, """
        Bold, strong, it, gone and a*b*c with *stars*; 2 * 3 = 6; snake_case_name stays; outer inner link and \
        ref link; https://example.com and tag; a [ ] box;
        """)])
    }

    @Test func setextLevelOneAndReferenceDefinitions() throws {
        let text = "Title\nspans lines\n===\n\n[1]: https://example.com\n\nBody.\n"
        #expect(try parse(text, pieceSize: 2) == [
            Block(.heading(level: 1), "Title spans lines"),
            Block(.paragraph, "Body."),
        ])
    }

    @Test func tableAfterParagraphLineAndExtraCells() throws {
        let text = "Prices below.\na | b\n--- | ---\n1 | 2 | 3\n4 \\| 5 | 6\nafter table\n"
        #expect(try parse(text, pieceSize: 5) == [
            Block(.paragraph, "Prices below."),
            Block(.tableRow, "a: 1\nb: 2\ncolumn 3: 3"),
            Block(.tableRow, "a: 4 | 5\nb: 6"),
            Block(.paragraph, "after table"),
        ])
    }

    @Test func unclosedFrontMatterIsReadAsText() throws {
        let text = "---\nNot front matter\n"
        #expect(try parse(text) == [Block(.paragraph, "Not front matter")])
    }

    @Test func unclosedCodeFenceKeepsItsLines() throws {
        #expect(try parse("```\ncode line\n") == [Block(.preformatted, "code line")])
    }

    @Test func hugeParagraphAndCodeAreEmittedInBoundedParts() throws {
        let words = String(repeating: "lorem ipsum ", count: 3_000)
        let blocks = try parse(words + "\n\n```\n" + String(repeating: "x = 1\n", count: 10_000) + "```\n", pieceSize: 999)
        #expect(blocks.count > 5)
        #expect(blocks.allSatisfy { $0.text.utf8.count <= 20_000 })
        let paragraphWords = blocks.filter { $0.kind == .paragraph }.flatMap { $0.text.split(separator: " ") }
        #expect(paragraphWords.count == 6_000)
        let codeLines = blocks.filter { $0.kind == .preformatted }.flatMap { $0.text.split(separator: "\n") }
        #expect(codeLines.count == 10_000)
    }

    @Test func hostileBracketsAndBackticksFinishQuickly() throws {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "`", count: 5_000) + String(repeating: "](", count: 5_000)
        let blocks = try parse(text)
        #expect(!blocks.isEmpty)
    }

    @Test func emptyDocumentGivesNoBlocks() throws {
        #expect(try parse("").isEmpty)
        #expect(try parse("<!-- only a comment -->\n\n---\n").isEmpty)
    }
}
