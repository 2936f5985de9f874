extension IndexSnapshot {
    /// The answer to a validated plan.
    func page(for plan: QueryPlan) -> QueryPage {
        guard let conditions = plan.conditions else {
            return QueryPage(
                sequences: [], total: 0, limit: plan.limit, offset: plan.offset, hasMore: false, nextCursor: nil)
        }
        let order = order
        guard !conditions.isEmpty else {
            let ranks = timeTree.ranks(from: { order.isBefore($0, plan.low) }, to: { order.isBefore($0, plan.high) })
            let cursorRank = plan.cursor.map { cursor in timeTree.partitionRank { order.isBefore($0, cursor) } }
            return page(in: timeTree, ranks: ranks, cursorRank: cursorRank, plan: plan) { $0 }
        }
        // The most selective field first: every range count is O(log n).
        let ranges = conditions.map { (field, key) in
            let ranks = keyTrees[field.rawValue].ranks(
                from: { order.isBefore($0, key: key, plan.low) }, to: { order.isBefore($0, key: key, plan.high) })
            return (field: field, key: key, ranks: ranks)
        }.sorted { $0.ranks.count < $1.ranks.count }
        let chosen = ranges[0]
        let tree = keyTrees[chosen.field.rawValue]
        if ranges.count == 1 {
            let cursorRank = plan.cursor.map { cursor in
                tree.partitionRank { order.isBefore($0, key: chosen.key, cursor) }
            }
            return page(in: tree, ranks: chosen.ranks, cursorRank: cursorRank, plan: plan) { $0.sequence }
        }
        // When the second range is not much larger than the first, its events go into a bitmap:
        // building it reads index leaves in order, and testing against it stays in the caches,
        // where checking each candidate's column cell would miss them.
        var bitmap: SequenceBitmap?
        var checked = ranges.dropFirst()
        let second = ranges[1]
        if chosen.ranks.count >= plan.tuning.bitmapMinimumCandidates
            && second.ranks.count <= chosen.ranks.count * plan.tuning.bitmapMaximumRatio
        {
            bitmap = self.bitmap(of: keyTrees[second.field.rawValue], ranks: second.ranks)
            checked = checked.dropFirst()
        }
        var filter = KeyFilter()
        for range in checked { filter.append(range.field, range.key) }
        return scan(tree, ranks: chosen.ranks, bitmap: bitmap, filter: filter, plan: plan)
    }

    /// The sequence numbers of an index range, as a bitmap over the snapshot's span.
    private func bitmap(of tree: CountedBTree<KeyedEntry>, ranks: Range<Int>) -> SequenceBitmap {
        let bitmap = SequenceBitmap(span: columns.base...Swift.max(columns.base, lastSequence))
        tree.forEachRun(inRanks: ranks) { run in
            for entry in run { bitmap.insert(UInt64(entry.sequence)) }
            return true
        }
        return bitmap
    }

    /// A page from one index range where every entry matches: counted and located by rank.
    ///
    /// - Complexity: O(log n + limit), whatever the offset.
    private func page<Element>(
        in tree: CountedBTree<Element>, ranks: Range<Int>, cursorRank: Int?, plan: QueryPlan,
        sequenceOf: (Element) -> UInt32
    ) -> QueryPage {
        let end = Swift.min(ranks.upperBound, Swift.max(ranks.lowerBound, cursorRank ?? ranks.upperBound))
        let top = end - plan.offset
        let bottom = Swift.max(ranks.lowerBound, top - plan.limit)
        var sequences: [UInt64] = []
        if top > bottom {
            sequences.reserveCapacity(top - bottom)
            tree.forEach(inRanks: bottom..<top, reverse: true) { entry in
                sequences.append(UInt64(sequenceOf(entry)))
                return true
            }
        }
        let hasMore = bottom > ranks.lowerBound
        return finish(sequences, total: ranks.count, hasMore: hasMore, plan: plan)
    }

    /// A page from an index range whose entries must also be in `bitmap` (when given) and pass
    /// `filter`: the whole range is scanned once, newest first, to count the matches exactly and
    /// collect the page on the way.
    ///
    /// - Complexity: O(m) for m entries in the range.
    private func scan(
        _ tree: CountedBTree<KeyedEntry>, ranks: Range<Int>, bitmap: SequenceBitmap?, filter: KeyFilter,
        plan: QueryPlan
    ) -> QueryPage {
        let columns = columns
        var total = 0
        var skipped = 0
        var following = 0
        var sequences: [UInt64] = []
        sequences.reserveCapacity(Swift.min(plan.limit, ranks.count))
        var pastCursor = plan.cursor == nil
        let conditions = filter.conditions
        let matched = UnsafeMutableBufferPointer<Bool>.allocate(capacity: tree.leafCapacity)
        defer { matched.deallocate() }
        tree.forEachRun(inRanks: ranks, reverse: true) { run in
            // Read the whole run's column cells first, in a loop of independent loads, so that
            // many cache misses are in flight at once; then walk the run newest first.
            if let bitmap {
                for index in 0..<run.count { matched[index] = bitmap.contains(UInt64(run[index].sequence)) }
            } else {
                for index in 0..<run.count { matched[index] = true }
            }
            for condition in conditions {
                for index in 0..<run.count {
                    let key = columns.key(condition.field, UInt64(run[index].sequence))
                    matched[index] = matched[index] && key == condition.key
                }
            }
            for index in stride(from: run.count - 1, through: 0, by: -1) where matched[index] {
                let sequence = UInt64(run[index].sequence)
                total += 1
                if !pastCursor {
                    let position = EventPosition(timestamp: columns.timestamp(sequence), sequence: sequence)
                    guard position < plan.cursor! else { continue }
                    pastCursor = true
                }
                if skipped < plan.offset {
                    skipped += 1
                } else if sequences.count < plan.limit {
                    sequences.append(sequence)
                } else {
                    following += 1
                }
            }
            return true
        }
        return finish(sequences, total: total, hasMore: following > 0, plan: plan)
    }

    private func finish(_ sequences: [UInt64], total: Int, hasMore: Bool, plan: QueryPlan) -> QueryPage {
        var next: String?
        if hasMore, let last = sequences.last {
            next = PageCursor(timestamp: timestamp(of: last), sequence: last).encoded
        }
        return QueryPage(
            sequences: sequences, total: total, limit: plan.limit, offset: plan.offset, hasMore: hasMore,
            nextCursor: next)
    }
}
