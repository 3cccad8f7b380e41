import Embed
import Search

/// One answer's worth of sentence scoring and choosing, for `ExtractiveGenerator`. Lives for one
/// call on one thread (it may own an `Analyzer`, which is not Sendable).
struct ExtractiveSelection {
    /// A sentence that may be quoted. Its text is only built if it is chosen.
    struct Candidate {
        /// Index of its source in `input.sources` (its retrieval rank).
        var source: Int
        /// UTF-8 byte range in the source's text.
        var range: Range<Int>
        /// Index into the source's `sentences`, when scored densely.
        var vector: Int?
        /// Stemmed terms, when scored lexically (computed on demand for dense ones).
        var terms: Set<String>?
        var relevance: Double
        /// Relevance plus the retrieval-rank bonus: what selection maximises.
        var score: Double
        var words: Int
    }

    let input: GenerationInput
    let settings: ExtractiveGenerator.Settings
    private var analyzer: Analyzer?
    private var questionTerms: Set<String>?

    init(input: GenerationInput, settings: ExtractiveGenerator.Settings) {
        self.input = input
        self.settings = settings
    }

    // MARK: Scoring

    /// Every quotable sentence of every source with its relevance.
    mutating func candidates() -> [Candidate] {
        var out: [Candidate] = []
        out.reserveCapacity(input.sources.count * 8)
        for (k, source) in input.sources.enumerated() {
            let bonus = settings.rankBonus / Double(1 + k)
            if let question = input.questionVector, let sentences = source.sentences, !sentences.isEmpty {
                let length = source.text.utf8.count
                let adjustment = settings.termWeight * (chunkCoverage(source) - settings.termPivot)
                for (j, sentence) in sentences.enumerated() {
                    guard sentence.start >= 0, sentence.start < sentence.end, sentence.end <= length,
                          sentence.vector.count == question.count else { continue }
                    let range = sentence.start..<sentence.end
                    let words = Self.wordCount(source.text, range)
                    guard words >= settings.minimumWords else { continue }
                    let relevance = Self.dot(question, sentence.vector) + adjustment
                    out.append(Candidate(source: k, range: range, vector: j, terms: nil, relevance: relevance,
                                         score: relevance + bonus, words: words))
                }
            } else {
                let wanted = lexicalQuestionTerms()
                guard !wanted.isEmpty else { continue }
                for range in TextSegmenter.sentences(in: source.text) {
                    let words = Self.wordCount(source.text, range)
                    guard words >= settings.minimumWords else { continue }
                    let terms = self.terms(Self.slice(source.text, range))
                    let coverage = Double(wanted.intersection(terms).count) / Double(wanted.count)
                    let relevance = coverage * settings.lexicalScale
                    out.append(Candidate(source: k, range: range, vector: nil, terms: terms, relevance: relevance,
                                         score: relevance + bonus, words: words))
                }
            }
        }
        return out
    }

    /// Share of the question's terms found in the chunk or its headings. MiniLM gives a sentence
    /// that merely shares the question's subject ("Parley") a cosine as high as a weak answer;
    /// whether the chunk uses the question's other words tells them apart (see the calibration).
    private mutating func chunkCoverage(_ source: Source) -> Double {
        let wanted = lexicalQuestionTerms()
        guard !wanted.isEmpty else { return settings.termPivot }
        let present = terms(source.headingPath.joined(separator: " ") + "\n" + source.text)
        return Double(wanted.intersection(present).count) / Double(wanted.count)
    }

    // MARK: Choosing

