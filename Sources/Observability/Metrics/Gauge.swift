import Synchronization

/// A Prometheus gauge: a value that goes up and down (connections open, bytes on disk).
///
/// Updates are lock-free atomic operations. Obtain gauges from a ``MetricsRegistry`` (or a
/// ``GaugeFamily``), which renders them.
public final class Gauge: Sendable {
    private let bits = Atomic<UInt64>(0.0.bitPattern)

    init() {}

    /// Replaces the value.
    ///
    /// - Parameter value: The new value.
    public func set(_ value: Double) {
        bits.storeDouble(value)
    }

    /// Replaces the value with an integer.
    ///
    /// - Parameter value: The new value.
    public func set(_ value: Int) {
        bits.storeDouble(Double(value))
    }

    /// Sets the value to 1 when `flag` is true and to 0 otherwise, for up/down states.
    ///
    /// - Parameter flag: The state to record.
    public func set(_ flag: Bool) {
        bits.storeDouble(flag ? 1 : 0)
    }

    /// Adds `amount` (which may be negative).
    ///
    /// - Parameter amount: How much to add.
    public func increment(by amount: Double = 1) {
        bits.addDouble(amount)
    }

    /// Subtracts `amount`.
    ///
    /// - Parameter amount: How much to subtract.
    public func decrement(by amount: Double = 1) {
        bits.addDouble(-amount)
    }

    /// The current value.
    public var value: Double { bits.loadDouble() }
}
