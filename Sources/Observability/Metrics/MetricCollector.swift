/// Something the registry renders at scrape time: one metric family.
protocol MetricCollector: Sendable {
    /// The family name, unique within a registry.
    var name: String { get }
    /// Appends the family's `# HELP`, `# TYPE` and sample lines.
    func render(into text: inout String)
}
