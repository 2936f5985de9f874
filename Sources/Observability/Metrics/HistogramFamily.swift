/// A histogram with labels: one ``Histogram`` per combination of label values, all sharing the
/// same buckets.
public final class HistogramFamily: Sendable, MetricCollector {
    /// The metric name, for example `candystore_api_request_duration_seconds`.
    public let name: String
    /// The help text shown in the scrape.
    public let help: String
    /// The finite bucket bounds every child uses.
    public let upperBounds: [Double]
    let series: SeriesTable<Histogram>

    init(name: String, help: String, labelNames: [String], upperBounds: [Double], maxSeries: Int) {
        self.name = name
        self.help = help
        self.upperBounds = upperBounds
        self.series = SeriesTable(labelNames: labelNames, maxSeries: maxSeries) {
            Histogram(upperBounds: upperBounds)
        }
    }

    /// The label names, in the order `labels(_:)` takes their values.
    public var labelNames: [String] { series.labelNames }

    /// The histogram for these label values, in the order of ``labelNames``.
    ///
    /// - Parameter values: One value per label name.
    /// - Complexity: O(k) for k labels, plus one short lock.
    public func labels(_ values: String...) -> Histogram {
        series.child(values)
    }

    func render(into text: inout String) {
        PrometheusText.appendHeader(name: name, help: help, type: "histogram", to: &text)
        let names = series.labelNames
        for entry in series.sortedChildren() {
            let labels = Array(zip(names, entry.values))
            let snapshot = entry.child.snapshot
            for (index, count) in snapshot.cumulativeCounts.enumerated() {
                let bound = index < snapshot.upperBounds.count ? snapshot.upperBounds[index] : .infinity
                PrometheusText.appendSample(
                    name: name + "_bucket", labels: labels + [("le", PrometheusText.format(bound))],
                    value: Double(count), to: &text)
            }
            PrometheusText.appendSample(name: name + "_sum", labels: labels, value: snapshot.sum, to: &text)
            PrometheusText.appendSample(
                name: name + "_count", labels: labels, value: Double(snapshot.count), to: &text)
        }
    }
}
