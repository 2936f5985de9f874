import Foundation
import SegmentStore
import Testing

/// The real daemon, fed through a real broker, answering `GET /events` over HTTP: every filter
/// alone and combined, the time range, the event shape and both ways of paging, each checked
/// against a model of what was published.
@Suite(.serialized, .timeLimit(.minutes(5))) struct EndToEndQueryTests {
    private func query(_ pairs: [(String, String)], limit: Int = 1_000) -> String {
        "/events?" + (pairs + [("limit", String(limit))]).map { "\($0.0)=\($0.1.queryEncoded)" }.joined(separator: "&")
    }

    @Test("every filter alone answers exactly the matching events, newest first")
    func everyFilterAlone() throws {
        try StockedDaemon.with("filters") { stocked in
            let events = stocked.events
            var cases: [(name: String, value: String, expected: [SampleEvent])] = []
            for value in SampleSet.eventTypes {
                cases.append(("event_type", value, SampleSet.expected(events, eventType: value)))
            }
            for value in SampleSet.sources {
                cases.append(("source", value, SampleSet.expected(events, source: value)))
            }
            for value in SampleSet.targets {
                cases.append(("target", value, SampleSet.expected(events, target: value)))
            }
            for value in SampleSet.sessions {
                cases.append(("session_id", value, SampleSet.expected(events, sessionId: value)))
            }
            for group in [0, 3, 11] {
                let value = "corr-\(stocked.run)-\(group)"
                cases.append(("correlation_id", value, SampleSet.expected(events, correlationId: value)))
            }
            for name in ["event_type", "source", "target", "session_id", "correlation_id"] {
                cases.append((name, "no-such-value", []))
            }

            for (name, value, expected) in cases {
                let page = try stocked.daemon.json(query([(name, value)]))
                let ids = (page["events"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
                #expect(ids == expected.map(\.id), "\(name)=\(value)")
                #expect(page["total"] as? Int == expected.count, "\(name)=\(value)")
                #expect(page["has_more"] as? Bool == false, "\(name)=\(value)")
            }
            // Sanity of the model itself: each case selects some but not all events.
            #expect(cases.filter { !$0.expected.isEmpty }.allSatisfy { $0.expected.count < events.count })

            let everything = try stocked.daemon.ids(query([]))
            #expect(everything == SampleSet.expected(events).map(\.id))
        }
    }

    @Test("filters combine with AND, with and without a time range")
    func filtersCombine() throws {
        try StockedDaemon.with("combined") { stocked in
            let events = stocked.events
            let middle = SampleSet.baseTime.microseconds + 30 * 60_000_000 + 250_000
            let start = EventTimestamp(microseconds: middle)
            let end = EventTimestamp(microseconds: middle + 50 * 60_000_000)
            let correlation = "corr-\(stocked.run)-4"
            let cases: [([(String, String)], [SampleEvent])] = [
                (
                    [("event_type", "llm.prompt"), ("source", "tonny@studio-mac")],
                    SampleSet.expected(events, eventType: "llm.prompt", source: "tonny@studio-mac")
                ),
                (
                    [("session_id", "session-b"), ("target", "candybar")],
                    SampleSet.expected(events, target: "candybar", sessionId: "session-b")
                ),
                (
                    [("event_type", "agent.session.started"), ("session_id", "session-d"), ("target", "candybar")],
                    SampleSet.expected(
                        events, eventType: "agent.session.started", target: "candybar", sessionId: "session-d")
                ),
                (
                    [("correlation_id", correlation), ("source", "whisperlivekit@studio-mac")],
                    SampleSet.expected(events, source: "whisperlivekit@studio-mac", correlationId: correlation)
                ),
                (
                    [("session_id", "session-a"), ("start_time", start.rfc3339), ("end_time", end.rfc3339)],
                    SampleSet.expected(events, sessionId: "session-a", start: start, end: end)
                ),
                (
                    [
                        ("event_type", "transcription.voice.completed"), ("source", "whisperlivekit@studio-mac"),
                        ("target", "tonny"), ("session_id", "session-a"), ("start_time", start.rfc3339),
                    ],
                    SampleSet.expected(
                        events, eventType: "transcription.voice.completed", source: "whisperlivekit@studio-mac",
                        target: "tonny", sessionId: "session-a", start: start)
                ),
                ([("event_type", "llm.prompt"), ("source", "no-such-source")], []),
            ]
            var nonEmpty = 0
            for (pairs, expected) in cases {
                let label = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
                let page = try stocked.daemon.json(query(pairs))
                let ids = (page["events"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
                #expect(ids == expected.map(\.id), "\(label)")
                #expect(page["total"] as? Int == expected.count, "\(label)")
                if !expected.isEmpty { nonEmpty += 1 }
            }
            #expect(nonEmpty == cases.count - 1, "every combined case but the last selects something")
        }
    }

    @Test("start_time and end_time are inclusive and accept offsets, dates and Unix seconds")
    func timeRange() throws {
        try StockedDaemon.with("time") { stocked in
            let daemon = stocked.daemon
            let events = stocked.events
            let sorted = events.map(\.timestamp).sorted()
            let low = sorted[20]
            let high = sorted[70]
            let inRange = SampleSet.expected(events, start: low, end: high).map(\.id)
            #expect(inRange.count >= 51, "bounds are inclusive in the model too")

            let bothBounds = try daemon.ids(query([("start_time", low.rfc3339), ("end_time", high.rfc3339)]))
            #expect(bothBounds == inRange)
            let fromLow = try daemon.ids(query([("start_time", low.rfc3339)]))
            #expect(fromLow == SampleSet.expected(events, start: low).map(\.id))
            let untilHigh = try daemon.ids(query([("end_time", high.rfc3339)]))
            #expect(untilHigh == SampleSet.expected(events, end: high).map(\.id))

            // The same instants written with a +02:00 offset, and as Unix seconds.
            let withOffsets = try daemon.ids(
                query([("start_time", SampleEvent.withOffset(low)), ("end_time", SampleEvent.withOffset(high))]))
            #expect(withOffsets == inRange)
            let unixLow = String(format: "%.6f", Double(low.microseconds) / 1e6)
            let fromUnixSeconds = try daemon.ids(query([("start_time", unixLow), ("end_time", high.rfc3339)]))
            #expect(fromUnixSeconds == inRange)

            // A bare date is midnight UTC; every sample event is on 2026-01-27.
            let fromThatDay = try daemon.total("start_time=2026-01-27")
            let fromTheNextDay = try daemon.total("start_time=2026-01-28")
            let untilThatDay = try daemon.total("end_time=2026-01-27")
            #expect(fromThatDay == events.count)
            #expect(fromTheNextDay == 0)
            #expect(untilThatDay == 0)
        }
    }

    @Test("each event has the replaced service's shape, with UTC timestamps and the published payload")
    func eventShape() throws {
        try StockedDaemon.with("shape", count: 9) { stocked in
            let page = try stocked.daemon.json("/events?limit=100")
            let listed = try #require(page["events"] as? [[String: Any]])
            #expect(Set(page.keys) == ["events", "total", "limit", "offset", "has_more", "next_cursor"])
            #expect(page["limit"] as? Int == 100 && page["offset"] as? Int == 0)
            #expect(page["next_cursor"] is NSNull)
            #expect(listed.count == stocked.events.count)
            let keys: Set<String> = [
                "id", "event_type", "source", "target", "routing_key", "timestamp", "stored_at", "payload",
                "session_id", "correlation_id", "storage_latency_ms",
            ]
            for event in stocked.events {
                let json = try #require(listed.first { $0["id"] as? String == event.id }, "\(event.id) listed")
                #expect(Set(json.keys) == keys)
                #expect(json["event_type"] as? String == event.eventType)
                #expect(json["source"] as? String == event.source, "\(event.shape)")
                #expect(json["target"] as? String == event.target)
                #expect(json["session_id"] as? String == event.sessionId, "\(event.shape)")
                #expect(json["correlation_id"] as? String == event.correlationId, "\(event.shape)")
                #expect(json["routing_key"] as? String == event.routingKey)
                #expect(json["timestamp"] as? String == event.timestamp.rfc3339, "\(event.shape) in UTC with Z")
                #expect((json["payload"] as? NSDictionary) == (event.payload as NSDictionary))
                let storedAt = try #require((json["stored_at"] as? String).flatMap { EventTimestamp(rfc3339: $0) })
                #expect((json["stored_at"] as? String)?.hasSuffix("Z") == true)
                let latency = try #require(json["storage_latency_ms"] as? Double)
                #expect(latency >= 0 && latency < 60_000)
                #expect(abs(Double(EventTimestamp.now().microseconds - storedAt.microseconds)) < 600e6)
            }
        }
    }

    @Test("offset paging walks every event once while older events are published between pages")
    func offsetPaging() throws {
        try StockedDaemon.with("offset", count: 60) { stocked in
            let expected = SampleSet.expected(stocked.events).map(\.id)
            // Older than everything stored: they sort after the walked events and shift no page.
            var older: [SampleEvent] = []
            var walked: [String] = []
            var offset = 0
            var pages = 0
            while true {
                let page = try stocked.daemon.json("/events?limit=7&offset=\(offset)")
                let ids = (page["events"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(page["offset"] as? Int == offset)
                walked += ids
                offset += ids.count
                pages += 1
                guard page["has_more"] as? Bool == true, pages < 100 else { break }
                if pages <= 5 {
                    let event = SampleEvent(
                        shape: .envelope, id: "\(stocked.run)-older-\(pages)", eventType: "late.arrival",
                        source: "replay@archive",
                        timestamp: EventTimestamp(
                            microseconds: SampleSet.baseTime.microseconds - Int64(pages) * 1_000_000),
                        payload: ["page": pages])
                    older.append(event)
                    try TestPublisher.publish([event], url: stocked.daemon.brokerURL, exchange: stocked.daemon.exchange)
                    try stocked.daemon.waitUntilStored(stocked.events.count + older.count)
                }
            }
            #expect(Array(walked.prefix(expected.count)) == expected, "every stored event once, in order")
            #expect(Set(walked).count == walked.count, "no event twice")
            #expect(walked.count == expected.count + older.count)
            #expect(Set(walked.dropFirst(expected.count)) == Set(older.map(\.id)))
        }
    }

    @Test("cursor paging walks every event once while newer and older events are published between pages")
    func cursorPaging() throws {
        try StockedDaemon.with("cursor", count: 60) { stocked in
            let expected = SampleSet.expected(stocked.events).map(\.id)
            var walked: [String] = []
            var late: [SampleEvent] = []
            var cursor: String?
            var pages = 0
            repeat {
                var target = "/events?limit=7"
                if let cursor { target += "&cursor=" + cursor.queryEncoded }
                let page = try stocked.daemon.json(target)
                let ids = (page["events"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                walked += ids
                cursor = page["next_cursor"] as? String
                #expect((page["has_more"] as? Bool) == (cursor != nil))
                pages += 1
                if cursor != nil, pages <= 4 {
                    // One event newer than everything (it lands before the cursor and is never
                    // walked) and one older (it lands at the end and is walked once).
                    let newer = SampleEvent(
                        shape: .legacy, id: "\(stocked.run)-newer-\(pages)", eventType: "late.arrival",
                        source: "live@now", timestamp: EventTimestamp(microseconds: 1_900_000_000_000_000),
                        payload: ["page": pages])
                    let older = SampleEvent(
                        shape: .cloudEvent, id: "\(stocked.run)-older-\(pages)", eventType: "late.arrival",
                        source: "replay@archive",
                        timestamp: EventTimestamp(
                            microseconds: SampleSet.baseTime.microseconds - Int64(pages) * 1_000_000),
                        payload: ["page": pages])
                    late += [newer, older]
                    try TestPublisher.publish(
                        [newer, older], url: stocked.daemon.brokerURL, exchange: stocked.daemon.exchange)
                    try stocked.daemon.waitUntilStored(stocked.events.count + late.count)
                }
            } while cursor != nil && pages < 100
            let olderIDs = late.filter { $0.id.contains("-older-") }.map(\.id)
            #expect(Array(walked.prefix(expected.count)) == expected, "every stored event once, in order")
            #expect(Set(walked).count == walked.count, "no event twice")
            #expect(Set(walked.dropFirst(expected.count)) == Set(olderIDs))
            #expect(walked.count == expected.count + olderIDs.count)
            #expect(try stocked.daemon.total() == stocked.events.count + late.count)
            // A cursor combines with filters and with an offset after it.
            let filtered = SampleSet.expected(stocked.events, eventType: "llm.prompt").map(\.id)
            let first = try stocked.daemon.json("/events?event_type=llm.prompt&limit=3")
            let next = try #require(first["next_cursor"] as? String)
            #expect(
                try stocked.daemon.ids("/events?event_type=llm.prompt&limit=3&offset=2&cursor=\(next.queryEncoded)")
                    == Array(filtered.dropFirst(5).prefix(3)))
        }
    }
}
