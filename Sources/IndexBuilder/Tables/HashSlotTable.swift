/// An open-addressing hash table of 64-bit slots, each holding a 32-bit fingerprint of a key and a
/// nonzero 32-bit value; zero marks an empty slot.
///
/// The table never sees the keys themselves. A lookup yields every value stored under a
/// fingerprint and the caller decides which one is really its key (by comparing a full hash or
/// reading the record), so the table costs 8 bytes a slot whatever the keys are. Slots are found
/// by linear probing from `fingerprint * capacity >> 32`, which spreads any capacity evenly and
/// lets the table grow by half instead of doubling; it grows past 85% load, so it stays between
/// about 57% and 85% full.
struct HashSlotTable: Sendable {
    private var slots: ContiguousArray<UInt64>
    /// The number of values stored.
    private(set) var count = 0

    /// The fill ratio past which the table grows.
    static var maximumLoad: Double { 0.85 }

    /// Creates a table that holds `expectedCount` values without growing.
    init(expectedCount: Int = 0) {
        let capacity = Swift.max(16, Int((Double(expectedCount) / Self.maximumLoad).rounded(.up)) + 1)
        slots = ContiguousArray(repeating: 0, count: capacity)
    }

    /// Builds a table from packed slots (`fingerprint << 32 | value`, value nonzero) with room for
    /// `count / load` entries.
    ///
    /// The slots are first ordered by the top 16 bits of their fingerprint (two stable counting
    /// passes), so placing them walks the table from start to end instead of jumping around it:
    /// several times faster than inserting in arrival order once the table outgrows the caches.
    ///
    /// - Complexity: O(n).
    init(bulk packed: ContiguousArray<UInt64>, load: Double) {
        let capacity = Swift.max(16, Int((Double(packed.count) / load).rounded(.up)) + 1)
        slots = ContiguousArray(repeating: 0, count: capacity)
        var ordered = packed
        var scratch = ContiguousArray<UInt64>(repeating: 0, count: packed.count)
        for shift: UInt64 in [48, 56] {
            var starts = [Int](repeating: 0, count: 257)
            for slot in ordered { starts[Int((slot >> shift) & 0xFF) + 1] += 1 }
            for digit in 0..<256 { starts[digit + 1] += starts[digit] }
            for slot in ordered {
                let digit = Int((slot >> shift) & 0xFF)
                scratch[starts[digit]] = slot
                starts[digit] += 1
            }
            swap(&ordered, &scratch)
        }
        for slot in ordered {
            place(slot, fingerprint: UInt32(truncatingIfNeeded: slot >> 32))
        }
        count = packed.count
    }

    /// The number of slots.
    var capacity: Int { slots.count }

    /// Every occupied slot, packed as `fingerprint << 32 | value`, in table order.
    var occupiedSlots: ContiguousArray<UInt64> {
        ContiguousArray(slots.lazy.filter { $0 != 0 })
    }

    /// Whether adding `additional` values would make the table grow.
    func needsGrowth(adding additional: Int) -> Bool {
        Double(count + additional) > Double(slots.count) * Self.maximumLoad
    }

    /// Grows the table now, if needed, so that `additional` more values fit without growing.
    ///
    /// The writer calls it on a copy outside the readers' lock, then swaps the copy in, so a
    /// rehash of millions of slots never holds readers up.
    ///
    /// - Complexity: O(capacity) when it grows; O(1) otherwise.
    mutating func reserve(adding additional: Int) {
        guard needsGrowth(adding: additional) else { return }
        let wanted = Int((Double(count + additional) / Self.maximumLoad).rounded(.up)) + 1
        grow(to: Swift.max(wanted, slots.count + slots.count / 2))
    }

    /// Heap bytes of the slot storage.
    var estimatedByteCount: Int { 32 + slots.capacity * MemoryLayout<UInt64>.stride }

    @inline(__always) private func home(of fingerprint: UInt32) -> Int {
        Int(truncatingIfNeeded: (UInt64(fingerprint) &* UInt64(slots.count)) >> 32)
    }

    @inline(__always) private static func pack(_ fingerprint: UInt32, _ value: UInt32) -> UInt64 {
        UInt64(fingerprint) << 32 | UInt64(value)
    }

    /// Adds `value` under `fingerprint`; an equal pair already present is kept as well.
    ///
    /// - Precondition: `value != 0`.
    /// - Complexity: Amortised O(1) expected.
    mutating func insert(fingerprint: UInt32, value: UInt32) {
        precondition(value != 0, "zero marks an empty slot")
        if Double(count + 1) > Double(slots.count) * Self.maximumLoad {
            grow(to: slots.count + slots.count / 2)
        }
        place(Self.pack(fingerprint, value), fingerprint: fingerprint)
        count += 1
    }

    private mutating func place(_ slot: UInt64, fingerprint: UInt32) {
        var index = home(of: fingerprint)
        let size = slots.count
        while slots[index] != 0 {
            index &+= 1
            if index == size { index = 0 }
        }
        slots[index] = slot
    }

    private mutating func grow(to capacity: Int) {
        let old = slots
        slots = ContiguousArray(repeating: 0, count: capacity)
        for slot in old where slot != 0 {
            place(slot, fingerprint: UInt32(truncatingIfNeeded: slot >> 32))
        }
    }

    /// Calls `body` with each value stored under `fingerprint` (and no other), until it returns
    /// false.
    ///
    /// - Complexity: O(1) expected.
    func forEachValue(fingerprint: UInt32, _ body: (UInt32) throws -> Bool) rethrows {
        var index = home(of: fingerprint)
        let size = slots.count
        while true {
            let slot = slots[index]
            if slot == 0 { return }
            if UInt32(truncatingIfNeeded: slot >> 32) == fingerprint {
                if try !body(UInt32(truncatingIfNeeded: slot)) { return }
            }
            index &+= 1
            if index == size { index = 0 }
        }
    }

    /// Removes one `value` stored under `fingerprint`, shifting later slots of its probe run back
    /// so no lookup is cut short.
    ///
    /// - Returns: Whether the pair was present.
    /// - Complexity: O(1) expected.
    @discardableResult
    mutating func remove(fingerprint: UInt32, value: UInt32) -> Bool {
        let wanted = Self.pack(fingerprint, value)
        let size = slots.count
        var hole = home(of: fingerprint)
        while slots[hole] != wanted {
            if slots[hole] == 0 { return false }
            hole &+= 1
            if hole == size { hole = 0 }
        }
        var probe = hole
        while true {
            probe &+= 1
            if probe == size { probe = 0 }
            let slot = slots[probe]
            if slot == 0 { break }
            let start = home(of: UInt32(truncatingIfNeeded: slot >> 32))
            // The entry at `probe` may fill the hole unless its home lies cyclically in (hole, probe].
            let homeAfterHole = hole <= probe ? (start > hole && start <= probe) : (start > hole || start <= probe)
            if !homeAfterHole {
                slots[hole] = slot
                hole = probe
            }
        }
        slots[hole] = 0
        count -= 1
        return true
    }
}
