extension CountedBTree {
    /// Builds a tree from elements that are already in order, filling every leaf and interior node
    /// (the last of each level may be smaller).
    ///
    /// This is how an index is rebuilt at start-up: far faster than inserting one by one, and the
    /// result uses the least memory.
    ///
    /// - Parameters:
    ///   - sorted: The elements in increasing order; the order is not checked here (use
    ///     `checkInvariants(by:)` in tests).
    ///   - leafCapacity: Elements per leaf, at least 4; by default as many as fit in 2 KiB.
    ///   - interiorCapacity: Children per interior node, at least 4.
    /// - Complexity: O(n).
    public init<Elements: Sequence<Element>>(
        sorted: Elements, leafCapacity: Int? = nil, interiorCapacity: Int = 64
    ) {
        self.init(leafCapacity: leafCapacity, interiorCapacity: interiorCapacity)
        var level = ContiguousArray<Node>()
        var firsts = ContiguousArray<Element>()
        var leaf = ContiguousArray<Element>()
        leaf.reserveCapacity(self.leafCapacity)
        for element in sorted {
            if leaf.count == self.leafCapacity {
                firsts.append(leaf[0])
                level.append(Node(leaf: leaf))
                leaf = ContiguousArray()
                leaf.reserveCapacity(self.leafCapacity)
            }
            leaf.append(element)
        }
        guard !leaf.isEmpty else { return }
        firsts.append(leaf[0])
        level.append(Node(leaf: leaf))
        while level.count > 1 {
            (level, firsts) = buildLevel(above: level, firsts: firsts)
        }
        root = level[0]
    }

    /// Groups one level of nodes under interior nodes of `interiorCapacity` children; a short
    /// last group is evened out with the one before it so no node is underfull.
    private func buildLevel(
        above level: ContiguousArray<Node>, firsts: ContiguousArray<Element>
    )
        -> (ContiguousArray<Node>, ContiguousArray<Element>)
    {
        var bounds: [Int] = Array(stride(from: 0, to: level.count, by: interiorCapacity))
        bounds.append(level.count)
        let groups = bounds.count - 1
        if groups >= 2 && bounds[groups] - bounds[groups - 1] < interiorMinimum {
            bounds[groups - 1] = (bounds[groups - 2] + bounds[groups]) / 2
        }
        var parents = ContiguousArray<Node>()
        var parentFirsts = ContiguousArray<Element>()
        parents.reserveCapacity(groups)
        for group in 0..<groups {
            let range = bounds[group]..<bounds[group + 1]
            let counts = ContiguousArray(range.lazy.map { level[$0].total })
            let node = Node(
                children: ContiguousArray(level[range]),
                separators: ContiguousArray(firsts[(range.lowerBound + 1)..<range.upperBound]),
                counts: counts)
            parents.append(node)
            parentFirsts.append(firsts[range.lowerBound])
        }
        return (parents, parentFirsts)
    }
}
