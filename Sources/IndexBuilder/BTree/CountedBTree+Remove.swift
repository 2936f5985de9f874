extension CountedBTree {
    /// Removes and returns the element at `rank`.
    ///
    /// A leaf that falls below a quarter of its capacity, or an interior node below a quarter of
    /// its children, borrows from or merges with a neighbour, and a root left with one child is
    /// replaced by that child, so the tree stays O(log n) high.
    ///
    /// - Precondition: `0 <= rank < count`.
    /// - Complexity: O(log n), plus moving up to two nodes' worth of elements; copies the nodes
    ///   on the path that another tree value shares.
    @discardableResult
    public mutating func remove(atRank rank: Int) -> Element {
        precondition(rank >= 0 && rank < count, "rank \(rank) is outside 0..<\(count)")
        makeRootUnique()
        let removed = Self.remove(
            atRank: rank, from: root, leafMinimum: leafMinimum, interiorMinimum: interiorMinimum,
            leafCapacity: leafCapacity, interiorCapacity: interiorCapacity)
        while !root.isLeaf && root.children.count == 1 {
            root = root.children[0]
        }
        return removed
    }

    private static func remove(
        atRank rank: Int, from node: Node, leafMinimum: Int, interiorMinimum: Int, leafCapacity: Int,
        interiorCapacity: Int
    ) -> Element {
        node.total &-= 1
        if node.isLeaf {
            return node.elements.remove(at: rank)
        }
        let (index, inner) = node.child(containing: rank)
        node.makeChildUnique(index)
        let removed = remove(
            atRank: inner, from: node.children[index], leafMinimum: leafMinimum,
            interiorMinimum: interiorMinimum, leafCapacity: leafCapacity, interiorCapacity: interiorCapacity)
        node.counts[index] &-= 1
        let underfull =
            node.children[index].isLeaf
            ? node.counts[index] < leafMinimum : node.children[index].children.count < interiorMinimum
        if underfull && node.children.count > 1 {
            let left = index + 1 < node.children.count ? index : index - 1
            rebalance(node, left: left, leafCapacity: leafCapacity, interiorCapacity: interiorCapacity)
        }
        return removed
    }

    /// Merges `children[left]` with `children[left + 1]` when they fit in one node, or else
    /// shares their contents evenly between them.
    private static func rebalance(_ node: Node, left: Int, leafCapacity: Int, interiorCapacity: Int) {
        node.makeChildUnique(left)
        node.makeChildUnique(left + 1)
        let first = node.children[left]
        let second = node.children[left + 1]
        if first.isLeaf {
            if first.elements.count + second.elements.count <= leafCapacity {
                first.elements.append(contentsOf: second.elements)
                first.total = first.elements.count
                removeChild(left + 1, from: node)
            } else {
                shareLeaves(first, second)
                node.elements[left] = second.elements[0]
            }
        } else {
            let separator = node.elements[left]
            if first.children.count + second.children.count <= interiorCapacity {
                first.elements.append(separator)
                first.elements.append(contentsOf: second.elements)
                first.children.append(contentsOf: second.children)
                first.counts.append(contentsOf: second.counts)
                first.total &+= second.total
                removeChild(left + 1, from: node)
            } else {
                node.elements[left] = shareInterior(first, second, separator: separator)
            }
        }
        node.counts[left] = first.total
        if left + 1 < node.children.count && node.children[left + 1] === second {
            node.counts[left + 1] = second.total
        }
    }

    private static func removeChild(_ index: Int, from node: Node) {
        node.children.remove(at: index)
        node.counts.remove(at: index)
        node.elements.remove(at: index - 1)
    }

    /// Moves elements between two neighbouring leaves until they differ by at most one.
    private static func shareLeaves(_ first: Node, _ second: Node) {
        let target = (first.elements.count + second.elements.count) / 2
        if first.elements.count > target {
            let moved = first.elements[target...]
            second.elements.insert(contentsOf: moved, at: 0)
            first.elements.removeSubrange(target...)
        } else {
            let take = target - first.elements.count
            first.elements.append(contentsOf: second.elements[..<take])
            second.elements.removeSubrange(..<take)
        }
        first.total = first.elements.count
        second.total = second.elements.count
    }

    /// Shares the children of two neighbouring interior nodes evenly, rotating separators through
    /// the parent; returns the parent's new separator between them.
    private static func shareInterior(_ first: Node, _ second: Node, separator: Element) -> Element {
        var children = first.children
        children.append(contentsOf: second.children)
        var counts = first.counts
        counts.append(contentsOf: second.counts)
        var separators = first.elements
        separators.append(separator)
        separators.append(contentsOf: second.elements)
        let middle = children.count / 2
        first.children = ContiguousArray(children[..<middle])
        first.counts = ContiguousArray(counts[..<middle])
        first.elements = ContiguousArray(separators[..<(middle - 1)])
        second.children = ContiguousArray(children[middle...])
        second.counts = ContiguousArray(counts[middle...])
        second.elements = ContiguousArray(separators[middle...])
        first.total = first.counts.reduce(0, &+)
        second.total = second.counts.reduce(0, &+)
        return separators[middle - 1]
    }
}

extension CountedBTree where Element: Equatable {
    /// Removes one element equal to `element`, if the tree holds one.
    ///
    /// - Returns: Whether an element was removed.
    /// - Complexity: O(log n + e), where e is the number of elements that order the same as
    ///   `element` but are not equal to it.
    @discardableResult
    public mutating func remove(
        _ element: Element, by areInIncreasingOrder: (Element, Element) throws -> Bool
    )
        rethrows -> Bool
    {
        guard let rank = try rank(of: element, by: areInIncreasingOrder) else { return false }
        remove(atRank: rank)
        return true
    }
}
