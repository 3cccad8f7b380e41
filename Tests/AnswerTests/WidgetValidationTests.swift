@testable import Answer
import Testing

/// Origins are compared as strings, so normalisation must write them exactly as browsers do.
struct WidgetValidationTests {
    @Test func originsAreNormalisedAsBrowsersWriteThem() {
        #expect(WidgetValidation.normalizedOrigin("https://Shop.Example:443/") == "https://shop.example")
        #expect(WidgetValidation.normalizedOrigin("http://localhost:80") == "http://localhost")
        #expect(WidgetValidation.normalizedOrigin("http://127.0.0.1:8080") == "http://127.0.0.1:8080")
        #expect(WidgetValidation.normalizedOrigin("https://[::1]:8443") == "https://[::1]:8443")
    }

    @Test func anythingButSchemeHostAndPortIsNotAnOrigin() {
        for text in ["shop.example", "https://", "https://shop.example/path", "https://user@shop.example", "ftp://shop.example",
                     "https://shop.example:0", "https://shop.example:65536", "https://shop..example", "https://shop.example?x=1",
                     "null", "https://shop example"] {
            #expect(WidgetValidation.normalizedOrigin(text) == nil, "\(text)")
        }
    }

    @Test func visitorTokensMatchOnlyTheirOwnHash() throws {
        let (token, hash) = try VisitorToken.mint()
        #expect(VisitorToken.matches(token, hash: hash))
        #expect(!VisitorToken.matches(token + "a", hash: hash))
        #expect(!VisitorToken.matches(nil, hash: hash))
        #expect(!VisitorToken.matches(token, hash: nil))
        #expect(try VisitorToken.mint().token != token)
    }
}
