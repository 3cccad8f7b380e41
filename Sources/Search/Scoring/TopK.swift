/// Keeps the `k` highest-scoring items seen, in O(log k) per insert (a min-heap on score): scans
/// over a million chunks keep only what can still make the result.
public struct TopK<ID: Hashable & Sendable>: Sendable {
    public let k: Int
    private var heap: [(score: Double, id: ID)] = []

    public init(_ k: Int) {
        self.k = max(0, k)
        heap.reserveCapacity(self.k)
    }

    /// The lowest score still kept once full; anything not above it cannot enter.
    public var threshold: Double { heap.count < k ? -.infinity : heap[0].score }

    public var count: Int { heap.count }

    public mutating func insert(_ id: ID, score: Double) {
        guard k > 0 else { return }
        if heap.count < k {
            heap.append((score, id))
            siftUp(heap.count - 1)
        } else if score > heap[0].score {
            heap[0] = (score, id)
            siftDown(0)
        }
    }

    /// Highest score first; ties broken by insertion order being irrelevant, so by nothing stable.
    public func sorted() -> [(id: ID, score: Double)] {
        heap.sorted { $0.score > $1.score }.map { ($0.id, $0.score) }
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].score < heap[parent].score else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].score < heap[smallest].score { smallest = left }
            if right < heap.count, heap[right].score < heap[smallest].score { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
