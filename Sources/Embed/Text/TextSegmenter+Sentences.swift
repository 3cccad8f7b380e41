extension TextSegmenter {
    /// The sentences of a chunk's text as UTF-8 byte ranges, in order, trimmed of whitespace.
    ///
    /// Line breaks are boundaries as well as sentence ends: in a chunk's text, headings, list
    /// items, table rows and records are lines of their own (blocks are joined by "\n\n"), and none
    /// of them should be glued to the sentence after it. Abbreviations, initials and decimals do
    /// not end a sentence (see `sentenceEnd`). Pieces without a letter or digit ("-", "|", "***")
    /// are dropped: they carry nothing to score or quote.
    ///
    /// Ingestion computes the sentence vectors over exactly these ranges, and the extractive
    /// generator splits a chunk without stored vectors the same way, so both see one segmentation.
    public static func sentences(in text: String) -> [Range<Int>] {
        var text = text
        return text.withUTF8 { bytes in
            var ranges: [Range<Int>] = []
            let whole = Piece(bytes: 0..<bytes.count, scalars: 0..<scalarCount(bytes))
            for line in split(bytes, whole, at: .line) {
                for sentence in split(bytes, line, at: .sentence) where hasWordCharacter(bytes, sentence.bytes) {
                    ranges.append(sentence.bytes)
                }
            }
            return ranges
        }
    }

    /// Any ASCII letter or digit, or any non-ASCII scalar (letters of other scripts).
    private static func hasWordCharacter(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        for i in range {
            switch text[i] {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), 0x80...:
                return true
            default:
                continue
            }
        }
        return false
    }
}
