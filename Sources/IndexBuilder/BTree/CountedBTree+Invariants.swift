/// A broken structural rule of a `CountedBTree`, found by `checkInvariants(by:)`.
public struct CountedBTreeInvariantViolation: Error, CustomStringConvertible, Sendable {
    /// What is wrong, and where (the path of child indexes from the root).
    public var description: String
}

extension CountedBTree {
    /// Verifies every structural rule: all leaves at one depth; node sizes within their bounds;
    /// each count equal to the elements below it; elements in order; and every separator at or
    /// after everything to its left and at or before everything to its right.
    ///
    /// Meant for tests and debug builds.
    ///
    /// - Throws: `CountedBTreeInvariantViolation` naming the first broken rule.
    /// - Complexity: O(n).
    public func checkInvariants(
        by areInIncreasingOrder: (Element, Element) -> Bool
    )
        throws(CountedBTreeInvariantViolation)
    {
        var leafDepth: Int?
        _ = try check(root, path: [], isRoot: true, leafDepth: &leafDepth, areInIncreasingOrder)
    }

    /// Checks a subtree; returns its first and last elements (nil for an empty root leaf).
    private func check(
        _ node: Node, path: [Int], isRoot: Bool, leafDepth: inout Int?,
        _ less: (Element, Element) -> Bool
    ) throws(CountedBTreeInvariantViolation) -> (first: Element, last: Element)? {
        func fail(_ text: String) -> CountedBTreeInvariantViolation {
            CountedBTreeInvariantViolation(description: "node at \(path): \(text)")
        }
        if node.isLeaf {
            if let depth = leafDepth, depth != path.count { throw fail("leaf at depth \(path.count), not \(depth)") }
            leafDepth = path.count
            guard node.total == node.elements.count else { throw fail("total \(node.total) != elements") }
            guard node.elements.count <= leafCapacity else { throw fail("leaf overfull: \(node.elements.count)") }
            guard isRoot || !node.elements.isEmpty else { throw fail("empty leaf") }
            for index in node.elements.indices.dropFirst() where less(node.elements[index], node.elements[index - 1]) {
                throw fail("elements out of order at \(index)")
            }
            guard let first = node.elements.first, let last = node.elements.last else { return nil }
            return (first, last)
        }
        let children = node.children.count
        guard node.counts.count == children, node.elements.count == children - 1 else {
            throw fail("\(children) children, \(node.counts.count) counts, \(node.elements.count) separators")
        }
        guard children <= interiorCapacity else { throw fail("interior overfull: \(children)") }
        guard children >= (isRoot ? 2 : interiorMinimum) else { throw fail("interior underfull: \(children)") }
        var sum = 0
        var bounds: (first: Element, last: Element)?
        for index in 0..<children {
            let child = node.children[index]
            guard node.counts[index] == child.total else {
                throw fail("count \(node.counts[index]) of child \(index) != its total \(child.total)")
            }
            sum += child.total
            guard let span = try check(child, path: path + [index], isRoot: false, leafDepth: &leafDepth, less)
            else { throw fail("child \(index) is empty") }
            if index > 0 && less(span.first, node.elements[index - 1]) {
                throw fail("child \(index) starts before its left separator")
            }
            if index < children - 1 && less(node.elements[index], span.last) {
                throw fail("child \(index) ends after its right separator")
            }
            bounds = (bounds?.first ?? span.first, span.last)
        }
        guard sum == node.total else { throw fail("total \(node.total) != sum of counts \(sum)") }
        return bounds
    }
}
