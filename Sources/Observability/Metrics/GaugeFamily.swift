/// A gauge with labels: one ``Gauge`` per combination of label values.
public final class GaugeFamily: Sendable, MetricCollector {
    /// The metric name, for example `candystore_consumer_connected`.
    public let name: String
    /// The help text shown in the scrape.
    public let help: String
    let series: SeriesTable<Gauge>

    init(name: String, help: String, labelNames: [String], maxSeries: Int) {
        self.name = name
        self.help = help
        self.series = SeriesTable(labelNames: labelNames, maxSeries: maxSeries) { Gauge() }
    }

    /// The label names, in the order `labels(_:)` takes their values.
    public var labelNames: [String] { series.labelNames }

    /// The gauge for these label values, in the order of ``labelNames``.
    ///
    /// - Parameter values: One value per label name.
    /// - Complexity: O(k) for k labels, plus one short lock.
    public func labels(_ values: String...) -> Gauge {
        series.child(values)
    }

    func render(into text: inout String) {
        PrometheusText.appendHeader(name: name, help: help, type: "gauge", to: &text)
        let names = series.labelNames
        for entry in series.sortedChildren() {
            PrometheusText.appendSample(
                name: name, labels: Array(zip(names, entry.values)), value: entry.child.value, to: &text)
        }
    }
}
