import Synchronization

/// Floating-point arithmetic on an `Atomic<UInt64>` that holds the bit pattern of a `Double`.
///
/// The standard library has no atomic `Double`; a compare-and-exchange loop over the bit pattern
/// gives the same effect without a lock, and under the low contention of metric updates the loop
/// almost always succeeds on its first pass.
extension Atomic where Value == UInt64 {
    /// The current value as a `Double`.
    func loadDouble() -> Double {
        Double(bitPattern: load(ordering: .relaxed))
    }

    /// Replaces the value.
    func storeDouble(_ value: Double) {
        store(value.bitPattern, ordering: .relaxed)
    }

    /// Adds `delta` to the value.
    func addDouble(_ delta: Double) {
        var current = load(ordering: .relaxed)
        while true {
            let next = (Double(bitPattern: current) + delta).bitPattern
            let (exchanged, original) = compareExchange(expected: current, desired: next, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}
