import Testing

@testable import IndexBuilder

/// Node capacities to test with: tiny ones force splits, merges and deep trees on small inputs.
let capacityShapes: [(leaf: Int, interior: Int)] = [(4, 4), (5, 7), (8, 4), (16, 16), (64, 64)]

@Suite struct CountedBTreeTests {
    @Test func emptyTreeAnswersEverything() throws {
        let tree = CountedBTree<Item>(leafCapacity: 4, interiorCapacity: 4)
        #expect(tree.count == 0)
        #expect(tree.isEmpty)
        #expect(tree.first == nil)
        #expect(tree.lowerBound(of: Item(key: 1, tag: 0), by: Item.before) == 0)
        #expect(tree.allItems.isEmpty)
        var visited = 0
        tree.forEach(fromRank: 0) { _ in
            visited += 1; return true
        }
        tree.forEach(fromRank: -1, reverse: true) { _ in
            visited += 1; return true
        }
        #expect(visited == 0)
        try tree.validate()
    }

    @Test(arguments: [1, 2, 3, 17, 200, 1000], [0, 1, 2, 3, 4])
    func randomInsertsAndRemovesMatchSortedArray(size: Int, shape: Int) throws {
        let (leaf, interior) = capacityShapes[shape]
        var random = TestRandom(seed: UInt64(size * 31 + shape))
        var tree = CountedBTree<Item>(leafCapacity: leaf, interiorCapacity: interior)
        var model = SortedArrayModel()
        let keySpace = max(2, size / 3)
        var tag = 0
        for round in 0..<(size * 4) {
            let removing = !model.items.isEmpty && random.chance(round < size * 2 ? 0.25 : 0.6)
            if removing {
                let rank = random.int(in: 0..<model.items.count)
                let removed = tree.remove(atRank: rank)
                #expect(removed == model.items.remove(at: rank))
            } else {
                tag += 1
                let item = Item(key: random.int(in: 0..<keySpace), tag: tag)
                let rank = tree.insert(item, by: Item.before)
                #expect(rank == model.insert(item))
            }
            #expect(tree.count == model.items.count)
            if round % 97 == 0 { try tree.validate() }
        }
        try tree.validate()
        #expect(tree.allItems == model.items)
    }

    @Test(arguments: [0, 1, 5, 64, 65, 500, 4096], [0, 1, 3, 4])
    func bulkLoadMatchesSortedInput(size: Int, shape: Int) throws {
        let (leaf, interior) = capacityShapes[shape]
        var random = TestRandom(seed: UInt64(size + 7 * shape))
        let items = (0..<size).map { Item(key: random.int(in: 0..<(size + 1)), tag: $0) }
            .sorted { ($0.key, $0.tag) < ($1.key, $1.tag) }
        var tree = CountedBTree<Item>(sorted: items, leafCapacity: leaf, interiorCapacity: interior)
        try tree.validate()
        #expect(tree.count == size)
        #expect(tree.allItems == items)

        var model = SortedArrayModel(items: items)
        for step in 0..<(size / 2 + 10) {
            if step % 3 == 2 && !model.items.isEmpty {
                let rank = random.int(in: 0..<model.items.count)
                #expect(tree.remove(atRank: rank) == model.items.remove(at: rank))
            } else {
                let item = Item(key: random.int(in: 0...(size + 1)), tag: size + step)
                #expect(tree.insert(item, by: Item.before) == model.insert(item))
            }
        }
        try tree.validate()
        #expect(tree.allItems == model.items)
    }

