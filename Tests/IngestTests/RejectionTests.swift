import SegmentStore
import Testing

@testable import Ingest

/// A body that is not an event and the reason it must be quarantined for.
struct RejectionCase: CustomTestStringConvertible, Sendable {
    var name: String
    var body: [UInt8]
    var reason: QuarantineReason
    var limit = 1 << 20

    var testDescription: String { name }
}

@Suite struct RejectionTests {
    static let cases: [RejectionCase] = [
        RejectionCase(name: "plain text", body: Array("hello, world".utf8), reason: .invalidJSON),
        RejectionCase(name: "empty body", body: [], reason: .invalidJSON),
        RejectionCase(name: "whitespace only", body: Array(" \n ".utf8), reason: .invalidJSON),
        RejectionCase(
            name: "truncated object", body: Array(#"{"event_id": "x", "payload": {"a": 1"#.utf8),
            reason: .invalidJSON),
        RejectionCase(name: "truncated string", body: Array(#"{"event_id": "x"#.utf8), reason: .invalidJSON),
        RejectionCase(name: "trailing garbage", body: Array(#"{"a":1} x"#.utf8), reason: .invalidJSON),
        RejectionCase(name: "two documents", body: Array(#"{"a":1}{"b":2}"#.utf8), reason: .invalidJSON),
        RejectionCase(name: "trailing comma", body: Array(#"{"a":1,}"#.utf8), reason: .invalidJSON),
        RejectionCase(name: "single quotes", body: Array("{'a': 1}".utf8), reason: .invalidJSON),
        RejectionCase(name: "bad escape", body: Array(#"{"a":"\x"}"#.utf8), reason: .invalidJSON),
        RejectionCase(name: "raw control character", body: Array("{\"a\":\"\u{01}\"}".utf8), reason: .invalidJSON),
        RejectionCase(name: "leading zero", body: Array(#"{"a":01}"#.utf8), reason: .invalidJSON),
        RejectionCase(name: "NaN", body: Array(#"{"a":NaN}"#.utf8), reason: .invalidJSON),
        RejectionCase(
            name: "nesting too deep",
            body: Array((String(repeating: "[", count: 300) + String(repeating: "]", count: 300)).utf8),
            reason: .invalidJSON),
        RejectionCase(name: "JSON array", body: Array(#"[{"event_id": "x"}]"#.utf8), reason: .notAnObject),
        RejectionCase(name: "JSON string", body: Array(#""just a string""#.utf8), reason: .notAnObject),
        RejectionCase(name: "JSON number", body: Array("42".utf8), reason: .notAnObject),
        RejectionCase(name: "JSON null", body: Array("null".utf8), reason: .notAnObject),
        RejectionCase(
            name: "invalid byte 0xFF", body: Array(#"{"a":""#.utf8) + [0xFF] + Array(#""}"#.utf8),
            reason: .invalidUTF8),
        RejectionCase(name: "overlong slash", body: [0x7B, 0xC0, 0xAF, 0x7D], reason: .invalidUTF8),
        RejectionCase(name: "encoded surrogate", body: [0x22, 0xED, 0xA0, 0x80, 0x22], reason: .invalidUTF8),
        RejectionCase(
            name: "cut multi-byte sequence", body: Array(#"{"a":"é"#.utf8).dropLast(1) + [], reason: .invalidUTF8),
        RejectionCase(
            name: "Latin-1 text", body: [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xE9, 0x22, 0x7D],
            reason: .invalidUTF8),
        RejectionCase(
            name: "over the size limit", body: Array(#"{"a":"0123456789"}"#.utf8), reason: .tooLarge,
            limit: 10),
    ]

    @Test("bodies that are not events are rejected with their reason", arguments: cases)
    func rejects(_ testCase: RejectionCase) throws {
        let message = IncomingMessage(
            body: testCase.body, routingKey: "rk", exchange: "ex", properties: .persistentJSON(messageId: "m"),
            receivedAt: receivedAt)
        let result = EnvelopeNormalizer(maxEventBytes: testCase.limit).normalize(message)

        guard case .rejected(let rejected) = result else {
            Issue.record("\(testCase.name) was accepted as an event")
            return
        }
        #expect(rejected.reason == testCase.reason)
        #expect(!rejected.detail.isEmpty)
        #expect(rejected.original.body == testCase.body)
        #expect(rejected.original.routingKey == "rk")
        #expect(rejected.original.exchange == "ex")
        #expect(rejected.id == DerivedEventID.make(for: testCase.body))
        #expect(rejected.receivedAt == receivedAt)
    }

    @Test("a body exactly at the size limit is accepted")
    func atTheLimit() {
        let body = Array(#"{"a":"0123456789"}"#.utf8)
        let message = IncomingMessage(body: body, routingKey: "rk", exchange: "ex", receivedAt: receivedAt)
        guard case .event = EnvelopeNormalizer(maxEventBytes: body.count).normalize(message) else {
            Issue.record("a body of exactly the limit was rejected")
            return
        }
    }

    @Test("the detail of a truncated body names the offset where reading stopped")
    func truncatedDetail() {
        let body = Array(#"{"a": [1, 2"#.utf8)
        let message = IncomingMessage(body: body, routingKey: "rk", exchange: "ex", receivedAt: receivedAt)
        guard case .rejected(let rejected) = EnvelopeNormalizer().normalize(message) else {
            Issue.record("truncated JSON was accepted")
            return
        }
        #expect(rejected.detail.contains("byte \(body.count)"))
    }
}
