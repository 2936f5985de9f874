@testable import IndexBuilder

/// The test element: ordered by `key` alone, so several elements can order the same, while `tag`
/// tells them apart and shows where each one went.
struct Item: Equatable, CustomStringConvertible {
    var key: Int
    var tag: Int

    static func before(_ lhs: Item, _ rhs: Item) -> Bool { lhs.key < rhs.key }

    var description: String { "\(key)#\(tag)" }
}

/// The reference model: a plain sorted array with the same semantics as the tree.
struct SortedArrayModel {
    var items: [Item] = []

    /// Number of items with key below `key`.
    func lowerBound(_ key: Int) -> Int {
        items.firstIndex { $0.key >= key } ?? items.count
    }

    /// Number of items with key at or below `key`.
    func upperBound(_ key: Int) -> Int {
        items.firstIndex { $0.key > key } ?? items.count
    }

    /// Inserts after equal keys; returns the rank.
    mutating func insert(_ item: Item) -> Int {
        let rank = upperBound(item.key)
        items.insert(item, at: rank)
        return rank
    }
}

extension CountedBTree where Element == Item {
    /// Every element, in order, read through the iterator.
    var allItems: [Item] { Array(self) }

    /// Checks the structural invariants in the item order.
    func validate() throws {
        try checkInvariants(by: Item.before)
    }
}
