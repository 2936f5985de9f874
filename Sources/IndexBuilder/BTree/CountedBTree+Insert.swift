extension CountedBTree {
    /// Inserts `element` after every element that orders the same as it.
    ///
    /// - Returns: The rank the element now has.
    /// - Complexity: O(log n) comparisons, plus moving up to `leafCapacity` elements within a
    ///   leaf; copies the nodes on the path that another tree value shares.
    @discardableResult
    public mutating func insert(
        _ element: Element, by areInIncreasingOrder: (Element, Element) throws -> Bool
    )
        rethrows -> Int
    {
        try insert(element, atPartitionOf: { try !areInIncreasingOrder(element, $0) })
    }

    /// Inserts `element` at the partition point of `isBefore`: after every element for which it
    /// is true and before every element for which it is false.
    ///
    /// The caller guarantees that the position keeps the tree ordered. If `isBefore` throws, the
    /// tree is left as it was.
    ///
    /// - Returns: The rank the element now has.
    /// - Complexity: O(log n) predicate calls, plus moving up to `leafCapacity` elements within a
    ///   leaf; copies the nodes on the path that another tree value shares.
    @discardableResult
    public mutating func insert(
        _ element: Element, atPartitionOf isBefore: (Element) throws -> Bool
    ) rethrows
        -> Int
    {
        makeRootUnique()
        var rank = 0
        let split = try Self.insert(
            element, into: root, isBefore, rank: &rank, rightmost: true, leafCapacity: leafCapacity,
            interiorCapacity: interiorCapacity)
        if let (separator, right) = split {
            root = Node(children: [root, right], separators: [separator], counts: [root.total, right.total])
        }
        return rank
    }

    /// Inserts into the subtree of a uniquely referenced `node`, which is the last of its level
    /// when `rightmost`; returns the separator and the new right sibling when the node had to split.
    private static func insert(
        _ element: Element, into node: Node, _ isBefore: (Element) throws -> Bool, rank: inout Int,
        rightmost: Bool, leafCapacity: Int, interiorCapacity: Int
    ) rethrows -> (Element, Node)? {
        let index = try node.partitionIndex(isBefore)
        if node.isLeaf {
            rank &+= index
            return insert(element, intoLeaf: node, at: index, rightmost: rightmost, leafCapacity: leafCapacity)
        }
        rank &+= node.elementsBefore(child: index)
        let childIsRightmost = rightmost && index == node.children.count - 1
        if node.counts[index] == leafCapacity && node.children[index].isLeaf {
            let shifted = try shiftIntoNeighbour(
                element, in: node, child: index, isBefore, rank: &rank, rightmost: childIsRightmost,
                leafCapacity: leafCapacity)
            if shifted {
                node.total &+= 1
                return nil
            }
        }
        node.makeChildUnique(index)
        let split = try insert(
            element, into: node.children[index], isBefore, rank: &rank, rightmost: childIsRightmost,
            leafCapacity: leafCapacity, interiorCapacity: interiorCapacity)
        node.total &+= 1
        guard let (separator, right) = split else {
            node.counts[index] &+= 1
            return nil
        }
        node.counts[index] = node.children[index].total
        node.children.insert(right, at: index + 1)
        node.counts.insert(right.total, at: index + 1)
        node.elements.insert(separator, at: index)
        guard node.children.count > interiorCapacity else { return nil }
        let appending = rightmost && index + 1 == node.children.count - 1
        let minimum = Swift.max(2, interiorCapacity / 4)
        return splitInterior(node, at: appending ? node.children.count - minimum : node.children.count / 2)
    }

    /// Inserts into a uniquely referenced leaf; splits it when full.
    ///
    /// A full leaf splits where the element goes, kept at least an eighth of the way in from
    /// either end. Entries of a key are appended at the end of that key's run, in the middle of a
    /// leaf, so this split leaves the run's end with room to grow and the following key's run
    /// untouched, and leaves end up about seven-eighths full instead of half. Appending past the
    /// last element of the whole tree starts a new leaf with just the element, which keeps
    /// purely ascending insertions (the time index) at full leaves.
    private static func insert(
        _ element: Element, intoLeaf leaf: Node, at index: Int, rightmost: Bool, leafCapacity: Int
    ) -> (Element, Node)? {
        let count = leaf.elements.count
        if count < leafCapacity {
            leaf.elements.insert(element, at: index)
            leaf.total &+= 1
            return nil
        }
        var right = ContiguousArray<Element>()
        right.reserveCapacity(leafCapacity)
        if rightmost && index == count {
            right.append(element)
            return (element, Node(leaf: right))
        }
        let margin = Swift.max(1, count / 8)
        let split = Swift.min(Swift.max(index, margin), count - margin)
        right.append(contentsOf: leaf.elements[split...])
        leaf.elements.removeSubrange(split...)
        if index <= split {
            leaf.elements.insert(element, at: index)
        } else {
            right.insert(element, at: index - split)
        }
        leaf.total = leaf.elements.count
        return (right[0], Node(leaf: right))
    }

    /// Makes room in the full leaf `children[index]` by moving one element into a neighbouring leaf
    /// that has room (the right one first), then inserts; returns false, changing nothing, when
    /// neither neighbour has room or the tree is growing at its right edge (a new leaf is better).
    ///
    /// Late arrivals and per-key appends land in full leaves behind the edge of growth; moving an
    /// element along instead of splitting keeps those leaves full.
    private static func shiftIntoNeighbour(
        _ element: Element, in node: Node, child index: Int, _ isBefore: (Element) throws -> Bool,
        rank: inout Int, rightmost: Bool, leafCapacity: Int
    ) rethrows -> Bool {
        let position = try node.children[index].partitionIndex(isBefore)
        let count = node.counts[index]
        if rightmost && position == count { return false }
        if index + 1 < node.children.count && node.counts[index + 1] < leafCapacity {
            node.makeChildUnique(index)
            node.makeChildUnique(index + 1)
            let leaf = node.children[index]
            let next = node.children[index + 1]
            if position == count {
                next.elements.insert(element, at: 0)
            } else {
                next.elements.insert(leaf.elements.removeLast(), at: 0)
                leaf.elements.insert(element, at: position)
            }
            next.total &+= 1
            node.counts[index + 1] &+= 1
            node.elements[index] = next.elements[0]
        } else if index > 0 && node.counts[index - 1] < leafCapacity {
            node.makeChildUnique(index - 1)
            node.makeChildUnique(index)
            let previous = node.children[index - 1]
            let leaf = node.children[index]
            if position == 0 {
                previous.elements.append(element)
            } else {
                previous.elements.append(leaf.elements.removeFirst())
                leaf.elements.insert(element, at: position - 1)
            }
            previous.total &+= 1
            node.counts[index - 1] &+= 1
            node.elements[index - 1] = position == 0 ? element : leaf.elements[0]
        } else {
            return false
        }
        rank &+= position
        return true
    }

    /// Splits an overfull interior node before child `middle`: in half, or, when the tree grows at
    /// its right edge, leaving the left node full and the fewest children allowed on the right.
    /// Returns the separator that moves up and the new right node.
    private static func splitInterior(_ node: Node, at middle: Int) -> (Element, Node) {
        let right = Node(
            children: ContiguousArray(node.children[middle...]),
            separators: ContiguousArray(node.elements[middle...]),
            counts: ContiguousArray(node.counts[middle...]))
        let promoted = node.elements[middle - 1]
        node.children.removeSubrange(middle...)
        node.counts.removeSubrange(middle...)
        node.elements.removeSubrange((middle - 1)...)
        node.total &-= right.total
        return (promoted, right)
    }
}
