/// Sorts events by (timestamp, sequence) when they come in sequence order, which is nearly time
/// order: most events follow the one before them, a few arrive late, and a rare producer with a
/// fast clock runs ahead.
enum TimeOrder {
    /// The sequence numbers of every event in `columns` (gaps left out), in time order.
    ///
    /// Events that break the ascending run (late ones, and ones ahead of both events after
    /// them) are set aside, sorted on their own and merged back, so the cost is O(n + k log k)
    /// for k events out of place, and O(n log n) at worst.
    static func sequences(in columns: IndexColumns, count: Int) -> ContiguousArray<UInt32> {
        let order = EntryOrder(columns: columns)
        var present = ContiguousArray<UInt32>()
        present.reserveCapacity(count)
        var sequence = columns.base
        while sequence < columns.nextSequence {
            if columns.timestamp(sequence) != .min { present.append(UInt32(sequence)) }
            sequence += 1
        }
        var run = ContiguousArray<UInt32>()
        run.reserveCapacity(present.count)
        var aside = ContiguousArray<UInt32>()
        let total = present.count
        for index in 0..<total {
            let candidate = present[index]
            if let last = run.last, order.timeLess(candidate, last) {
                aside.append(candidate)
            } else if index + 2 < total && order.timeLess(present[index + 1], candidate)
                && order.timeLess(present[index + 2], candidate)
            {
                aside.append(candidate)
            } else {
                run.append(candidate)
            }
        }
        guard !aside.isEmpty else { return run }
        aside.sort(by: order.timeLess)
        var merged = present
        var left = 0
        var right = 0
        for index in 0..<total {
            if right == aside.count || (left < run.count && order.timeLess(run[left], aside[right])) {
                merged[index] = run[left]
                left += 1
            } else {
                merged[index] = aside[right]
                right += 1
            }
        }
        return merged
    }
}
