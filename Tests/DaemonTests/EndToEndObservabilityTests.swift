import Daemon
import Foundation
import Ingest
import SegmentStore
import Testing

/// `/health` and `/metrics` of the real daemon after real traffic: the fields an operator reads,
/// a scrape Prometheus' own tool accepts, and counters that match what was published.
@Suite(.serialized, .timeLimit(.minutes(5))) struct EndToEndObservabilityTests {
    @Test("/health reports the store, the consumer and the newest event")
    func healthFields() throws {
        try StockedDaemon.with("health", count: 25) { stocked in
            let reply = try stocked.daemon.api("/health")
            #expect(reply.status == 200)
            let health = try reply.object()
            #expect(health["status"] as? String == "healthy")
            #expect(health["version"] as? String == CandystoreVersion.current)
            #expect(health["database"] as? String == "segstore")
            #expect(health["events_stored"] as? Int == stocked.events.count)
            #expect(health["consumer_connected"] as? Bool == true)
            // The newest stored event is the last one published.
            #expect(health["last_event_time"] as? String == stocked.events.last?.timestamp.rfc3339)
            let bytes = try #require(health["data_dir_bytes"] as? Int)
            #expect(bytes > 0)
            #expect(health["reason"] == nil)
        }
    }

    @Test("/health is 503 degraded, with a reason, while the broker cannot be reached")
    func healthDegradedWithoutBroker() throws {
        // Nothing listens on port 1 of loopback.
        let daemon = try DaemonUnderTest("degraded", brokerURL: "amqp://guest:guest@127.0.0.1:1/")
        defer { daemon.tearDown() }
        try daemon.start()
        var reply: HTTPReply?
        let degraded = eventually(within: .seconds(30)) {
            reply = try? daemon.api("/health")
            return (try? reply?.object()["status"] as? String) == "degraded"
        }
        #expect(degraded, "\(String(describing: reply))")
        #expect(reply?.status == 503)
        let health = try #require(try reply?.object())
        #expect(health["consumer_connected"] as? Bool == false)
        #expect((health["reason"] as? String)?.isEmpty == false)
        #expect(health["events_stored"] as? Int == 0)
        #expect(health["last_event_time"] is NSNull)
        // Queries still work on what is stored (nothing).
        #expect(try daemon.total() == 0)
        #expect(daemon.terminate() == .exited(0))
    }

    @Test("/metrics passes promtool and its counters match what was published")
    func metricsMatchTraffic() throws {
        let run = LoopbackBroker.uniqueName("metrics")
        let duplicates = SampleSet.make(6, run: run + "-dup")
        try StockedDaemon.with("metrics", count: 40, extra: duplicates) { stocked in
            let daemon = stocked.daemon
            // The same events again (stored once, counted as duplicates) and a body that is not JSON.
            try TestPublisher.publish(duplicates, url: daemon.brokerURL, exchange: daemon.exchange)
            let connection = try AMQPConnection.connect(to: AMQPURL(parsing: daemon.brokerURL))
            try connection.enableConfirms()
            try connection.publish(exchange: daemon.exchange, routingKey: "broken.body", body: Array("{not json".utf8))
            try connection.waitForConfirms(timeout: .seconds(30))
            connection.close()
            let settled = eventually(within: .seconds(30)) {
                guard let scrape = try? MetricsScrape(daemon.scrape()) else { return false }
                let duplicatesSeen = scrape.value("candystore_events_duplicate_total") ?? 0
                let quarantined = scrape.series("candystore_events_quarantined_total").values.reduce(0, +)
                return duplicatesSeen >= Double(duplicates.count) && quarantined >= 1
            }
            #expect(settled, "\(daemon.logTail())")

            // Some queries, to count: two pages and one lookup.
            let before = try MetricsScrape(daemon.scrape()).value("candystore_query_results_total") ?? -1
            let page = try daemon.json("/events?limit=7")
            let second = try daemon.json("/events?event_type=llm.prompt&limit=1000")
            let lookup = try daemon.api("/events/\(stocked.events[0].id)")
            #expect(lookup.status == 200)
            _ = try daemon.api("/nowhere/at/all")
            let returned = (page["events"] as? [Any] ?? []).count + (second["events"] as? [Any] ?? []).count + 1

            let text = try daemon.scrape()
            let (status, findings) = try PromtoolCheck.check(text)
            let unexpected = findings.filter { $0 != PromtoolCheck.acceptedFinding }
            #expect(unexpected.isEmpty, "promtool: \(unexpected)")
            #expect(status == .exited(0) || (status == .exited(3) && unexpected.isEmpty), "promtool \(status)")

            let scrape = try MetricsScrape(text)
            let received = scrape.series("candystore_events_received_total")
            let stored = scrape.series("candystore_events_stored_total")
            var expectReceived: [[String: String]: Double] = [:]
            var expectStored: [[String: String]: Double] = [:]
            for event in stocked.events + duplicates {
                expectReceived[["event_type": event.eventType, "source": event.source], default: 0] += 1
            }
            for event in stocked.events {
                expectStored[["event_type": event.eventType], default: 0] += 1
            }
            #expect(received == expectReceived)
            #expect(stored == expectStored)
            #expect(scrape.value("candystore_events_duplicate_total") == Double(duplicates.count))
            #expect(scrape.value("candystore_events_quarantined_total", ["reason": "invalid_json"]) == 1)
            #expect(scrape.series("candystore_events_failed_total").isEmpty)
            #expect(scrape.value("candystore_storage_latency_seconds_count") == Double(stocked.events.count))
            #expect(
                scrape.value("candystore_storage_latency_seconds_bucket", ["le": "+Inf"])
                    == Double(stocked.events.count))
            #expect(scrape.value("candystore_storage_latency_milliseconds").map { $0 > 0 } == true)
            #expect(scrape.value("candystore_consumer_connected") == 1)
            #expect(scrape.value("candystore_consumer_reconnects_total") == 0)
            #expect(scrape.value("candystore_database_connections") == 1)
            #expect(scrape.value("candystore_store_last_sequence") == Double(stocked.events.count))
            #expect(scrape.value("candystore_index_ready") == 1)
            let after = scrape.value("candystore_query_results_total") ?? -1
            #expect(after - before == Double(returned), "events returned by the queries since the first scrape")
            #expect(
                scrape.value(
                    "candystore_api_requests_total", ["method": "GET", "endpoint": "/events/{id}", "status": "200"])
                    == 1)
            #expect(
                scrape.value("candystore_api_requests_total", ["method": "GET", "endpoint": "other", "status": "404"])
                    == 1)
            let batches = scrape.value("candystore_write_batch_events_count") ?? 0
            #expect(batches >= 1 && batches <= Double(stocked.events.count))
            #expect((scrape.value("candystore_fsync_duration_seconds_count") ?? 0) >= 1)
        }
    }
}
