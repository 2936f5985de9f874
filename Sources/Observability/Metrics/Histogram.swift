import Synchronization

/// A Prometheus histogram: counts of observations per bucket, plus their sum and count.
///
/// An observation finds its bucket by binary search outside the lock, then takes a short,
/// uncontended `Mutex` to bump three numbers; the lock keeps a scrape's view of buckets, sum and
/// count consistent with one another. Obtain histograms from a ``MetricsRegistry``.
public final class Histogram: Sendable {
    /// The finite upper bounds, ascending; the `+Inf` bucket follows them implicitly.
    public let upperBounds: [Double]
    private let state: Mutex<State>

    struct State {
        /// Observations per bucket, not cumulative; the last slot is the `+Inf` bucket.
        var counts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    init(upperBounds: [Double]) {
        let bounds = upperBounds.filter { $0.isFinite }
        precondition(!bounds.isEmpty, "a histogram needs at least one finite bucket bound")
        precondition(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }, "bucket bounds must ascend strictly")
        self.upperBounds = bounds
        self.state = Mutex(State(counts: Array(repeating: 0, count: bounds.count + 1)))
    }

    /// Records one observation. A not-a-number value is ignored, since it would poison the sum.
    ///
    /// - Parameter value: The observed value, for example a duration in seconds.
    /// - Complexity: O(log b) for b buckets.
    public func observe(_ value: Double) {
        guard !value.isNaN else { return }
        let bucket = bucketIndex(for: value)
        state.withLock { state in
            state.counts[bucket] += 1
            state.sum += value
            state.count += 1
        }
    }

    /// Records the seconds elapsed since `start`, a value from ``MonotonicClock/now()``.
    ///
    /// - Parameter start: When the measured work began.
    public func observeSeconds(since start: MonotonicClock.Instant) {
        observe(MonotonicClock.secondsSince(start))
    }

    /// A consistent copy of the current state, with cumulative bucket counts as Prometheus wants.
    public var snapshot: HistogramSnapshot {
        let copy = state.withLock { $0 }
        var cumulative = [UInt64]()
        cumulative.reserveCapacity(copy.counts.count)
        var running: UInt64 = 0
        for count in copy.counts {
            running += count
            cumulative.append(running)
        }
        return HistogramSnapshot(
            upperBounds: upperBounds, cumulativeCounts: cumulative, sum: copy.sum, count: copy.count)
    }

    /// The index of the first bucket whose bound is at least `value`, or the `+Inf` slot.
    private func bucketIndex(for value: Double) -> Int {
        var low = 0
        var high = upperBounds.count
        while low < high {
            let middle = (low + high) / 2
            if value <= upperBounds[middle] {
                high = middle
            } else {
                low = middle + 1
            }
        }
        return low
    }
}

/// The state of a ``Histogram`` at one moment.
public struct HistogramSnapshot: Sendable, Equatable {
    /// The finite upper bounds, ascending.
    public var upperBounds: [Double]
    /// Observations at or below each bound, then the total for `+Inf`; one longer than `upperBounds`.
    public var cumulativeCounts: [UInt64]
    /// The sum of all observations.
    public var sum: Double
    /// How many observations there were.
    public var count: UInt64
}