    /// Greedy maximal marginal relevance over the candidates close enough to the best, within the
    /// sentence and word budgets, then put in reading order.
    mutating func choose(from all: [Candidate], best: Double) -> [ExtractiveAnswer.Quote] {
        let floor = max(settings.minimumSupport, best * settings.relativeFloor)
        var pool = all.filter { $0.relevance >= floor }
        var chosen: [Candidate] = []
        var quoted: [String] = []
        var words = 0
        while chosen.count < settings.maxSentences, !pool.isEmpty {
            var pick: Int?
            var pickValue = -Double.infinity
            var dropped: [Int] = []
            for i in pool.indices {
                // The hard duplicate cut only looks at other chunks: a chunk does not repeat
                // itself, and late-chunked vectors of one chunk's sentences share its context, so
                // they look more alike than they are (two steps of one procedure score ~0.8).
                // Within a chunk the similarity still weighs in the marginal relevance below.
                var redundancy = 0.0
                var repeated = false
                for c in chosen.indices {
                    let similar = similarity(&pool[i], &chosen[c])
                    redundancy = max(redundancy, similar)
                    if chosen[c].source != pool[i].source && similar > settings.duplicate { repeated = true }
                }
                if repeated || (!chosen.isEmpty && words + pool[i].words > settings.maxWords) {
                    dropped.append(i)
                    continue
                }
                let value = settings.diversity * pool[i].score - (1 - settings.diversity) * redundancy
                if value > pickValue {
                    pickValue = value
                    pick = i
                }
            }
            guard let pick else { break }
            let candidate = pool[pick]
            let text = Self.quoteText(Self.slice(input.sources[candidate.source].text, candidate.range))
            // The same words from another chunk (a copied paragraph) are a duplicate whatever
            // their vectors say: context makes late-chunked vectors of one sentence differ a bit.
            let key = text.lowercased()
            if !quoted.contains(where: { $0.lowercased() == key }) {
                chosen.append(candidate)
                quoted.append(text)
                words += candidate.words
            }
            for i in (dropped + [pick]).sorted(by: >) { pool.remove(at: i) }
        }
        return order(chosen, texts: quoted)
    }

    /// Sources in the order of their best chosen sentence, sentences of one source in text order.
    private func order(_ chosen: [Candidate], texts: [String]) -> [ExtractiveAnswer.Quote] {
        var sourceRank: [Int: Double] = [:]
        for c in chosen { sourceRank[c.source] = max(sourceRank[c.source] ?? -.infinity, c.score) }
        let order = chosen.indices.sorted { a, b in
            let (x, y) = (chosen[a], chosen[b])
            if x.source != y.source {
                let (rx, ry) = (sourceRank[x.source] ?? 0, sourceRank[y.source] ?? 0)
                return rx != ry ? rx > ry : x.source < y.source
            }
            return x.range.lowerBound < y.range.lowerBound
        }
        return order.map { i in
            let c = chosen[i]
            let source = input.sources[c.source]
            return ExtractiveAnswer.Quote(n: source.n, chunkID: source.chunkID, range: c.range, text: texts[i],
                                          support: c.relevance, evidence: c.vector == nil ? .lexical : .dense)
        }
    }

    /// Cosine when both sentences have vectors, else the Jaccard overlap of their stemmed terms.
    private mutating func similarity(_ a: inout Candidate, _ b: inout Candidate) -> Double {
        if let i = a.vector, let j = b.vector,
           let u = input.sources[a.source].sentences?[i].vector, let v = input.sources[b.source].sentences?[j].vector {
            return Self.dot(u, v)
        }
        let x = a.terms ?? terms(Self.slice(input.sources[a.source].text, a.range))
        let y = b.terms ?? terms(Self.slice(input.sources[b.source].text, b.range))
        a.terms = x
        b.terms = y
        let union = x.union(y).count
        return union == 0 ? 0 : Double(x.intersection(y).count) / Double(union)
    }

    // MARK: Text

    private mutating func lexicalQuestionTerms() -> Set<String> {
        if let questionTerms { return questionTerms }
        let terms = self.terms(input.question)
        questionTerms = terms
        return terms
    }

    /// Stemmed terms with stop words removed. English: the analyzer a tenant's language would
    /// choose is a search setting the generator does not see; stems only need to match themselves.
    private mutating func terms(_ text: String) -> Set<String> {
        if analyzer == nil { analyzer = try? Analyzer(language: "english") }
        return Set(analyzer?.terms(text) ?? [])
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double {
        var sum: Float = 0
        for i in 0..<min(a.count, b.count) { sum += a[i] * b[i] }
        return Double(sum)
    }

    static func slice(_ text: String, _ range: Range<Int>) -> String {
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let upper = utf8.index(lower, offsetBy: range.count)
        return String(text[lower..<upper])
    }

    /// Maximal runs of non-whitespace bytes in the range.
    static func wordCount(_ text: String, _ range: Range<Int>) -> Int {
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let upper = utf8.index(lower, offsetBy: range.count)
        var count = 0
        var inWord = false
        for byte in utf8[lower..<upper] {
            let space = TextSegmenter.isSpace(byte)
            if !space && !inWord { count += 1 }
            inWord = !space
        }
        return count
    }

    /// The sentence on one line: whitespace runs become one space, a leading list marker goes.
    static func quoteText(_ sentence: String) -> String {
        var words = sentence.split(whereSeparator: { $0.isWhitespace })
        if words.count > 1, let first = words.first, ["-", "*", "•", "–", "—"].contains(first) { words.removeFirst() }
        return words.joined(separator: " ")
    }
}
