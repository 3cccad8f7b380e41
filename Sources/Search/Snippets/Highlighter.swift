/// Picks the passage of a chunk to show under a search hit, and where the query's words are in it.
///
/// Offsets and lengths are in Unicode scalars (code points), not Characters: a scalar index
/// means the same thing in JavaScript (`Array.from(s)`), Python (`s[i]`) and PostgreSQL, while
/// grapheme clustering depends on the Unicode version of whoever reads it. `maxCharacters`
/// counts scalars too.
///
/// Stateless; the `Analyzer` passed in carries the thread rule (one per thread).
public enum Highlighter {
    /// The window of `text`, at most `maxCharacters` scalars long including any "…", that holds
    /// the most distinct query terms (then the most matches; then the earliest), with the matched
    /// words' ranges in the returned snippet.
    ///
    /// - A word matches when the analyzer's term for it is in `queryTerms` (analyzed forms, as
    ///   `Analyzer.terms` gives them for the query), so "running" highlights for the query "runs".
    /// - The window is centred on the matches and cut at whitespace where it can; a side that was
    ///   cut gets "…". A word longer than the whole window is cut inside.
    /// - Runs of whitespace (newlines included) become one space, and the ends are trimmed.
    /// - No match, or no query terms: the start of the text.
    /// - Empty text, or `maxCharacters` ≤ 0: ("", []). Below 3 the limit cannot hold both "…"
    ///   marks and a scalar of text; the snippet then keeps one scalar of text plus the marks.
    public static func snippet(text: String, queryTerms: Set<String>, analyzer: Analyzer,
                               maxCharacters: Int = 240) -> (snippet: String, highlights: [Range<Int>]) {
        guard !text.isEmpty, maxCharacters > 0 else { return ("", []) }
        let scalars = Array(text.unicodeScalars)
        let matches = findMatches(text, queryTerms: queryTerms, analyzer: analyzer)
        let count = scalars.count

        if count <= maxCharacters {
            return render(scalars, window: 0..<count, matches: matches[...])
        }
        // Room for "…" at both ends; with a tiny limit, at least one scalar of text.
        let budget = max(1, maxCharacters - 2)
        guard let best = bestSpan(matches, budget: budget) else {
            let end = cutEnd(scalars, proposed: budget, notBefore: 1)
            return render(scalars, window: 0..<end, matches: [])
        }
        let spanStart = matches[best.lowerBound].start
        let spanEnd = min(matches[best.upperBound - 1].end, spanStart + budget)
        let slack = budget - (spanEnd - spanStart)
        var start = max(0, spanStart - slack / 2)
        var end = min(count, start + budget)
        if end == count { start = max(0, count - budget) }
        start = cutStart(scalars, proposed: start, notAfter: spanStart)
        end = cutEnd(scalars, proposed: end, notBefore: spanEnd)
        return render(scalars, window: start..<end, matches: matches[best])
    }

    /// A matched word, in scalar offsets of the original text; `term` numbers the distinct query term.
    struct Match {
        var start: Int
        var end: Int
        var term: Int
    }

    /// Every word whose term is a query term, in order, converting the analyzer's UTF-8 byte
    /// ranges to scalar offsets with one forward walk (words come in order).
    static func findMatches(_ text: String, queryTerms: Set<String>, analyzer: Analyzer) -> [Match] {
        guard !queryTerms.isEmpty else { return [] }
        var termNumbers: [String: Int] = [:]
        for (number, term) in queryTerms.enumerated() { termNumbers[term] = number }
        var matches: [Match] = []
        var utf8 = text
        utf8.withUTF8 { bytes in
            var byteOffset = 0, scalarOffset = 0
            // Scalars start at every byte that is not a continuation byte (10xxxxxx).
            func advance(to target: Int) -> Int {
                while byteOffset < target && byteOffset < bytes.count {
                    if bytes[byteOffset] & 0xC0 != 0x80 { scalarOffset += 1 }
                    byteOffset += 1
                }
                return scalarOffset
            }
            analyzer.forEachTerm(in: text) { term, range in
                guard let number = termNumbers[String(decoding: term, as: UTF8.self)] else { return }
                let start = advance(to: range.lowerBound)
                let end = advance(to: range.upperBound)
                if end > start { matches.append(Match(start: start, end: end, term: number)) }
            }
        }
        return matches
    }

