import Synchronization

/// The children of a labelled metric family, one per combination of label values, with a cap on
/// how many combinations it will hold.
///
/// Label values often come from outside (event types, sources); an unbounded family would let a
/// misbehaving producer grow memory and the scrape without limit. Past `maxSeries` combinations,
/// every new combination shares one series whose labels all read ``overflowValue``, and each value
/// is cut to ``maxValueLength`` characters.
final class SeriesTable<Child: AnyObject & Sendable>: Sendable {
    /// The label value of the shared series that takes combinations beyond the cap.
    static var overflowValue: String { "_overflow" }
    /// The longest label value kept, in characters; longer values are truncated.
    static var maxValueLength: Int { 128 }

    let labelNames: [String]
    let maxSeries: Int
    private let make: @Sendable () -> Child
    private let children: Mutex<[[String]: Child]>

    init(labelNames: [String], maxSeries: Int, make: @escaping @Sendable () -> Child) {
        precondition(maxSeries >= 1, "a metric family must allow at least one series")
        self.labelNames = labelNames
        self.maxSeries = maxSeries
        self.make = make
        self.children = Mutex([:])
    }

    /// The child for `values`, created on first use.
    ///
    /// - Complexity: O(k) for k label values, plus one short lock.
    func child(_ values: [String]) -> Child {
        precondition(
            values.count == labelNames.count,
            "expected \(labelNames.count) label values (\(labelNames)), got \(values.count)")
        let key = values.map { $0.count > Self.maxValueLength ? String($0.prefix(Self.maxValueLength)) : $0 }
        return children.withLock { table in
            if let existing = table[key] { return existing }
            let slot = table.count < maxSeries ? key : Array(repeating: Self.overflowValue, count: key.count)
            if let existing = table[slot] { return existing }
            let created = make()
            table[slot] = created
            return created
        }
    }

    /// Every child with its label values, sorted by label values so that output is stable.
    func sortedChildren() -> [(values: [String], child: Child)] {
        let entries = children.withLock { table in table.map { (values: $0.key, child: $0.value) } }
        return entries.sorted { $0.values.lexicographicallyPrecedes($1.values) }
    }
}
