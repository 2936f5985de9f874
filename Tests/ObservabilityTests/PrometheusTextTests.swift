import Testing

@testable import Observability

@Suite struct PrometheusTextTests {
    @Test func rendersEveryKindInRegistrationOrder() {
        let registry = MetricsRegistry()
        let jobs = registry.counter("jobs_total", help: "Jobs done.")
        let depth = registry.gauge("queue_depth", help: "Queued items.")
        let requests = registry.counterFamily("requests_total", help: "Requests.", labels: ["method", "code"])
        let wait = registry.histogram("wait_seconds", help: "Waiting time.", buckets: [0.25, 1])
        jobs.increment(by: 3)
        depth.set(1.5)
        requests.labels("POST", "500").increment()
        requests.labels("GET", "200").increment(by: 2)
        wait.observe(0.5)
        wait.observe(0.1)

        let expected = """
            # HELP jobs_total Jobs done.
            # TYPE jobs_total counter
            jobs_total 3
            # HELP queue_depth Queued items.
            # TYPE queue_depth gauge
            queue_depth 1.5
            # HELP requests_total Requests.
            # TYPE requests_total counter
            requests_total{method="GET",code="200"} 2
            requests_total{method="POST",code="500"} 1
            # HELP wait_seconds Waiting time.
            # TYPE wait_seconds histogram
            wait_seconds_bucket{le="0.25"} 1
            wait_seconds_bucket{le="1"} 2
            wait_seconds_bucket{le="+Inf"} 2
            wait_seconds_sum 0.6
            wait_seconds_count 2

            """
        #expect(registry.exposition() == expected)
    }

    @Test func labelledHistogramPutsLeAfterItsOwnLabels() {
        let registry = MetricsRegistry()
        let family = registry.histogramFamily("took_seconds", help: "Took.", labels: ["route"], buckets: [1])
        family.labels("/x").observe(2)
        let text = registry.exposition()
        #expect(text.contains("took_seconds_bucket{route=\"/x\",le=\"1\"} 0\n"))
        #expect(text.contains("took_seconds_bucket{route=\"/x\",le=\"+Inf\"} 1\n"))
        #expect(text.contains("took_seconds_sum{route=\"/x\"} 2\n"))
        #expect(text.contains("took_seconds_count{route=\"/x\"} 1\n"))
    }

    @Test func familyWithoutSeriesRendersOnlyItsHeader() {
        let registry = MetricsRegistry()
        _ = registry.counterFamily("unused_total", help: "Unused.", labels: ["a"])
        #expect(registry.exposition() == "# HELP unused_total Unused.\n# TYPE unused_total counter\n")
    }

    @Test func escapesHelpAndLabelValues() {
        let registry = MetricsRegistry()
        let family = registry.counterFamily("odd_total", help: "Back\\slash and\nnewline.", labels: ["v"])
        family.labels("quote\" back\\ line\nend").increment()
        let text = registry.exposition()
        #expect(text.contains("# HELP odd_total Back\\\\slash and\\nnewline.\n"))
        #expect(text.contains("odd_total{v=\"quote\\\" back\\\\ line\\nend\"} 1\n"))
    }

    @Test(arguments: [
        (0.0, "0"), (42.0, "42"), (-7.0, "-7"), (0.005, "0.005"), (1.5e20, "1.5e+20"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"),
    ])
    func formatsNumbersAsTheParserExpects(value: Double, text: String) {
        #expect(PrometheusText.format(value) == text)
    }

    @Test(arguments: ["a", "_x", "ns:sub_name", "n9"])
    func acceptsValidMetricNames(name: String) {
        #expect(PrometheusText.isValidMetricName(name))
    }

    @Test(arguments: ["", "9a", "has-dash", "sp ace", "é"])
    func rejectsInvalidMetricNames(name: String) {
        #expect(!PrometheusText.isValidMetricName(name))
    }

    @Test func rejectsReservedAndColonLabelNames() {
        #expect(!PrometheusText.isValidLabelName("__name"))
        #expect(!PrometheusText.isValidLabelName("a:b"))
        #expect(PrometheusText.isValidLabelName("event_type"))
    }

    @Test func beforeCollectHooksRunOnEveryScrape() {
        let registry = MetricsRegistry()
        let gauge = registry.gauge("sampled", help: "Sampled at scrape time.")
        let scrapes = registry.counter("scrapes_total", help: "Scrapes.")
        registry.beforeCollect {
            scrapes.increment()
            gauge.set(scrapes.value * 10)
        }
        _ = registry.exposition()
        #expect(registry.exposition().contains("sampled 20\n"))
    }
}