    @Test(arguments: [10, 300, 3000], [0, 2, 4])
    func boundsRanksAndRangeCountsMatch(size: Int, shape: Int) throws {
        let (leaf, interior) = capacityShapes[shape]
        var random = TestRandom(seed: UInt64(size * 3 + shape))
        let (tree, model) = Self.randomTree(size: size, leaf: leaf, interior: interior, random: &random)
        let keySpace = size / 2 + 2
        for _ in 0..<200 {
            let low = random.int(in: -1...keySpace)
            let high = random.int(in: -1...keySpace)
            let probe = Item(key: low, tag: -1)
            #expect(tree.lowerBound(of: probe, by: Item.before) == model.lowerBound(low))
            #expect(tree.upperBound(of: probe, by: Item.before) == model.upperBound(low))
            let counted = tree.count(from: { $0.key < low }, to: { $0.key <= high })
            #expect(counted == model.items.filter { $0.key >= low && $0.key <= high }.count)
        }
        for rank in Set((0..<100).map { _ in random.int(in: 0..<size) }) {
            #expect(tree.element(atRank: rank) == model.items[rank])
        }
        #expect(tree.first == model.items.first)
        #expect(tree.last == model.items.last)
    }

    @Test(arguments: [1, 40, 700, 2500], [0, 1, 4])
    func iterationFromAnyRankBothWays(size: Int, shape: Int) throws {
        let (leaf, interior) = capacityShapes[shape]
        var random = TestRandom(seed: UInt64(size * 5 + shape))
        let (tree, model) = Self.randomTree(size: size, leaf: leaf, interior: interior, random: &random)
        for start in [0, size - 1, size, -1] + (0..<20).map({ _ in random.int(in: 0..<size) }) {
            let forward = model.items[min(max(0, start), size)...]
            var iterator = tree.makeIterator(fromRank: start)
            var seen: [Item] = []
            while let item = iterator.next() { seen.append(item) }
            #expect(seen == Array(forward))

            let backward = start < 0 ? [] : Array(model.items[...min(start, size - 1)].reversed())
            var reverseIterator = tree.makeIterator(fromRank: start, reverse: true)
            seen = []
            while let item = reverseIterator.next() { seen.append(item) }
            #expect(seen == backward)

            seen = []
            tree.forEach(fromRank: start, reverse: true) {
                seen.append($0); return true
            }
            if start < size { #expect(seen == backward) }
        }
        for _ in 0..<30 {
            let low = random.int(in: 0...size)
            let high = random.int(in: low...size)
            var runs: [Item] = []
            tree.forEachRun(inRanks: low..<high) {
                runs.append(contentsOf: $0); return true
            }
            #expect(runs == Array(model.items[low..<high]))
            var reversed: [Item] = []
            tree.forEach(inRanks: low..<high, reverse: true) {
                reversed.append($0); return true
            }
            #expect(reversed == model.items[low..<high].reversed())
            let limit = random.int(in: 0...5)
            var taken: [Item] = []
            tree.forEach(inRanks: low..<high) {
                taken.append($0); return taken.count < limit
            }
            #expect(taken == Array(model.items[low..<high].prefix(max(1, limit))))
        }
    }

    @Test(arguments: [20, 900], [0, 2, 3])
    func removeByElementFindsTheEqualOne(size: Int, shape: Int) throws {
        let (leaf, interior) = capacityShapes[shape]
        var random = TestRandom(seed: UInt64(size + shape))
        var (tree, model) = Self.randomTree(size: size, leaf: leaf, interior: interior, random: &random)
        for _ in 0..<(size / 2) {
            let victim = model.items[random.int(in: 0..<model.items.count)]
            #expect(tree.rank(of: victim, by: Item.before) == model.items.firstIndex(of: victim))
            let removed = tree.remove(victim, by: Item.before)
            #expect(removed)
            model.items.remove(at: model.items.firstIndex(of: victim)!)
        }
        let removedMissing = tree.remove(Item(key: 1, tag: -5), by: Item.before)
        #expect(!removedMissing)
        try tree.validate()
        #expect(tree.allItems == model.items)
        while let rank = model.items.indices.randomElement(using: &random) {
            tree.remove(atRank: rank)
            model.items.remove(at: rank)
        }
        try tree.validate()
        #expect(tree.isEmpty)
        #expect(tree.height == 1)
    }

    @Test(arguments: [50, 2000], [0, 1, 4])
    func oldCopiesAreFrozenSnapshots(size: Int, shape: Int) throws {
        let (leaf, interior) = capacityShapes[shape]
        var random = TestRandom(seed: UInt64(size * 11 + shape))
        var (tree, model) = Self.randomTree(size: size, leaf: leaf, interior: interior, random: &random)
        var snapshots: [(tree: CountedBTree<Item>, items: [Item])] = [(tree, model.items)]
        var tag = 1_000_000
        for step in 0..<(size * 2) {
            if random.chance(0.4) && !model.items.isEmpty {
                let rank = random.int(in: 0..<model.items.count)
                tree.remove(atRank: rank)
                model.items.remove(at: rank)
            } else {
                tag += 1
                let item = Item(key: random.int(in: 0...size), tag: tag)
                tree.insert(item, by: Item.before)
                _ = model.insert(item)
            }
            if step % (size / 5) == 0 { snapshots.append((tree, model.items)) }
        }
        for snapshot in snapshots {
            try snapshot.tree.validate()
            #expect(snapshot.tree.allItems == snapshot.items)
            #expect(snapshot.tree.count == snapshot.items.count)
        }
        #expect(tree.allItems == model.items)
    }

    @Test func appendingKeepsLeavesFull() throws {
        var appended = CountedBTree<Item>(leafCapacity: 16, interiorCapacity: 8)
        var descending = CountedBTree<Item>(leafCapacity: 16, interiorCapacity: 8)
        var perKey = CountedBTree<Item>(leafCapacity: 16, interiorCapacity: 8)
        for key in 0..<4096 {
            appended.insert(Item(key: key, tag: 0), by: Item.before)
            descending.insert(Item(key: 100_000 - key, tag: 0), by: Item.before)
        }
        // As a secondary index grows: every round appends one entry at the end of each key's run.
        var random = TestRandom(seed: 4)
        for round in 0..<256 {
            for key in (0..<16).shuffled(using: &random) {
                perKey.insert(Item(key: key, tag: round), by: Item.before)
            }
        }
        let bulk = CountedBTree<Item>(
            sorted: (0..<4096).map { Item(key: $0, tag: 0) }, leafCapacity: 16, interiorCapacity: 8)
        for tree in [appended, descending, perKey] { try tree.validate() }
        #expect(perKey.allItems == perKey.allItems.sorted { ($0.key, $0.tag) < ($1.key, $1.tag) })
        // Leaves stay nearly full: a little more than a bulk load, not twice as much.
        let full = Double(bulk.estimatedByteCount)
        #expect(Double(appended.estimatedByteCount) < full * 1.1)
        #expect(Double(descending.estimatedByteCount) < full * 1.4)
        #expect(Double(perKey.estimatedByteCount) < full * 1.4)
    }

    @Test func throwingPredicateLeavesTreeUnchanged() throws {
        struct Refusal: Error {}
        var tree = CountedBTree<Item>(
            sorted: (0..<300).map { Item(key: $0, tag: 0) }, leafCapacity: 4,
            interiorCapacity: 4)
        let before = tree.allItems
        var calls = 0
        var refused = false
        do {
            try tree.insert(
                Item(key: 150, tag: 1),
                atPartitionOf: { item in
                    calls += 1
                    if calls > 4 { throw Refusal() }
                    return item.key <= 150
                })
        } catch {
            refused = error is Refusal
        }
        #expect(refused)
        try tree.validate()
        #expect(tree.allItems == before)
    }

    /// A tree and its model after `size` random insertions (keys repeat).
    static func randomTree(
        size: Int, leaf: Int, interior: Int, random: inout TestRandom
    )
        -> (CountedBTree<Item>, SortedArrayModel)
    {
        var tree = CountedBTree<Item>(leafCapacity: leaf, interiorCapacity: interior)
        var model = SortedArrayModel()
        for tag in 0..<size {
            let item = Item(key: random.int(in: 0..<(size / 2 + 1)), tag: tag)
            tree.insert(item, by: Item.before)
            _ = model.insert(item)
        }
        return (tree, model)
    }
}
