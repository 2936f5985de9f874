extension CountedBTree {
    /// An estimate of the heap bytes this tree's nodes occupy: each node object plus the storage
    /// of its arrays at their allocated capacity. Nodes shared with other copies count in full.
    ///
    /// - Complexity: O(n / leafCapacity).
    public var estimatedByteCount: Int {
        Self.bytes(of: root)
    }

    /// Bytes of a node object: header (16), three array references and the total.
    private static var nodeObjectBytes: Int { 16 + 3 * 8 + 8 }

    /// Bytes of an array's heap storage: header (32) plus capacity; nothing for an empty array.
    private static func arrayBytes<T>(_ array: ContiguousArray<T>) -> Int {
        array.capacity == 0 ? 0 : 32 + array.capacity * MemoryLayout<T>.stride
    }

    private static func bytes(of node: Node) -> Int {
        var total = nodeObjectBytes + arrayBytes(node.elements)
        if !node.isLeaf {
            total += arrayBytes(node.children) + arrayBytes(node.counts)
            for child in node.children {
                total += bytes(of: child)
            }
        }
        return total
    }
}
