/// A counter with labels: one ``Counter`` per combination of label values.
///
/// Look a child up once and keep it where the labels are fixed; where they vary (an event type),
/// `labels(_:)` costs a short lock and a dictionary lookup.
public final class CounterFamily: Sendable, MetricCollector {
    /// The metric name, for example `candystore_events_stored_total`.
    public let name: String
    /// The help text shown in the scrape.
    public let help: String
    let series: SeriesTable<Counter>

    init(name: String, help: String, labelNames: [String], maxSeries: Int) {
        self.name = name
        self.help = help
        self.series = SeriesTable(labelNames: labelNames, maxSeries: maxSeries) { Counter() }
    }

    /// The label names, in the order `labels(_:)` takes their values.
    public var labelNames: [String] { series.labelNames }

    /// The counter for these label values, in the order of ``labelNames``.
    ///
    /// - Parameter values: One value per label name.
    /// - Complexity: O(k) for k labels, plus one short lock.
    public func labels(_ values: String...) -> Counter {
        series.child(values)
    }

    /// The counter for these label values, in the order of ``labelNames``.
    ///
    /// - Parameter values: One value per label name.
    public func labels(_ values: [String]) -> Counter {
        series.child(values)
    }

    func render(into text: inout String) {
        PrometheusText.appendHeader(name: name, help: help, type: "counter", to: &text)
        let names = series.labelNames
        for entry in series.sortedChildren() {
            PrometheusText.appendSample(
                name: name, labels: Array(zip(names, entry.values)), value: entry.child.value, to: &text)
        }
    }
}
