import Foundation
import SegmentStore

/// A fresh temporary data directory, removed when the value is dropped.
final class TemporaryDirectory {
    let path: String

    init() {
        let template = NSTemporaryDirectory() + "segment-store-test-XXXXXX"
        var bytes = Array(template.utf8CString)
        let created = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = String(cString: created!)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    var segmentPaths: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
            .filter { $0.hasSuffix(SegmentName.suffix) }.sorted().map { path + "/" + $0 }
    }
}

/// Deterministic pseudo-random numbers (SplitMix64), so that every test run sees the same data.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

enum Events {
    /// A Bloodbank-style event whose payload is about `payloadBytes` long.
    static func make(_ number: Int, payloadBytes: Int = 200, session: String? = "session-1") -> StoredEvent {
        // Words drawn from a small vocabulary by a seeded generator: compressible like real JSON, not trivially.
        let words = ["alpha", "transcript", "session", "agent", "tonny", "voice", "completed", "hook", "file", "42"]
        var generator = SeededGenerator(seed: UInt64(number) &* 7919 &+ 1)
        var text = ""
        while text.utf8.count < payloadBytes {
            text +=
                words[Int(generator.next() % UInt64(words.count))] + String(generator.next() % 1000, radix: 16) + " "
        }
        text = String(text.utf8.prefix(payloadBytes))!
        let payload = Array("{\"n\":\(number),\"text\":\"\(text)\"}".utf8)
        let body = Array("{\"event_id\":\"id-\(number)\",\"payload\":{\"n\":\(number),\"text\":\"\(text)\"}}".utf8)
        return StoredEvent(
            id: "id-\(number)", eventType: "test.event.created", source: "tests@host",
            target: number % 3 == 0 ? "tonny" : nil,
            sessionId: session, correlationId: number % 2 == 0 ? "corr-\(number / 2)" : nil,
            timestamp: EventTimestamp(microseconds: 1_760_000_000_000_000 + Int64(number) * 1_000),
            receivedAt: EventTimestamp(microseconds: 1_760_000_000_000_000 + Int64(number) * 1_000 + 5),
            payload: payload,
            original: OriginalMessage(
                exchange: "bloodbank.events.v1", routingKey: "test.event.created",
                properties: Array("{\"content_type\":\"application/json\",\"delivery_mode\":2}".utf8), body: body))
    }

    /// `event` as the store returns it: with the sequence and commit time it was given.
    static func stored(_ event: StoredEvent, sequence: UInt64, storedAt: EventTimestamp) -> StoredEvent {
        var copy = event
        copy.sequence = sequence
        copy.storedAt = storedAt
        return copy
    }
}
