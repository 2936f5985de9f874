/// Which delivery (or publish) tags of one channel are settled, and the highest tag below which
/// every tag is settled.
///
/// Tags on an AMQP channel are dense and start at 1, so the window keeps one flag per tag above
/// the settled prefix and nothing below it. Acknowledging "multiple up to the prefix" is then
/// exactly "every delivery up to here is durable".
struct DeliveryTagWindow {
    /// Every tag in `1...settledThrough` is settled; 0 when none is.
    private(set) var settledThrough: UInt64 = 0
    /// `flags[head + i]` says whether tag `settledThrough + 1 + i` is settled.
    private var flags: [Bool] = []
    private var head = 0

    /// How many tags above the prefix are tracked (settled or not).
    var pendingCount: Int { flags.count - head }

    /// Marks one tag settled; tags at or below the prefix are ignored.
    ///
    /// - Returns: whether the settled prefix grew.
    /// - Complexity: amortised O(1) plus the number of tags the prefix moves over.
    @discardableResult
    mutating func settle(_ tag: UInt64) -> Bool {
        guard tag > settledThrough else { return false }
        let index = head + Int(tag - settledThrough - 1)
        if index >= flags.count {
            flags.append(contentsOf: repeatElement(false, count: index - flags.count + 1))
        }
        flags[index] = true
        return advance()
    }

    /// Marks every tag up to and including `tag` settled (a `multiple` confirm).
    ///
    /// - Returns: whether the settled prefix grew.
    @discardableResult
    mutating func settle(through tag: UInt64) -> Bool {
        guard tag > settledThrough else { return false }
        let count = Int(tag - settledThrough)
        let tracked = min(count, pendingCount)
        head += tracked
        settledThrough += UInt64(count)
        _ = advance()
        compact()
        return true
    }

    private mutating func advance() -> Bool {
        let start = head
        while head < flags.count, flags[head] {
            head += 1
        }
        guard head > start else { return false }
        settledThrough += UInt64(head - start)
        compact()
        return true
    }

    private mutating func compact() {
        if head == flags.count {
            flags.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 4096, head * 2 > flags.count {
            flags.removeFirst(head)
            head = 0
        }
    }
}