    /// The matches[i..<j] to show: most distinct terms, then most matches, then earliest, among
    /// runs that fit in `budget` scalars (a single match always counts as fitting). Two pointers:
    /// O(matches).
    static func bestSpan(_ matches: [Match], budget: Int) -> Range<Int>? {
        guard !matches.isEmpty else { return nil }
        let termCount = (matches.map(\.term).max() ?? 0) + 1
        var perTerm = [Int](repeating: 0, count: termCount)
        var distinct = 0
        var best: (range: Range<Int>, distinct: Int, total: Int) = (0..<1, 0, 0)
        var upper = 0
        for lower in matches.indices {
            if upper == lower {
                if perTerm[matches[upper].term] == 0 { distinct += 1 }
                perTerm[matches[upper].term] += 1
                upper += 1
            }
            while upper < matches.count, matches[upper].end - matches[lower].start <= budget {
                if perTerm[matches[upper].term] == 0 { distinct += 1 }
                perTerm[matches[upper].term] += 1
                upper += 1
            }
            let total = upper - lower
            if distinct > best.distinct || (distinct == best.distinct && total > best.total) {
                best = (lower..<upper, distinct, total)
            }
            perTerm[matches[lower].term] -= 1
            if perTerm[matches[lower].term] == 0 { distinct -= 1 }
        }
        return best.range
    }

    /// Moves a window start forward to just after whitespace, but not past `notAfter`; failing
    /// that, at least off combining marks so no accent is cut from its letter.
    static func cutStart(_ scalars: [Unicode.Scalar], proposed: Int, notAfter limit: Int) -> Int {
        guard proposed > 0 else { return 0 }
        var position = proposed
        while position <= limit && position < scalars.count {
            if isSpace(scalars[position - 1]) { return position }
            position += 1
        }
        position = proposed
        while position < limit && position < scalars.count && isMark(scalars[position]) { position += 1 }
        return position
    }

    /// Moves a window end back to whitespace, but not before `notBefore`; failing that, off
    /// combining marks.
    static func cutEnd(_ scalars: [Unicode.Scalar], proposed: Int, notBefore limit: Int) -> Int {
        guard proposed < scalars.count else { return scalars.count }
        var position = proposed
        while position >= limit && position > 0 {
            if isSpace(scalars[position]) || isSpace(scalars[position - 1]) { return position }
            position -= 1
        }
        position = proposed
        while position > limit && position > 0 && isMark(scalars[position]) { position -= 1 }
        return max(position, 1)
    }

    /// Builds the snippet from `window`: collapses whitespace, trims, adds "…" where cut, and maps
    /// each match inside the window to the output's scalar offsets.
    static func render(_ scalars: [Unicode.Scalar], window: Range<Int>, matches: ArraySlice<Match>) -> (snippet: String, highlights: [Range<Int>]) {
        var out = String.UnicodeScalarView()
        var written = 0
        if window.lowerBound > 0 { out.append("…"); written += 1 }
        // outputAt[i - window.lowerBound]: where scalar i landed (or would have, if collapsed).
        var outputAt = [Int](repeating: 0, count: window.count)
        var pendingSpace = false
        for index in window {
            let scalar = scalars[index]
            if isSpace(scalar) {
                pendingSpace = written > (window.lowerBound > 0 ? 1 : 0)
                outputAt[index - window.lowerBound] = written
                continue
            }
            if pendingSpace { out.append(" "); written += 1; pendingSpace = false }
            outputAt[index - window.lowerBound] = written
            out.append(scalar)
            written += 1
        }
        if window.upperBound < scalars.count { out.append("…") }

        var highlights: [Range<Int>] = []
        for match in matches {
            let start = max(match.start, window.lowerBound), end = min(match.end, window.upperBound)
            guard start < end else { continue }
            let lower = outputAt[start - window.lowerBound]
            let upper = outputAt[end - 1 - window.lowerBound] + 1
            if lower < upper { highlights.append(lower..<upper) }
        }
        return (String(out), highlights)
    }

    @inline(__always)
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? (scalar == " " || (0x09...0x0D).contains(scalar.value)) : scalar.properties.isWhitespace
    }

    static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: scalar.value == 0x200D || (0xFE00...0xFE0F).contains(scalar.value)
        }
    }
}
