import Ingest
import Testing

@Suite struct HTMLParserTests {
    private func parse(_ html: [UInt8]) throws -> [Block] {
        var source = MemorySource(html, pieceSize: 1000)
        var blocks: [Block] = []
        _ = try HTMLParser().parse(&source) { blocks.append($0) }
        return blocks
    }

    private func parse(_ html: String) throws -> [Block] { try parse(Array(html.utf8)) }

    @Test func contentBecomesBlocksAndChromeIsDropped() throws {
        let html = """
            <!DOCTYPE html><html><head><title>Ignored title</title><style>p { color: red }</style>
            <script>var x = "<p>not text</p>";</script></head><body>
            <header><a href="/">Home</a> Site banner</header>
            <nav><ul><li>Menu item</li></ul></nav>
            <div role="navigation">Breadcrumbs</div>
            <main><h1>Caf&eacute; guide</h1>
            <p>Coffee   &amp; <b>tea</b>,
               served <a href="#">daily</a>.</p>
            <div hidden>Secret</div>
            <ul><li>Espresso</li><li><p>Latte</p></li></ul>
            <h2>Prices</h2>
            <table><tr><th>Drink</th><th>Price</th></tr><tr><td>Espresso</td><td>2.50</td></tr>
            <tr><td>Latte</td><td></td></tr></table>
            <pre>let x = 1
              let y = 2</pre>
            <noscript>Enable JS</noscript><form><button>Send</button></form>
            </main><aside>Related</aside><footer>Copyright</footer></body></html>
            """
        #expect(try parse(html) == [
            Block(.heading(level: 1), "Café guide"),
            Block(.paragraph, "Coffee & tea, served daily."),
            Block(.listItem, "Espresso"),
            Block(.listItem, "Latte"),
            Block(.heading(level: 2), "Prices"),
            Block(.tableRow, "Drink: Espresso\nPrice: 2.50"),
            Block(.tableRow, "Drink: Latte"),
            Block(.preformatted, "let x = 1\n  let y = 2"),
        ])
    }

    @Test func titleBecomesTheHeadingOnlyWithoutAnH1() throws {
        let blocks = try parse("<html><head><title> My  page </title></head><body><p>Hello<br>world</p></body></html>")
        #expect(blocks == [Block(.heading(level: 1), "My page"), Block(.paragraph, "Hello\nworld")])
    }

    @Test func spacesBetweenInlineElementsAreKept() throws {
        let blocks = try parse("<div><span>one</span> <span>two</span></div><p><b>three</b> <i>four</i> <a href=x>five</a></p>")
        #expect(blocks == [Block(.paragraph, "one two"), Block(.paragraph, "three four five")])
    }

    @Test func tableWithoutHeaderCellsJoinsCells() throws {
        let blocks = try parse("<table><tr><td>a</td><td><p>b</p><p>c</p></td></tr><tr><td>d</td><td>e</td></tr></table>")
        #expect(blocks == [Block(.tableRow, "a | b c"), Block(.tableRow, "d | e")])
    }

    @Test func articleHeaderIsContent() throws {
        let blocks = try parse("<body><article><header><h1>Story</h1></header><p>Body</p></article></body>")
        #expect(blocks == [Block(.heading(level: 1), "Story"), Block(.paragraph, "Body")])
    }

    @Test func latin1DeclaredByMetaCharsetIsDecoded() throws {
        var bytes = Array("<html><head><meta charset=\"iso-8859-1\"></head><body><p>Caf".utf8)
        bytes += [0xE9, 0x20, 0x80, 0x20, 0x6E, 0xE4, 0x68, 0x65]  // "é € nähe" in Windows-1252
        bytes += Array("</p></body></html>".utf8)
        #expect(try parse(bytes) == [Block(.paragraph, "Café € nähe")])
    }

    @Test func httpEquivCharsetIsDecoded() throws {
        var bytes = Array("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">".utf8)
        bytes += Array("</head><body><p>".utf8) + [0xFC, 0x62, 0x65, 0x72] + Array("</p></body></html>".utf8)
        #expect(try parse(bytes) == [Block(.paragraph, "über")])
    }

    @Test func xmlDeclarationEncodingIsHonoured() throws {
        var bytes = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><html><body><p>".utf8)
        bytes += [0xE0, 0x20, 0x62, 0x69, 0x65, 0x6E, 0x74, 0xF4, 0x74] + Array("</p></body></html>".utf8)
        #expect(try parse(bytes) == [Block(.paragraph, "à bientôt")])
    }

    @Test func utf16WithByteOrderMarkIsDetected() throws {
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in "<html><body><p>Ça va</p></body></html>".utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(try parse(bytes) == [Block(.paragraph, "Ça va")])
    }

    @Test func undeclaredEncodingIsUTF8() throws {
        #expect(try parse("<p>Grüße, 東京</p>") == [Block(.paragraph, "Grüße, 東京")])
    }

    /// libxml2 stops building the tree at 256 levels (its default limit, kept on purpose): the
    /// page is read up to there, without crashing or recursing.
    @Test func deeplyNestedDivsDoNotCrash() throws {
        let depth = 10_000
        let html = "<html><body>" + String(repeating: "<div>x ", count: depth) + "deep"
            + String(repeating: "</div>", count: depth) + "<p>after</p></body></html>"
        let blocks = try parse(html)
        #expect(!blocks.isEmpty)
        #expect(blocks.allSatisfy { !$0.text.isEmpty })
        #expect(blocks.first == Block(.paragraph, "x"))
    }

    @Test func pageWithoutTextFails() {
        for html in ["", "<html><head><script>alert(1)</script></head><body>  <nav>menu</nav> </body></html>"] {
            #expect(throws: ParseFailure("the HTML page has no readable text")) { try parse(html) }
        }
    }

    @Test func binaryGarbageNeverCrashes() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let bytes = (0..<2000).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? parse(bytes)
        }
    }
}
