import Foundation

/// Elapsed-time measurement from `CLOCK_MONOTONIC`, immune to wall-clock changes.
public enum MonotonicClock {
    /// A reading of the monotonic clock, in nanoseconds from an arbitrary origin.
    public typealias Instant = UInt64

    /// The current reading.
    public static func now() -> Instant {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Seconds elapsed since `start`.
    ///
    /// - Parameter start: An earlier value of ``now()``.
    public static func secondsSince(_ start: Instant) -> Double {
        let end = now()
        return end > start ? Double(end - start) / 1e9 : 0
    }
}
