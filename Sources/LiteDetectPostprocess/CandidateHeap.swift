/// A box waiting for (or chosen by) non-maximum suppression.
struct ScoredCandidate: Sendable {
    /// Current score (soft-NMS lowers it as boxes get selected).
    var score: Float
    /// Index of the box in the buffer being suppressed; also breaks score ties (lower first).
    var key: Int32
    /// Soft-NMS bookkeeping: how many selected boxes have already decayed `score`.
    var decayedThrough: Int32

    init(score: Float, key: Int32) {
        self.score = score
        self.key = key
        self.decayedThrough = 0
    }

    /// The selection order: higher score first, equal scores by lower key — a strict total order
    /// for non-NaN scores, so every sort or heap built on it gives one deterministic result
    /// (the one a stable descending sort gives, as torchvision's `nms` and TensorFlow's priority queue do).
    @inline(__always)
    func precedes(_ other: ScoredCandidate) -> Bool {
        score > other.score || (score == other.score && key < other.key)
    }
}

/// A binary max-heap (by `ScoredCandidate.precedes`) laid over caller-owned storage, so that
/// building it and popping from it never allocate.
///
/// Popping everything yields candidates in selection order; a buffer already sorted in that order
/// is a valid heap as it stands.
struct CandidateHeap {
    let storage: UnsafeMutableBufferPointer<ScoredCandidate>
    private(set) var count: Int

    /// Takes the first `count` elements of `storage` as the (not yet ordered) content.
    init(storage: UnsafeMutableBufferPointer<ScoredCandidate>, count: Int) {
        precondition(count <= storage.count, "heap content exceeds its storage")
        self.storage = storage
        self.count = count
    }

    var isEmpty: Bool { count == 0 }

    /// Establishes the heap property in O(count).
    mutating func heapify() {
        var parent = count / 2 - 1
        while parent >= 0 {
            siftDown(from: parent)
            parent -= 1
        }
    }

    /// Removes and returns the candidate that comes first in selection order.
    mutating func popFirst() -> ScoredCandidate? {
        guard count > 0 else { return nil }
        let first = storage[0]
        count -= 1
        if count > 0 {
            storage[0] = storage[count]
            siftDown(from: 0)
        }
        return first
    }

    /// Adds a candidate; the storage must have room (a popped candidate is the only thing pushed back).
    mutating func push(_ candidate: ScoredCandidate) {
        precondition(count < storage.count, "heap storage is full")
        var child = count
        count += 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard candidate.precedes(storage[parent]) else { break }
            storage[child] = storage[parent]
            child = parent
        }
        storage[child] = candidate
    }

    private mutating func siftDown(from start: Int) {
        let moving = storage[start]
        var hole = start
        while true {
            var child = 2 * hole + 1
            guard child < count else { break }
            if child + 1 < count && storage[child + 1].precedes(storage[child]) {
                child += 1
            }
            guard storage[child].precedes(moving) else { break }
            storage[hole] = storage[child]
            hole = child
        }
        storage[hole] = moving
    }
}
