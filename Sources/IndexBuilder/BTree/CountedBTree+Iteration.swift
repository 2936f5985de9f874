extension CountedBTree {
    /// Calls `body` with consecutive runs of the elements at `ranks`, in order (or in reverse order
    /// of runs when `reverse` is true; each run itself is always in increasing order), until
    /// `body` returns false.
    ///
    /// This is the fastest way to scan a range: each run is one leaf's contiguous storage. The
    /// buffer is valid only during the call.
    ///
    /// - Returns: false if `body` stopped the scan.
    /// - Complexity: O(log n + k / leafCapacity) node visits for k elements, plus the calls.
    @discardableResult
    public func forEachRun(
        inRanks ranks: Range<Int>, reverse: Bool = false,
        _ body: (UnsafeBufferPointer<Element>) throws -> Bool
    ) rethrows -> Bool {
        let lower = Swift.max(0, ranks.lowerBound)
        let upper = Swift.min(count, ranks.upperBound)
        guard lower < upper else { return true }
        return try Self.visitRuns(of: root, lower: lower, upper: upper, reverse: reverse, body)
    }

    private static func visitRuns(
        of node: Node, lower: Int, upper: Int, reverse: Bool,
        _ body: (UnsafeBufferPointer<Element>) throws -> Bool
    ) rethrows -> Bool {
        if node.isLeaf {
            return try node.elements.withUnsafeBufferPointer { buffer in
                try body(UnsafeBufferPointer(rebasing: buffer[lower..<upper]))
            }
        }
        if reverse {
            var end = node.total
            for index in stride(from: node.children.count - 1, through: 0, by: -1) {
                let start = end - node.counts[index]
                if start < upper && end > lower {
                    let keepGoing = try visitRuns(
                        of: node.children[index], lower: Swift.max(lower, start) - start,
                        upper: Swift.min(upper, end) - start, reverse: true, body)
                    if !keepGoing { return false }
                }
                if start <= lower { break }
                end = start
            }
        } else {
            var start = 0
            for index in 0..<node.children.count {
                let end = start + node.counts[index]
                if end > lower && start < upper {
                    let keepGoing = try visitRuns(
                        of: node.children[index], lower: Swift.max(lower, start) - start,
                        upper: Swift.min(upper, end) - start, reverse: false, body)
                    if !keepGoing { return false }
                }
                if end >= upper { break }
                start = end
            }
        }
        return true
    }

    /// Calls `body` with each element at `ranks`, in increasing order or, when `reverse` is true,
    /// in decreasing order, until `body` returns false.
    ///
    /// - Returns: false if `body` stopped the scan.
    /// - Complexity: O(log n + k) for k elements visited.
    @discardableResult
    public func forEach(
        inRanks ranks: Range<Int>, reverse: Bool = false, _ body: (Element) throws -> Bool
    ) rethrows -> Bool {
        try forEachRun(inRanks: ranks, reverse: reverse) { run in
            if reverse {
                for index in stride(from: run.count - 1, through: 0, by: -1) where try !body(run[index]) {
                    return false
                }
            } else {
                for element in run where try !body(element) {
                    return false
                }
            }
            return true
        }
    }

    /// Calls `body` with the element at `rank` and each one after it (or, when `reverse` is true,
    /// each one before it, down to rank 0), until `body` returns false.
    ///
    /// - Complexity: O(log n + k) for k elements visited.
    @discardableResult
    public func forEach(
        fromRank rank: Int, reverse: Bool = false, _ body: (Element) throws -> Bool
    ) rethrows
        -> Bool
    {
        let ranks = reverse ? 0..<(rank + 1) : rank..<count
        return try forEach(inRanks: ranks, reverse: reverse, body)
    }

    /// A lazy iterator over the elements from `rank` on, in increasing order (or, when `reverse` is
    /// true, from `rank` down to rank 0).
    ///
    /// The iterator holds the tree's nodes as they are now; later changes to the tree do not
    /// affect it.
    ///
    /// - Complexity: O(log n) to create; each `next()` is amortised O(1) and O(log n) at worst.
    public func makeIterator(fromRank rank: Int, reverse: Bool = false) -> RankIterator {
        RankIterator(root: root, rank: rank, reverse: reverse)
    }

    /// Iterates a tree's elements in either direction from a starting rank.
    public struct RankIterator: IteratorProtocol {
        private var path: ContiguousArray<(node: Node, index: Int)> = []
        private var leaf: Node
        private var position: Int
        private var remaining: Int
        private let reverse: Bool

        init(root: Node, rank: Int, reverse: Bool) {
            self.reverse = reverse
            let total = root.total
            if reverse {
                remaining = rank < 0 ? 0 : Swift.min(rank, total - 1) + 1
            } else {
                remaining = rank >= total ? 0 : total - Swift.max(0, rank)
            }
            var node = root
            var inner = remaining == 0 ? 0 : (reverse ? remaining - 1 : Swift.max(0, rank))
            while !node.isLeaf {
                let (index, rest) = node.child(containing: inner)
                path.append((node, index))
                inner = rest
                node = node.children[index]
            }
            leaf = node
            position = inner
        }

        /// The next element, or nil past the end.
        public mutating func next() -> Element? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            if reverse {
                if position < 0 { stepToPreviousLeaf() }
                defer { position -= 1 }
                return leaf.elements[position]
            }
            if position >= leaf.elements.count { stepToNextLeaf() }
            defer { position += 1 }
            return leaf.elements[position]
        }

        private mutating func stepToNextLeaf() {
            while let top = path.last, top.index == top.node.children.count - 1 {
                path.removeLast()
            }
            path[path.count - 1].index += 1
            var node = path[path.count - 1].node.children[path[path.count - 1].index]
            while !node.isLeaf {
                path.append((node, 0))
                node = node.children[0]
            }
            leaf = node
            position = 0
        }

        private mutating func stepToPreviousLeaf() {
            while let top = path.last, top.index == 0 {
                path.removeLast()
            }
            path[path.count - 1].index -= 1
            var node = path[path.count - 1].node.children[path[path.count - 1].index]
            while !node.isLeaf {
                path.append((node, node.children.count - 1))
                node = node.children[node.children.count - 1]
            }
            leaf = node
            position = node.elements.count - 1
        }
    }
}

extension CountedBTree: Sequence {
    /// An iterator over all elements in increasing order.
    ///
    /// - Complexity: O(log n) to create.
    public func makeIterator() -> RankIterator {
        makeIterator(fromRank: 0)
    }

    /// The number of elements; a sequence of known length.
    public var underestimatedCount: Int { count }
}
