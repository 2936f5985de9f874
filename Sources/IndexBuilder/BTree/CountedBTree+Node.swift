extension CountedBTree {
    /// One node of the tree: a leaf (elements only) or an interior node (children, their element
    /// counts, and the separators between them, kept in `elements`).
    @usableFromInline
    final class Node {
        /// A leaf's elements, or an interior node's separators (`children.count - 1` of them):
        /// `elements[i]` orders at or after everything in `children[i]` and at or before everything
        /// in `children[i + 1]`.
        var elements: ContiguousArray<Element>
        /// An interior node's children; empty for a leaf.
        var children: ContiguousArray<Node>
        /// `counts[i]` is the number of elements under `children[i]`; empty for a leaf.
        var counts: ContiguousArray<Int>
        /// The number of elements under this node.
        var total: Int

        /// An empty leaf with room for `capacity` elements.
        init(leafWithCapacity capacity: Int) {
            elements = []
            elements.reserveCapacity(capacity)
            children = []
            counts = []
            total = 0
        }

        /// A leaf holding `elements`.
        init(leaf elements: ContiguousArray<Element>) {
            self.elements = elements
            children = []
            counts = []
            total = elements.count
        }

        /// An interior node.
        init(children: ContiguousArray<Node>, separators: ContiguousArray<Element>, counts: ContiguousArray<Int>) {
            self.elements = separators
            self.children = children
            self.counts = counts
            var sum = 0
            for count in counts { sum += count }
            total = sum
        }

        /// Whether the node is a leaf.
        @inline(__always) var isLeaf: Bool { children.isEmpty }

        /// A shallow copy: same elements, same (now shared) children.
        func copy() -> Node {
            if isLeaf {
                var copied = ContiguousArray<Element>()
                copied.reserveCapacity(elements.capacity)
                copied.append(contentsOf: elements)
                return Node(leaf: copied)
            }
            let node = Node(children: children, separators: elements, counts: counts)
            return node
        }

        /// Makes `children[index]` uniquely referenced by this node, copying it if shared.
        @inline(__always) func makeChildUnique(_ index: Int) {
            if !isKnownUniquelyReferenced(&children[index]) {
                children[index] = children[index].copy()
            }
        }

        /// The first index `i` of `elements` for which `isBefore(elements[i])` is false.
        ///
        /// It reads the array through one buffer access rather than one checked access per probe.
        @inline(__always) func partitionIndex(_ isBefore: (Element) throws -> Bool) rethrows -> Int {
            try elements.withUnsafeBufferPointer { buffer in
                var low = 0
                var high = buffer.count
                while low < high {
                    let middle = (low &+ high) >> 1
                    if try isBefore(buffer[middle]) {
                        low = middle &+ 1
                    } else {
                        high = middle
                    }
                }
                return low
            }
        }

        /// The number of elements under `children[..<index]`.
        @inline(__always) func elementsBefore(child index: Int) -> Int {
            counts.withUnsafeBufferPointer { counts in
                var sum = 0
                for child in 0..<index { sum &+= counts[child] }
                return sum
            }
        }

        /// The index of the child holding rank `rank`, and the rank within that child.
        ///
        /// A rank equal to a child's end maps to the next child, except past the last child.
        @inline(__always) func child(containing rank: Int) -> (index: Int, rank: Int) {
            counts.withUnsafeBufferPointer { counts in
                var remaining = rank
                let last = counts.count - 1
                var index = 0
                while index < last && remaining >= counts[index] {
                    remaining -= counts[index]
                    index += 1
                }
                return (index, remaining)
            }
        }

        /// The first element under this node.
        var firstElement: Element {
            var node = self
            while !node.isLeaf { node = node.children[0] }
            return node.elements[0]
        }
    }
}
