extension CountedBTree {
    /// Inserts `element` after every element that orders the same as it.
    ///
    /// - Returns: The rank the element now has.
    /// - Complexity: O(log n) comparisons, plus moving up to `leafCapacity` elements within a
    ///   leaf; copies the nodes on the path that another tree value shares.
    @discardableResult
    public mutating func insert(_ element: Element, by areInIncreasingOrder: (Element, Element) throws -> Bool)
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
    public mutating func insert(_ element: Element, atPartitionOf isBefore: (Element) throws -> Bool) rethrows
        -> Int
    {
        makeRootUnique()
        var rank = 0
        let split = try Self.insert(
            element, into: root, isBefore, rank: &rank, leafCapacity: leafCapacity,
            interiorCapacity: interiorCapacity)
        if let (separator, right) = split {
            root = Node(children: [root, right], separators: [separator], counts: [root.total, right.total])
        }
        return rank
    }

    /// Inserts into the subtree of a uniquely referenced `node`; returns the separator and the new
    /// right sibling when the node had to split.
    private static func insert(
        _ element: Element, into node: Node, _ isBefore: (Element) throws -> Bool, rank: inout Int,
        leafCapacity: Int, interiorCapacity: Int
    ) rethrows -> (Element, Node)? {
        let index = try node.partitionIndex(isBefore)
        if node.isLeaf {
            rank &+= index
            return insert(element, intoLeaf: node, at: index, leafCapacity: leafCapacity)
        }
        for child in 0..<index { rank &+= node.counts[child] }
        if try prependToNextLeaf(element, in: node, child: index, isBefore, rank: &rank, leafCapacity: leafCapacity) {
            return nil
        }
        node.makeChildUnique(index)
        let split = try insert(
            element, into: node.children[index], isBefore, rank: &rank, leafCapacity: leafCapacity,
            interiorCapacity: interiorCapacity)
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
        return splitInterior(node)
    }

    /// Inserts into a uniquely referenced leaf; splits it when full.
    ///
    /// Appending past the end of a full leaf starts a new leaf with just the element, so that
    /// ascending insertions leave full leaves behind; any other overflow splits in half.
    private static func insert(_ element: Element, intoLeaf leaf: Node, at index: Int, leafCapacity: Int)
        -> (Element, Node)?
    {
        if leaf.elements.count < leafCapacity {
            leaf.elements.insert(element, at: index)
            leaf.total &+= 1
            return nil
        }
        var right = ContiguousArray<Element>()
        right.reserveCapacity(leafCapacity)
        if index == leaf.elements.count {
            right.append(element)
            return (element, Node(leaf: right))
        }
        let half = leaf.elements.count / 2
        right.append(contentsOf: leaf.elements[half...])
        leaf.elements.removeSubrange(half...)
        if index <= half {
            leaf.elements.insert(element, at: index)
        } else {
            right.insert(element, at: index - half)
        }
        leaf.total = leaf.elements.count
        return (right[0], Node(leaf: right))
    }

    /// When the element belongs at the very end of a full leaf whose right neighbour (under the
    /// same parent) has room, puts it at the front of the neighbour instead of splitting, so that
    /// descending runs of insertions do not leave a trail of one-element leaves.
    private static func prependToNextLeaf(
        _ element: Element, in node: Node, child index: Int, _ isBefore: (Element) throws -> Bool,
        rank: inout Int, leafCapacity: Int
    ) rethrows -> Bool {
        let next = index + 1
        guard next < node.children.count, node.children[index].isLeaf,
            node.counts[index] == leafCapacity, node.counts[next] < leafCapacity
        else { return false }
        guard let last = node.children[index].elements.last, try isBefore(last) else { return false }
        node.makeChildUnique(next)
        let neighbour = node.children[next]
        neighbour.elements.insert(element, at: 0)
        neighbour.total &+= 1
        node.counts[next] &+= 1
        node.total &+= 1
        node.elements[index] = element
        rank &+= node.counts[index]
        return true
    }

    /// Splits an overfull interior node in half; returns the separator that moves up and the new
    /// right half.
    private static func splitInterior(_ node: Node) -> (Element, Node) {
        let middle = node.children.count / 2
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
