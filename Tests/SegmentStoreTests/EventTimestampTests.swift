import SegmentStore
import Testing

@Suite struct EventTimestampTests {
    @Test(
        arguments: [
            ("2026-01-27T10:30:00Z", 1_769_509_800_000_000),
            ("2026-01-27T10:30:00.123Z", 1_769_509_800_123_000),
            ("2026-01-27T10:30:00.123456Z", 1_769_509_800_123_456),
            ("2026-01-27T10:30:00.1234567Z", 1_769_509_800_123_456),
            ("2026-01-27T12:30:00+02:00", 1_769_509_800_000_000),
            ("2026-01-27T05:00:00.5-05:30", 1_769_509_800_500_000),
            ("2026-01-27t10:30:00z", 1_769_509_800_000_000),
            ("2026-01-27 10:30:00Z", 1_769_509_800_000_000),
            ("1970-01-01T00:00:00Z", 0),
            ("1969-12-31T23:59:59.999999Z", -1),
            ("2024-02-29T00:00:00Z", 1_709_164_800_000_000),
        ] as [(String, Int64)])
    func parsesEveryAllowedForm(text: String, microseconds: Int64) {
        #expect(EventTimestamp(rfc3339: text)?.microseconds == microseconds)
        #expect(EventTimestamp(rfc3339Bytes: Array(text.utf8))?.microseconds == microseconds)
    }

    @Test(arguments: [
        "", "2026-01-27", "2026-01-27T10:30:00", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z", "2026-01-27T24:00:00Z", "2026-01-27T10:30:00.Z", "2026-01-27T10:30:00+0200",
        "2026-01-27T10:30:00Zjunk", "not a time", "2026-01-27X10:30:00Z",
    ])
    func rejectsWhatIsNotRFC3339(text: String) {
        #expect(EventTimestamp(rfc3339: text) == nil)
    }

    @Test(arguments: [Int64(0), -1, 1_769_509_800_123_456, 4_102_444_799_999_999, -2_208_988_800_000_000])
    func formatsInUTCWithMicrosecondsAndParsesBack(microseconds: Int64) {
        let timestamp = EventTimestamp(microseconds: microseconds)
        let text = timestamp.rfc3339
        #expect(text.hasSuffix("Z"))
        #expect(text.count == 27)
        #expect(EventTimestamp(rfc3339: text) == timestamp)
    }
}
