extension CountedBTree {
    /// The number of elements for which `isBefore` is true, that is the rank of the first element
    /// for which it is false (`count` if there is none).
    ///
    /// `isBefore` must be a partition predicate in the tree's order: true for a prefix of the
    /// elements and false for the rest, for example `{ $0 < probe }` (the lower bound of `probe`)
    /// or `{ !(probe < $0) }` (its upper bound).
    ///
    /// - Complexity: O(log n) calls of `isBefore`.
    public func partitionRank(where isBefore: (Element) throws -> Bool) rethrows -> Int {
        var node = root
        var rank = 0
        while !node.isLeaf {
            let index = try node.partitionIndex(isBefore)
            rank &+= node.elementsBefore(child: index)
            node = node.children[index]
        }
        return rank &+ (try node.partitionIndex(isBefore))
    }

    /// The rank of the first element that does not order before `probe`.
    ///
    /// - Complexity: O(log n) comparisons.
    public func lowerBound(
        of probe: Element, by areInIncreasingOrder: (Element, Element) throws -> Bool
    ) rethrows
        -> Int
    {
        try partitionRank { try areInIncreasingOrder($0, probe) }
    }

    /// The rank of the first element that orders after `probe`.
    ///
    /// - Complexity: O(log n) comparisons.
    public func upperBound(
        of probe: Element, by areInIncreasingOrder: (Element, Element) throws -> Bool
    ) rethrows
        -> Int
    {
        try partitionRank { try !areInIncreasingOrder(probe, $0) }
    }

    /// The ranks of the elements at or after the partition point of `isBeforeStart` and before the
    /// partition point of `isBeforeEnd`; empty when the second point comes first.
    ///
    /// For a key range, pass `{ $0.key < low }` and `{ $0.key <= high }`.
    ///
    /// - Complexity: O(log n) predicate calls.
    public func ranks(
        from isBeforeStart: (Element) throws -> Bool, to isBeforeEnd: (Element) throws -> Bool
    ) rethrows -> Range<Int> {
        let start = try partitionRank(where: isBeforeStart)
        let end = try partitionRank(where: isBeforeEnd)
        return start..<Swift.max(start, end)
    }

    /// The number of elements between two partition points, as `ranks(from:to:)` defines them.
    ///
    /// - Complexity: O(log n) predicate calls; it never visits the elements in the range.
    public func count(
        from isBeforeStart: (Element) throws -> Bool, to isBeforeEnd: (Element) throws -> Bool
    ) rethrows -> Int {
        try ranks(from: isBeforeStart, to: isBeforeEnd).count
    }

    /// The element at `rank`, counting from 0 in the tree's order.
    ///
    /// - Precondition: `0 <= rank < count`.
    /// - Complexity: O(log n).
    public func element(atRank rank: Int) -> Element {
        precondition(rank >= 0 && rank < count, "rank \(rank) is outside 0..<\(count)")
        var node = root
        var remaining = rank
        while !node.isLeaf {
            let (index, inner) = node.child(containing: remaining)
            remaining = inner
            node = node.children[index]
        }
        return node.elements[remaining]
    }

    /// The first element in order, if any.
    ///
    /// - Complexity: O(log n).
    public var first: Element? { isEmpty ? nil : element(atRank: 0) }

    /// The last element in order, if any.
    ///
    /// - Complexity: O(log n).
    public var last: Element? { isEmpty ? nil : element(atRank: count - 1) }
}

extension CountedBTree where Element: Equatable {
    /// The rank of an element equal to `element`, or nil when the tree holds none.
    ///
    /// Among several elements that order the same, the first equal one is found.
    ///
    /// - Complexity: O(log n + e), where e is the number of elements that order the same as
    ///   `element` but are not equal to it.
    public func rank(
        of element: Element, by areInIncreasingOrder: (Element, Element) throws -> Bool
    ) rethrows
        -> Int?
    {
        let start = try lowerBound(of: element, by: areInIncreasingOrder)
        var found: Int?
        var rank = start
        try forEach(fromRank: start) { candidate in
            if try areInIncreasingOrder(element, candidate) { return false }
            if candidate == element {
                found = rank
                return false
            }
            rank += 1
            return true
        }
        return found
    }
}
