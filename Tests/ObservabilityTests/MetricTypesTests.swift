import Foundation
import Testing

@testable import Observability

@Suite struct MetricTypesTests {
    @Test func counterAddsAndIgnoresNegativeAmounts() {
        let counter = MetricsRegistry().counter("things_total", help: "Things.")
        counter.increment()
        counter.increment(by: 2.5)
        counter.increment(by: 3)
        counter.increment(by: -10)
        counter.increment(by: Double.nan)
        #expect(counter.value == 6.5)
    }

    @Test func counterLosesNoIncrementsAcrossThreads() {
        let counter = MetricsRegistry().counter("racing_total", help: "Racing.")
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<10_000 { counter.increment() }
        }
        #expect(counter.value == 80_000)
    }

    @Test func gaugeSetsAddsAndSubtracts() {
        let gauge = MetricsRegistry().gauge("level", help: "Level.")
        gauge.set(10)
        gauge.increment(by: 2.5)
        gauge.decrement()
        #expect(gauge.value == 11.5)
        gauge.set(true)
        #expect(gauge.value == 1)
        gauge.set(-3.25)
        #expect(gauge.value == -3.25)
    }

    @Test func histogramBucketBoundsAreInclusiveAndCumulative() {
        let histogram = MetricsRegistry().histogram("wait_seconds", help: "Wait.", buckets: [0.1, 1, 10])
        for value in [0.05, 0.1, 0.5, 1, 5, 10, 11, 1_000] {
            histogram.observe(value)
        }
        let snapshot = histogram.snapshot
        #expect(snapshot.cumulativeCounts == [2, 4, 6, 8])
        #expect(snapshot.count == 8)
        #expect(snapshot.sum == 0.05 + 0.1 + 0.5 + 1 + 5 + 10 + 11 + 1_000)
    }

    @Test func histogramIgnoresNaNAndCountsInfinityInTheLastBucket() {
        let histogram = MetricsRegistry().histogram("odd_seconds", help: "Odd.", buckets: [1])
        histogram.observe(.nan)
        histogram.observe(.infinity)
        histogram.observe(-5)
        #expect(histogram.snapshot.cumulativeCounts == [1, 2])
        #expect(histogram.snapshot.count == 2)
    }

    @Test func histogramCountsEveryObservationAcrossThreads() {
        let histogram = MetricsRegistry().histogram("busy_seconds", help: "Busy.", buckets: [0.5])
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for _ in 0..<5_000 { histogram.observe(worker.isMultiple(of: 2) ? 0.25 : 0.75) }
        }
        let snapshot = histogram.snapshot
        #expect(snapshot.cumulativeCounts == [10_000, 20_000])
        #expect(snapshot.sum == 10_000 * 0.25 + 10_000 * 0.75)
    }

    @Test(arguments: [(1.0, 2.0, 4), (0.001, 10.0, 3)])
    func exponentialBucketsMultiply(start: Double, factor: Double, count: Int) {
        let bounds = HistogramBuckets.exponential(start: start, factor: factor, count: count)
        #expect(bounds.count == count)
        #expect(bounds.first == start)
        for (lower, upper) in zip(bounds, bounds.dropFirst()) {
            #expect(abs(upper / lower - factor) < 1e-9)
        }
    }

    @Test func linearBucketsAreEvenlySpaced() {
        #expect(HistogramBuckets.linear(start: 5, width: 5, count: 3) == [5, 10, 15])
    }

    @Test func familyReturnsTheSameChildForTheSameLabels() {
        let family = MetricsRegistry().counterFamily("hits_total", help: "Hits.", labels: ["route"])
        family.labels("/a").increment()
        family.labels("/a").increment()
        family.labels("/b").increment()
        #expect(family.labels("/a").value == 2)
        #expect(family.labels("/b").value == 1)
    }

    @Test func familyFoldsCombinationsBeyondItsCapIntoOneSeries() {
        let family = MetricsRegistry().counterFamily(
            "capped_total", help: "Capped.", labels: ["kind", "source"], maxSeries: 3)
        for index in 0..<10 {
            family.labels("kind-\(index)", "s").increment()
        }
        let children = family.series.sortedChildren()
        #expect(children.count == 4)
        let overflow = family.labels("new-kind", "s")
        #expect(overflow === family.labels("another", "x"))
        #expect(overflow.value == 7)
        #expect(family.labels("kind-0", "s").value == 1)
    }

    @Test func familyTruncatesLongLabelValues() {
        let family = MetricsRegistry().gaugeFamily("long_values", help: "Long.", labels: ["name"])
        let long = String(repeating: "x", count: 1_000)
        family.labels(long).set(4)
        let values = family.series.sortedChildren().map(\.values)
        #expect(values == [[String(repeating: "x", count: SeriesTable<Gauge>.maxValueLength)]])
        #expect(family.labels(long + "y").value == 4)
    }
}
