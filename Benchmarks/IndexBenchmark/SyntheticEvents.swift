import SegmentStore

/// Generates the benchmark's events: ~50 event types, ~30 sources, ~30 targets (on half the
/// events), ~10,000 sessions (on 90%), correlation ids shared by about four events each (on
/// half), UUID-shaped event ids, and timestamps 10 ms apart on average where one event in ten
/// arrives up to 5 s late.
struct SyntheticEvents {
    private var state: UInt64
    private var clock: Int64 = 1_767_225_600_000_000  // 2026-01-01T00:00:00Z
    private(set) var nextSequence: UInt64 = 1
    let types: [String]
    let sources: [String]
    let targets: [String]
    let sessions: [String]
    private var correlationCache: (index: UInt64, text: String) = (.max, "")

    init(seed: UInt64) {
        state = seed
        let domains = ["agent", "transcription", "llm", "system", "command", "file", "session"]
        types = (0..<50).map { "\(domains[$0 % domains.count]).entity\($0 / 7).action\($0)" }
        sources = (0..<30).map { "service-\($0)@host-\($0 % 5)" }
        targets = (0..<30).map { "target-\($0)" }
        var seeded = seed &+ 99
        sessions = (0..<10_000).map { _ in Self.uuid(Self.mix(&seeded), Self.mix(&seeded)) }
    }

    static func mix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    mutating func random(_ bound: Int) -> Int {
        Int(Self.mix(&state) % UInt64(bound))
    }

    /// A UUID-shaped string (36 characters) from 128 bits.
    static func uuid(_ high: UInt64, _ low: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(36)
        for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
            if index == 8 || index == 12 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(digits[Int((high >> UInt64(shift)) & 15)])
        }
        for (index, shift) in stride(from: 60, through: 0, by: -4).enumerated() {
            if index == 0 || index == 4 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(digits[Int((low >> UInt64(shift)) & 15)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The id of the event with `sequence` (recomputable, for lookups).
    static func eventID(_ sequence: UInt64) -> String {
        var seed = sequence &* 0x2545_F491_4F6C_DD1D
        return uuid(mix(&seed), mix(&seed))
    }

    mutating func next() -> IndexedFields {
        let sequence = nextSequence
        nextSequence += 1
        clock += Int64(random(20_000))
        let late = random(10) == 0 ? Int64(random(5_000_000)) : 0
        var correlation: String?
        if random(2) == 0 {
            let index = (sequence + UInt64(random(32))) / 8
            if correlationCache.index != index {
                var seed = index &* 0x9E37_79B9 &+ 17
                correlationCache = (index, Self.uuid(Self.mix(&seed), Self.mix(&seed)))
            }
            correlation = correlationCache.text
        }
        return IndexedFields(
            sequence: sequence, timestamp: EventTimestamp(microseconds: clock - late), id: Self.eventID(sequence),
            eventType: types[random(types.count)], source: sources[random(sources.count)],
            target: random(2) == 0 ? targets[random(targets.count)] : nil,
            sessionId: random(10) == 0 ? nil : sessions[random(sessions.count)], correlationId: correlation)
    }

    /// A stored event around `next()`, with a small payload, for the on-disk store.
    mutating func nextStored() -> StoredEvent {
        let fields = next()
        let payload = Array("{\"text\":\"benchmark event \(fields.sequence)\",\"confidence\":0.95}".utf8)
        let body = Array("{\"event_id\":\"\(fields.id)\",\"event_type\":\"\(fields.eventType)\"}".utf8)
        return StoredEvent(
            id: fields.id, eventType: fields.eventType, source: fields.source, target: fields.target,
            sessionId: fields.sessionId, correlationId: fields.correlationId, timestamp: fields.timestamp,
            receivedAt: fields.timestamp, payload: payload,
            original: OriginalMessage(
                exchange: "bloodbank.events.v1", routingKey: fields.eventType,
                properties: Array("{\"content_type\":\"application/json\"}".utf8), body: body))
    }
}
