import Foundation
import Testing

@testable import SegmentStore

@Suite struct CompactionArchiveTests {
    private static func event(
        payload: String, properties: String = "{\"delivery_mode\":2}", body: [UInt8]? = nil
    )
        -> StoredEvent
    {
        StoredEvent(
            id: "évé-nement \"7\" \\ ✓", eventType: "a.b.c", source: "src\twith\ttabs", target: nil,
            sessionId: "session\n2", correlationId: nil,
            timestamp: EventTimestamp(microseconds: 1_760_000_000_123_456),
            receivedAt: EventTimestamp(microseconds: 1_760_000_000_223_456), payload: Array(payload.utf8),
            original: OriginalMessage(
                exchange: "bloodbank.events.v1", routingKey: "a.b.c", properties: Array(properties.utf8),
                body: body ?? Array("{\"payload\":\(payload)}".utf8)),
            sequence: 42, storedAt: EventTimestamp(microseconds: 1_760_000_001_000_001))
    }

    /// Every field survives a line and back, byte for byte, whatever the payload looks like.
    @Test(arguments: [
        "{\"a\":[1,2,{\"b\":null}],\"s\":\"x\\ny\"}", "not json at all", "{\n  \"pretty\": true\n}", " {\"lead\":1}",
        "", "42", "\"text\\u00e9\"",
    ])
    func aLineRoundTripsEveryField(payload: String) throws {
        let original = Self.event(payload: payload)
        let line = EventArchive.line(for: original)
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(!line.dropLast().contains(UInt8(ascii: "\n")))
        // Any JSON reader can parse it.
        #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(line.dropLast())) }
        #expect(try ArchiveLine.event(from: Array(line.dropLast())) == original)
    }

    @Test func aBinaryBodyAndPropertiesThatAreNotJSONRoundTrip() throws {
        let original = Self.event(payload: "{}", properties: "{broken", body: (0...255).map { UInt8($0) })
        let line = EventArchive.line(for: original)
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.contains("\"properties_base64\":"))
        #expect(try ArchiveLine.event(from: Array(line.dropLast())) == original)
    }

    /// A line rewritten by another tool (spaces, another key order) reads back the same event.
    @Test func aReformattedLineReadsBack() throws {
        let line = """
             { "body_base64" : "e30=", "id" : "x-1", "event_type":"t", "source":"s", "target":"tonny",
             "session_id":null, "correlation_id":"c", "timestamp":"2026-01-27T10:30:00.123456Z",
             "received_at":"2026-01-27T10:30:00.2Z", "stored_at":"2026-01-27T10:30:01Z", "exchange":"e",
             "routing_key":"t", "properties" : { "k" : [ 1 , 2 ] }, "payload" : {}, "sequence" : 7 }
            """.replacingOccurrences(of: "\n", with: " ")
        let event = try ArchiveLine.event(from: Array(line.utf8))
        #expect(event.id == "x-1" && event.target == "tonny" && event.sessionId == nil && event.sequence == 7)
        #expect(event.original.properties == Array("{ \"k\" : [ 1 , 2 ] }".utf8))
        #expect(event.original.body == Array("{}".utf8))
        #expect(event.timestamp.rfc3339 == "2026-01-27T10:30:00.123456Z")
    }

    @Test func unreadableLinesAreNamedByNumber() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/archive.jsonl"
        let good = EventArchive.line(for: Self.event(payload: "{}"))
        let lines = good + Array("\n".utf8) + good + Array("{\"id\":\"x\"}\n".utf8)
        try Data(lines).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try EventArchive.read(path: path)
        } throws: { error in
            let message = (error as? CompactionError)?.message ?? ""
            return message.contains("line 4") && message.contains("missing")
        }
        for broken in ["{\"id\":", "[1,2]", "{\"id\":\"a\"} trailing", "{\"id\":\"\\q\"}"] {
            #expect(throws: ArchiveLine.Failure.self, "\(broken)") { try ArchiveLine.event(from: Array(broken.utf8)) }
        }
    }

    /// The compacted (kind-2) frame keeps each record's own commit time and is checked by the
    /// verifier like any frame: a flipped bit in a compacted segment is found.
    @Test func aFlippedBitInACompactedSegmentIsFound() throws {
        let directory = TemporaryDirectory()
        try CompactionFixture.fill(directory.path, count: 200)
        try CompactionFixture.compact(directory.path) { $0.segmentBytes = 1 << 20 }
        let compacted = directory.segmentPaths[0]
        let original = try Data(contentsOf: URL(fileURLWithPath: compacted))
        for position in [20, 100, original.count / 3, original.count / 2, original.count - 120, original.count - 2] {
            var damaged = original
            damaged[position] ^= 0x08
            try damaged.write(to: URL(fileURLWithPath: compacted))
            let report = try StoreVerifier.verify(directory: directory.path)
            #expect(!report.isIntact, "flip at \(position) went unnoticed")
            #expect(report.segments.filter { !$0.isIntact }.map(\.path) == [compacted], "flip at \(position)")
        }
        try original.write(to: URL(fileURLWithPath: compacted))
        try CompactionFixture.expectIntact(directory.path)
    }

    @Test func commitTimeTablesRoundTripAndRejectGarbage() throws {
        var events = (0..<50).map { Events.make($0) }
        for index in events.indices {
            events[index].sequence = 100 + UInt64(index)
            // Commit times that go up, jump, and even go back (a clock step).
            events[index].storedAt = EventTimestamp(
                microseconds: [1_760_000_000_000_000, 5, -3, Int64.max / 2][index % 4] + Int64(index) * 977)
        }
        let frame = CompactedFrame.encode(events[...])
        try frame.bytes.withUnsafeBytes { raw in
            let header = try #require(FrameHeader.read(raw))
            #expect(header.kind == FrameHeader.compactedBatchKind)
            #expect(FrameScanner.problem(with: header, available: raw.count, expected: 100) == nil)
            #expect(FrameHeader.checksumMatches(frame: raw, header: header))
            #expect(CompactedFrame.commitTimes(of: header, frame: raw) == events.map(\.storedAt.microseconds))
            var shorter = header
            shorter.frameLength -= 1
            #expect(CompactedFrame.commitTimes(of: shorter, frame: raw) == nil)
        }
    }
}
