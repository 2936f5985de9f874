import Synchronization

/// A Prometheus counter: a value that only goes up, reset only by a restart of the process.
///
/// Updates are one lock-free atomic operation, so a counter can sit on the ingest and request
/// paths. Obtain counters from a ``MetricsRegistry`` (or a ``CounterFamily``), which renders them.
public final class Counter: Sendable {
    private let bits = Atomic<UInt64>(0)

    init() {}

    /// Adds one.
    public func increment() {
        bits.addDouble(1)
    }

    /// Adds `amount`; negative and not-a-number amounts are ignored, as a counter never goes down.
    ///
    /// - Parameter amount: How much to add.
    public func increment(by amount: Double) {
        guard amount > 0 else { return }
        bits.addDouble(amount)
    }

    /// Adds `amount`.
    ///
    /// - Parameter amount: How much to add.
    public func increment(by amount: Int) {
        guard amount > 0 else { return }
        bits.addDouble(Double(amount))
    }

    /// The current value.
    public var value: Double { bits.loadDouble() }
}
