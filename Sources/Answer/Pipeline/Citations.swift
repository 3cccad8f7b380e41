/// Reads the `[n]` markers of an answer and ties them to the sources. A marker an LLM invented (a
/// number no source has) is removed from the text, so every marker a client sees resolves.
public enum Citations {
    public struct Resolved: Sendable, Equatable {
        public var text: String
        public var citations: [Citation]
        /// Sentences of the answer that carry at least one valid marker, over all its sentences.
        public var supportedShare: Double
    }

    public static func resolve(_ answer: String, sources: [Source]) -> Resolved {
        let byNumber = Dictionary(sources.map { ($0.n, $0) }, uniquingKeysWith: { first, _ in first })
        var text = ""
        var cited: [Int] = []
        var sentences = 0, supported = 0, sentenceHasMarker = false, sentenceHasText = false, closing = false
        func closeSentence() {
            if sentenceHasText { sentences += 1; if sentenceHasMarker { supported += 1 } }
            sentenceHasMarker = false
            sentenceHasText = false
            closing = false
        }
        var scalars = answer.unicodeScalars[...]
        while let scalar = scalars.first {
            if scalar == "[", let (numbers, length) = marker(scalars) {
                let valid = numbers.filter { byNumber[$0] != nil }
                if !valid.isEmpty {
                    text += valid.map { "[\($0)]" }.joined()
                    sentenceHasMarker = true
                    for n in valid where !cited.contains(n) { cited.append(n) }
                }
                scalars = scalars.dropFirst(length)
                if closing, scalars.drop(while: { $0 == " " }).first != "[" { closeSentence() }
                continue
            }
            text.unicodeScalars.append(scalar)
            scalars = scalars.dropFirst()
            if scalar == "." || scalar == "!" || scalar == "?" || scalar == "\n" {
                // A marker right after the full stop ("… plan. [2]") still belongs to this sentence.
                let next = scalars.drop { $0 == " " }
                if next.first == "[", marker(next) != nil { closing = true; continue }
                closeSentence()
            } else if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                sentenceHasText = true
            }
        }
        closeSentence()
        let citations = cited.sorted().compactMap { n -> Citation? in
            guard let source = byNumber[n] else { return nil }
            return Citation(n: n, documentID: source.documentID, chunkID: source.chunkID, title: source.title,
                            page: source.page, snippet: source.snippet.isEmpty ? String(source.text.prefix(240)) : source.snippet,
                            url: source.url)
        }
        return Resolved(text: text, citations: citations, supportedShare: sentences == 0 ? 0 : Double(supported) / Double(sentences))
    }

    /// A marker at the start of `scalars`: `[3]`, `[1, 2]` or `[1,2]`, up to 3 digits per number.
    /// Returns its numbers and its length in scalars, or nil when the brackets hold anything else.
    static func marker(_ scalars: Substring.UnicodeScalarView) -> ([Int], Int)? {
        guard scalars.first == "[" else { return nil }
        var numbers: [Int] = []
        var current = 0, digits = 0, length = 1
        for scalar in scalars.dropFirst() {
            length += 1
            if let digit = scalar.properties.numericType == .decimal ? Int(String(scalar)) : nil, scalar.isASCII {
                guard digits < 3 else { return nil }
                current = current * 10 + digit
                digits += 1
            } else if scalar == "," || scalar == " " {
                if digits > 0 { numbers.append(current); current = 0; digits = 0 } else if scalar == "," { return nil }
            } else if scalar == "]" {
                if digits > 0 { numbers.append(current) }
                return numbers.isEmpty ? nil : (numbers, length)
            } else {
                return nil
            }
            if length > 24 { return nil }
        }
        return nil
    }
}
