/// Every `EmbeddingProvider` returns unit-length vectors: search scores by dot product, which is
/// the cosine only for unit vectors, and vectors from a model without a Normalize module (or from a
/// remote service) would otherwise rank by length as much as by direction.
enum UnitVector {
    /// Nil for a zero or non-finite vector. Accumulates in Double so thousands of squares of small
    /// components do not lose precision.
    static func normalized(_ vector: [Float]) -> [Float]? {
        var sum = 0.0
        for value in vector { sum += Double(value) * Double(value) }
        guard sum.isFinite, sum > 0 else { return nil }
        let scale = Float(1 / sum.squareRoot())
        return vector.map { $0 * scale }
    }
}
