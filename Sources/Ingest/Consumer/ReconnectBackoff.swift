/// Exponential backoff with jitter: each delay is drawn from the upper half of a window that
/// starts at `initial` and doubles after each failure up to `maximum`.
struct ReconnectBackoff {
    let initial: Duration
    let maximum: Duration
    private(set) var window: Duration

    init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
        self.window = initial
    }

    /// The delay before the next attempt, then the window doubles.
    mutating func nextDelay<Generator: RandomNumberGenerator>(using generator: inout Generator) -> Duration {
        let current = window
        window = min(window * 2, maximum)
        let half = current / 2
        let jitter = Double.random(in: 0...1, using: &generator)
        return half + half * jitter
    }

    /// The delay before the next attempt, with the system's random numbers.
    mutating func nextDelay() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    /// Starts over from `initial`, after a success.
    mutating func reset() {
        window = initial
    }
}
