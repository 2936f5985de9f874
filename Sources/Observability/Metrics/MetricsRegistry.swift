import Synchronization

/// A set of metrics rendered together in the Prometheus text exposition format (version 0.0.4).
///
/// Metric names and label names are fixed by the code that registers them, so a malformed or
/// duplicate name is a programming error and stops the process at registration, long before any
/// scrape. Label values come from data and are bounded per family (see ``counterFamily(_:help:labels:maxSeries:)``).
public final class MetricsRegistry: Sendable {
    /// The `Content-Type` of a response that carries ``exposition()``.
    public static let contentType = PrometheusText.contentType

    /// The default cap on label combinations per family.
    public static let defaultMaxSeries = 500

    private struct State {
        var collectors: [any MetricCollector] = []
        var names: Set<String> = []
        var hooks: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    /// Creates an empty registry.
    public init() {}

    /// Registers a counter without labels.
    ///
    /// - Parameters:
    ///   - name: The metric name; by convention it ends in `_total`.
    ///   - help: One sentence saying what is counted.
    public func counter(_ name: String, help: String) -> Counter {
        counterFamily(name, help: help, labels: [], maxSeries: 1).labels([])
    }

    /// Registers a counter with labels.
    ///
    /// - Parameters:
    ///   - name: The metric name; by convention it ends in `_total`.
    ///   - help: One sentence saying what is counted.
    ///   - labels: The label names.
    ///   - maxSeries: How many label combinations to keep apart before they share one series.
    public func counterFamily(
        _ name: String, help: String, labels: [String], maxSeries: Int = defaultMaxSeries
    ) -> CounterFamily {
        register(CounterFamily(name: name, help: help, labelNames: labels, maxSeries: maxSeries), labels: labels)
    }

    /// Registers a gauge without labels.
    ///
    /// - Parameters:
    ///   - name: The metric name.
    ///   - help: One sentence saying what is measured.
    public func gauge(_ name: String, help: String) -> Gauge {
        let family = register(GaugeFamily(name: name, help: help, labelNames: [], maxSeries: 1), labels: [])
        return family.series.child([])
    }

    /// Registers a gauge with labels.
    ///
    /// - Parameters:
    ///   - name: The metric name.
    ///   - help: One sentence saying what is measured.
    ///   - labels: The label names.
    ///   - maxSeries: How many label combinations to keep apart before they share one series.
    public func gaugeFamily(
        _ name: String, help: String, labels: [String], maxSeries: Int = defaultMaxSeries
    ) -> GaugeFamily {
        register(GaugeFamily(name: name, help: help, labelNames: labels, maxSeries: maxSeries), labels: labels)
    }

    /// Registers a histogram without labels.
    ///
    /// - Parameters:
    ///   - name: The metric name, ending in its unit (`_seconds`, `_bytes`).
    ///   - help: One sentence saying what is observed.
    ///   - buckets: Finite, strictly ascending upper bounds; `+Inf` is added by itself.
    public func histogram(_ name: String, help: String, buckets: [Double]) -> Histogram {
        let family = HistogramFamily(name: name, help: help, labelNames: [], upperBounds: buckets, maxSeries: 1)
        return register(family, labels: []).series.child([])
    }

    /// Registers a histogram with labels.
    ///
    /// - Parameters:
    ///   - name: The metric name, ending in its unit (`_seconds`, `_bytes`).
    ///   - help: One sentence saying what is observed.
    ///   - labels: The label names; `le` is reserved for the buckets.
    ///   - buckets: Finite, strictly ascending upper bounds; `+Inf` is added by itself.
    ///   - maxSeries: How many label combinations to keep apart before they share one series.
    public func histogramFamily(
        _ name: String, help: String, labels: [String], buckets: [Double], maxSeries: Int = defaultMaxSeries
    ) -> HistogramFamily {
        precondition(!labels.contains("le"), "histogram \(name) cannot use the reserved label name le")
        let family = HistogramFamily(
            name: name, help: help, labelNames: labels, upperBounds: buckets, maxSeries: maxSeries)
        return register(family, labels: labels)
    }

    /// Adds work to run at the start of every ``exposition()``, for gauges that are cheaper to
    /// sample on demand than to keep current (bytes on disk, segment count).
    ///
    /// - Parameter hook: Runs on the scraping thread; it must be quick and must not call
    ///   ``exposition()``.
    public func beforeCollect(_ hook: @escaping @Sendable () -> Void) {
        state.withLock { $0.hooks.append(hook) }
    }

    /// Every registered family in registration order, rendered in the text exposition format.
    ///
    /// - Complexity: O(s log s) for s series, for the sort that keeps the output stable.
    public func exposition() -> String {
        let hooks = state.withLock { $0.hooks }
        for hook in hooks { hook() }
        let collectors = state.withLock { $0.collectors }
        var text = ""
        text.reserveCapacity(collectors.count * 256)
        for collector in collectors {
            collector.render(into: &text)
        }
        return text
    }

    private func register<Family: MetricCollector>(_ family: Family, labels: [String]) -> Family {
        precondition(PrometheusText.isValidMetricName(family.name), "invalid metric name \(family.name)")
        for label in labels {
            precondition(PrometheusText.isValidLabelName(label), "invalid label name \(label) on \(family.name)")
        }
        precondition(Set(labels).count == labels.count, "duplicate label name on \(family.name)")
        state.withLock { state in
            precondition(!state.names.contains(family.name), "metric \(family.name) is registered twice")
            state.names.insert(family.name)
            state.collectors.append(family)
        }
        return family
    }
}
