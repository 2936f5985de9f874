/// An ordered, in-memory B+ tree whose interior nodes keep the number of elements below each child,
/// so that ranks, range counts and jumps to the k-th element all cost O(log n).
///
/// The tree imposes no ordering of its own: every operation that needs one takes it from the
/// caller, either as a strict weak ordering `(Element, Element) -> Bool` or as a *partition
/// predicate* that is true for a prefix of the elements in order (for example
/// `{ $0.key < wanted }`). That lets an index compare elements through data kept outside the tree
/// (a timestamp column) without storing it in every element. All calls on one tree must use the
/// same ordering.
///
/// Elements live only in leaves. An interior node holds its children, the element count of each
/// child and one separator between neighbouring children: every element of the left child orders
/// at or before the separator, and every element of the right child at or after it. Removals may
/// leave a separator that no longer is an element; it still bounds its neighbours.
///
/// The tree is a value with copy-on-write nodes. Copying it is O(1); a mutation first copies each
/// node on its path that another copy still references (`isKnownUniquelyReferenced`), so an old
/// copy (a reader's snapshot) never changes, and the writer copies only the nodes it touches.
///
/// Leaves hold up to `leafCapacity` elements (about 2 KiB by default) and interior nodes up to
/// `interiorCapacity` children. A full leaf splits where the new element goes rather than in half,
/// so that appending (at the end of the tree, or at the end of one key's run) keeps leaves full.
public struct CountedBTree<Element> {
    @usableFromInline var root: Node
    /// The most elements a leaf holds.
    public let leafCapacity: Int
    /// The most children an interior node holds.
    public let interiorCapacity: Int

    /// Creates an empty tree.
    ///
    /// - Parameters:
    ///   - leafCapacity: Elements per leaf, at least 4; by default as many as fit in 2 KiB.
    ///   - interiorCapacity: Children per interior node, at least 4.
    /// - Complexity: O(1).
    public init(leafCapacity: Int? = nil, interiorCapacity: Int = 64) {
        let leaves = leafCapacity ?? Self.defaultLeafCapacity
        precondition(leaves >= 4, "a leaf must hold at least 4 elements")
        precondition(interiorCapacity >= 4, "an interior node must hold at least 4 children")
        self.leafCapacity = leaves
        self.interiorCapacity = interiorCapacity
        self.root = Node(leafWithCapacity: 0)
    }

    init(root: Node, leafCapacity: Int, interiorCapacity: Int) {
        self.root = root
        self.leafCapacity = leafCapacity
        self.interiorCapacity = interiorCapacity
    }

    /// The default leaf capacity: as many elements as fit in 2 KiB, and at least 16.
    public static var defaultLeafCapacity: Int {
        Swift.max(16, 2048 / Swift.max(1, MemoryLayout<Element>.stride))
    }

    /// The number of elements.
    ///
    /// - Complexity: O(1).
    public var count: Int { root.total }

    /// Whether the tree holds no element.
    ///
    /// - Complexity: O(1).
    public var isEmpty: Bool { root.total == 0 }

    /// The number of levels: 1 for a tree that is a single leaf.
    ///
    /// - Complexity: O(log n).
    public var height: Int {
        var levels = 1
        var node = root
        while !node.isLeaf {
            node = node.children[0]
            levels += 1
        }
        return levels
    }

    /// Fewest elements a leaf other than the root keeps before a removal merges or refills it.
    var leafMinimum: Int { Swift.max(1, leafCapacity / 4) }

    /// Fewest children an interior node other than the root keeps.
    var interiorMinimum: Int { Swift.max(2, interiorCapacity / 4) }

    /// Makes the root uniquely referenced by this tree, copying it if another tree shares it.
    mutating func makeRootUnique() {
        if !isKnownUniquelyReferenced(&root) {
            root = root.copy()
        }
    }
}

// Nodes reachable from more than one tree value are never mutated: every mutation first checks
// `isKnownUniquelyReferenced` on the path and copies shared nodes, the same discipline as the
// standard library's copy-on-write collections, so a tree value can cross threads like an Array.
extension CountedBTree: @unchecked Sendable where Element: Sendable {}
