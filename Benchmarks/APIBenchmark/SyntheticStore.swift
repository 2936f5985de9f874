import Foundation
import SegmentStore

/// Deterministic synthetic events for the API benchmark: about 50 event types, 30 sources,
/// 10,000 sessions, 20 targets (and none for a third of the events), correlation groups of five,
/// timestamps spread over 30 days in nearly sorted order, EventEnvelope bodies of 0.4-0.9 KiB.
///
/// Everything about event `n` follows from `n`, so a query's expected shape or a random id to
/// look up can be recomputed without keeping a million events in memory.
struct SyntheticEvents {
    static let domains = [
        "transcription", "agent", "llm", "system", "file", "command", "session", "hook", "webhook", "scheduler",
    ]
    static let actions = ["started", "completed", "failed", "received", "tick"]
    /// 50 dotted types: `<domain>.event.<action>`.
    static let eventTypes = domains.flatMap { domain in actions.map { "\(domain).event.\($0)" } }
    /// 30 sources as an envelope spells them, `app@host`.
    static let sources = (0..<30).map { "app\($0)@host\($0 % 6)" }
    static let targets = (0..<20).map { "target-\($0)" }
    static let sessionCount = 10_000
    static let span: Int64 = 30 * 24 * 3_600 * 1_000_000

    /// The instant the first event happened; the last one is about 30 days later.
    let start: EventTimestamp
    let count: Int

    init(count: Int, endingAt end: EventTimestamp) {
        self.count = count
        start = EventTimestamp(microseconds: end.microseconds - Self.span)
    }

    /// A 64-bit mix of `n` and `salt` (splitmix64's finaliser).
    static func mix(_ n: Int, _ salt: UInt64) -> UInt64 {
        var z = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15 &+ salt
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Event `n`'s id, in UUID form.
    static func id(_ n: Int) -> String {
        let high = mix(n, 1)
        let low = mix(n, 2)
        let hex = String(high, radix: 16).leftPadded(16) + String(low, radix: 16).leftPadded(16)
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    static func eventType(_ n: Int) -> String { eventTypes[Int(mix(n, 3) % UInt64(eventTypes.count))] }
    static func source(_ n: Int) -> String { sources[Int(mix(n, 4) % UInt64(sources.count))] }
    static func session(_ n: Int) -> String { "session-\(mix(n, 5) % UInt64(sessionCount))" }
    static func target(_ n: Int) -> String? {
        let pick = mix(n, 6) % 30
        return pick < 10 ? nil : targets[Int(pick % 20)]
    }

    /// Event `n`'s time: evenly spread with up to two seconds of jitter, so nearly in order.
    func timestamp(_ n: Int) -> EventTimestamp {
        let step = Self.span / Int64(max(count, 1))
        let jitter = Int64(Self.mix(n, 7) % 2_000_000)
        return EventTimestamp(microseconds: start.microseconds + Int64(n) * step + jitter)
    }

    /// Event `n` as the daemon would have stored it from an EventEnvelope body.
    func event(_ n: Int, exchange: String, receivedAt: EventTimestamp) -> StoredEvent {
        let id = Self.id(n)
        let type = Self.eventType(n)
        let source = Self.source(n)
        let parts = source.split(separator: "@")
        let session = Self.session(n)
        let target = Self.target(n)
        let correlation = "corr-\(n / 5)"
        let time = timestamp(n)
        let words = Int(Self.mix(n, 8) % 40) + 5
        let text = String(repeating: "lorem ipsum ", count: words)
        let payload = "{\"text\":\"\(text)\",\"confidence\":0.\(Self.mix(n, 9) % 100),\"sequence\":\(n)}"
        let targetField = target.map { ",\"target\":\"\($0)\"" } ?? ""
        let body = """
            {"event_id":"\(id)","event_type":"\(type)","timestamp":"\(time.rfc3339)","version":"1.0.0",\
            "source":{"host":"\(parts[1])","type":"agent","app":"\(parts[0])"},\
            "correlation_ids":["\(correlation)"],\
            "agent_context":{"type":"claude-code","name":"tonny","instance_id":"\(session)"}\(targetField),\
            "payload":\(payload)}
            """
        return StoredEvent(
            id: id, eventType: type, source: source, target: target, sessionId: session, correlationId: correlation,
            timestamp: time, receivedAt: receivedAt, payload: Array(payload.utf8),
            original: OriginalMessage(
                exchange: exchange, routingKey: type, properties: Self.properties, body: Array(body.utf8)))
    }

    static let properties = Array(
        #"{"content_type":"application/json","content_encoding":"utf-8","delivery_mode":2}"#.utf8)

    /// Writes events `0..<count` to the store at `directory` in batches of `batch`, unless it
    /// already holds at least `count` events.
    ///
    /// - Returns: The number of events the store holds and the seconds spent writing.
    func build(directory: String, batch: Int = 1_000) throws -> (events: Int, seconds: Double) {
        let store = try EventStore.open(StoreOptions(directory: directory))
        defer { store.close() }
        let existing = store.statistics.eventCount
        if existing >= count { return (existing, 0) }
        precondition(existing == 0, "\(directory) holds \(existing) events, fewer than \(count); remove it")
        let started = Date()
        var next = 0
        while next < count {
            let receivedAt = EventTimestamp.now()
            let upper = min(next + batch, count)
            let events = (next..<upper).map { event($0, exchange: "bloodbank.events.v1", receivedAt: receivedAt) }
            _ = try store.append(events)
            next = upper
            if next % 100_000 == 0 {
                let rate = Double(next) / Date().timeIntervalSince(started)
                FileHandle.standardError.write(Data("store: \(next) of \(count) events (\(Int(rate))/s)\n".utf8))
            }
        }
        return (store.statistics.eventCount, Date().timeIntervalSince(started))
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
