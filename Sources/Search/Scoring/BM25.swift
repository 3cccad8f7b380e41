import Glibc

/// Okapi BM25 as Lucene computes it (since Lucene 8: no (k1 + 1) factor in the numerator, which
/// only scales every score alike), so figures compare with Anserini's published runs.
///
///     idf(t)   = ln(1 + (N - df + 0.5) / (df + 0.5))
///     score    = Σ over query terms t: idf(t) · tf / (tf + k1 · (1 - b + b · dl / avgdl))
///
/// N, df and avgdl are the tenant's own statistics over the chunks a search may see.
public struct BM25Parameters: Sendable, Equatable, Codable {
    /// Term-frequency saturation. 0.9 with b 0.4 are Anserini's BEIR defaults.
    public var k1: Double
    /// Document-length normalization, 0 (none) to 1 (full).
    public var b: Double

    public init(k1: Double = 0.9, b: Double = 0.4) {
        self.k1 = k1
        self.b = b
    }
}

/// Collection statistics BM25 needs.
public struct BM25Statistics: Sendable, Equatable {
    /// Chunks in the collection (N).
    public var documentCount: Int
    /// Mean chunk length in terms (after analysis).
    public var averageLength: Double

    public init(documentCount: Int, averageLength: Double) {
        self.documentCount = documentCount
        self.averageLength = averageLength
    }
}

public enum BM25 {
    @inline(__always)
    public static func idf(documentFrequency df: Int, documentCount n: Int) -> Double {
        let df = Double(max(df, 0)), n = Double(max(n, 0))
        return log(1 + (n - df + 0.5) / (df + 0.5))
    }

    /// One term's contribution for a chunk of `length` terms containing it `tf` times.
    @inline(__always)
    public static func termScore(tf: Int, length: Int, idf: Double, statistics: BM25Statistics, parameters: BM25Parameters) -> Double {
        guard tf > 0 else { return 0 }
        let tf = Double(tf)
        let average = statistics.averageLength > 0 ? statistics.averageLength : 1
        let norm = parameters.k1 * (1 - parameters.b + parameters.b * Double(length) / average)
        return idf * tf / (tf + norm)
    }
}
