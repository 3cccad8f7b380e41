import Search
import Testing

@Suite struct FusionTests {
    @Test func weightedReciprocalRankMatchesAHandComputation() {
        // bm25: a b c, dense: c a d; weights 1 and 2, k 60.
        let fused = Fusion.reciprocalRank([["a", "b", "c"], ["c", "a", "d"]], weights: [1, 2])
        let expected: [String: Double] = [
            "a": 1.0 / 61 + 2.0 / 62,
            "b": 1.0 / 62,
            "c": 1.0 / 63 + 2.0 / 61,
            "d": 2.0 / 63,
        ]
        #expect(fused.map(\.id) == ["c", "a", "d", "b"])
        for (id, score) in fused { #expect(abs(score - (expected[id] ?? -1)) < 1e-12) }
    }

    @Test func tiesKeepFirstAppearance() {
        let fused = Fusion.reciprocalRank([[1, 2], [3, 4]], weights: [1, 1], k: 0)
        #expect(fused.map(\.id) == [1, 3, 2, 4])
        #expect(fused.map(\.score) == [1, 1, 0.5, 0.5])
    }

    @Test func duplicatesInOneListCountOnceAndMissingWeightsAreOne() {
        let fused = Fusion.reciprocalRank([["x", "x", "y"], ["y"]], weights: [1], k: 0)
        #expect(fused.map(\.id) == ["y", "x"])
        #expect(fused.map(\.score) == [1.0 / 3 + 1, 1])
    }

    @Test func emptyAndNonFiniteInputsAreHarmless() {
        #expect(Fusion.reciprocalRank([[Int]](), weights: []).isEmpty)
        let fused = Fusion.reciprocalRank([[1], [2]], weights: [.nan, 1], k: -5)
        #expect(fused.map(\.id) == [2, 1])
        #expect(fused.map(\.score) == [1, 0])
    }
}
