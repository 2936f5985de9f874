import Testing

@testable import Observability

@Suite struct PromtoolTests {
    /// A registry with every Candystore metric and at least one sample in each family, with label
    /// values that need escaping.
    private func populatedMetrics() -> CandystoreMetrics {
        let metrics = CandystoreMetrics()
        metrics.eventsReceived.labels("transcription.voice.completed", "whisperlivekit").increment()
        metrics.eventsReceived.labels("odd \"type\"\nwith\\escapes", "src").increment(by: 4)
        metrics.eventsStored.labels("transcription.voice.completed").increment()
        metrics.eventsFailed.labels("agent.tick", "no_space").increment()
        metrics.storageLatency.observe(0.004)
        metrics.storageLatencyMilliseconds.set(4.2)
        metrics.consumerConnected.set(true)
        metrics.consumerReconnects.increment()
        metrics.duplicates.increment()
        metrics.quarantined.labels("not_json").increment()
        for endpoint in APIEndpointLabel.allCases {
            metrics.recordAPIRequest(method: "GET", endpoint: endpoint, status: 200, seconds: 0.002)
        }
        metrics.recordAPIRequest(method: "BREW", endpoint: .other, status: 404, seconds: 0.0001)
        metrics.queryResults.increment(by: 100)
        metrics.databaseConnections.set(1)
        metrics.fsyncDuration.observe(0.0012)
        metrics.batchSize.observe(37)
        metrics.segments.set(3)
        metrics.bytesOnDisk.set(805_306_368)
        metrics.lastDurableSequence.set(1_000_000)
        metrics.recoveryTruncations.increment()
        metrics.recoveryTruncatedBytes.increment(by: 512)
        metrics.indexRebuildDuration.set(0.85)
        metrics.indexReady.set(true)
        return metrics
    }

    @Test func candystoreScrapePassesPromtool() throws {
        guard Promtool.executable != nil else {
            Issue.record(Comment(rawValue: Promtool.missingMessage))
            return
        }
        let verdict = try Promtool.check(populatedMetrics().exposition())
        let unexpected = verdict.problems.filter { !Promtool.acceptedProblems.contains($0) }
        #expect(unexpected.isEmpty, "promtool found: \(unexpected)")
        #expect(verdict.exitCode == 0 || (verdict.exitCode == 3 && unexpected.isEmpty))
    }

    @Test func emptyCandystoreScrapePassesPromtool() throws {
        guard Promtool.executable != nil else {
            Issue.record(Comment(rawValue: Promtool.missingMessage))
            return
        }
        let verdict = try Promtool.check(CandystoreMetrics().exposition())
        #expect(verdict.problems.allSatisfy { Promtool.acceptedProblems.contains($0) }, "\(verdict.problems)")
    }

    @Test func promtoolRejectsBrokenText() throws {
        guard Promtool.executable != nil else {
            Issue.record(Comment(rawValue: Promtool.missingMessage))
            return
        }
        let verdict = try Promtool.check("broken_total{a=\"unterminated} 1\n")
        #expect(verdict.exitCode != 0)
        #expect(!verdict.problems.isEmpty)
    }

    @Test func scrapeDeclaresEveryMetricOfTheReplacedService() {
        let text = CandystoreMetrics().exposition()
        let declarations: [(String, String)] = [
            ("candystore_events_received_total", "counter"), ("candystore_events_stored_total", "counter"),
            ("candystore_events_failed_total", "counter"), ("candystore_storage_latency_seconds", "histogram"),
            ("candystore_storage_latency_milliseconds", "gauge"), ("candystore_api_requests_total", "counter"),
            ("candystore_api_request_duration_seconds", "histogram"), ("candystore_query_results_total", "counter"),
            ("candystore_consumer_connected", "gauge"), ("candystore_consumer_reconnects_total", "counter"),
            ("candystore_database_connections", "gauge"),
        ]
        for (name, type) in declarations {
            #expect(text.contains("# TYPE \(name) \(type)\n"), "missing \(name)")
        }
    }

    @Test func labelNamesMatchTheReplacedService() {
        let metrics = CandystoreMetrics()
        #expect(metrics.eventsReceived.labelNames == ["event_type", "source"])
        #expect(metrics.eventsStored.labelNames == ["event_type"])
        #expect(metrics.eventsFailed.labelNames == ["event_type", "error_type"])
        #expect(metrics.apiRequests.labelNames == ["method", "endpoint", "status"])
        #expect(metrics.apiRequestDuration.labelNames == ["method", "endpoint"])
    }

    @Test func unknownMethodsShareOneLabel() {
        let metrics = CandystoreMetrics()
        metrics.recordAPIRequest(method: "BREW", endpoint: .other, status: 405, seconds: 0)
        metrics.recordAPIRequest(method: "PROPFIND", endpoint: .other, status: 405, seconds: 0)
        #expect(metrics.apiRequests.labels("other", "other", "405").value == 2)
    }
}
