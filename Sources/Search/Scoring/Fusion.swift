/// Merging ranked lists (BM25, dense) into one ranking.
public enum Fusion {
    /// Weighted reciprocal rank fusion (Cormack et al., 2009):
    ///
    ///     score(id) = Σ over lists i that contain id: weights[i] / (k + rank_i(id)),  rank from 1
    ///
    /// Only ranks matter, so BM25 scores and cosine similarities need no common scale. k = 60 is
    /// the paper's value: it flattens the head so one list's first place cannot outvote
    /// agreement between lists.
    ///
    /// - Parameters:
    ///   - lists: each list best first. An id repeated within one list counts once, at its best rank.
    ///   - weights: one per list; a missing weight is 1, extra weights are ignored, and a weight
    ///     that is not finite counts as 0 (so a NaN cannot poison the sort).
    ///   - k: the rank offset; negative values are treated as 0.
    /// - Returns: every id that appears in any list, highest score first. Equal scores keep the
    ///   order of first appearance, reading the lists in order, each from its top.
    public static func reciprocalRank<ID: Hashable>(_ lists: [[ID]], weights: [Double], k: Double = 60) -> [(id: ID, score: Double)] {
        let k = k.isFinite ? max(k, 0) : 60
        var position: [ID: Int] = [:]
        var ids: [ID] = []
        var scores: [Double] = []
        position.reserveCapacity(lists.reduce(0) { $0 + $1.count })

        for (listIndex, list) in lists.enumerated() {
            var weight = listIndex < weights.count ? weights[listIndex] : 1
            if !weight.isFinite { weight = 0 }
            var seen = Set<ID>()
            seen.reserveCapacity(list.count)
            for (offset, id) in list.enumerated() where seen.insert(id).inserted {
                let contribution = weight / (k + Double(offset + 1))
                if let slot = position[id] {
                    scores[slot] += contribution
                } else {
                    position[id] = ids.count
                    ids.append(id)
                    scores.append(contribution)
                }
            }
        }

        // Sort slot numbers, not tuples: the explicit tiebreak makes the order stable by contract.
        let order = scores.indices.sorted { a, b in
            scores[a] != scores[b] ? scores[a] > scores[b] : a < b
        }
        return order.map { (id: ids[$0], score: scores[$0]) }
    }
}
