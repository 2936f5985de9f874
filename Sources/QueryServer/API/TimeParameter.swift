import SegmentStore

/// Parsing of the `start_time` and `end_time` parameters.
///
/// Accepted, in order: RFC 3339 with `Z` or an offset; the same with the `+` of the offset turned
/// into a space (what an unencoded `+` becomes in a query string); a date-time without offset,
/// taken as UTC; a bare date, taken as midnight UTC; Unix seconds, possibly fractional.
enum TimeParameter {
    /// The instant `text` names, or `nil` when it is none of the accepted forms.
    static func parse(_ text: String) -> EventTimestamp? {
        let trimmed = text.trimmingASCIISpaces()
        if let instant = EventTimestamp(rfc3339: trimmed) { return instant }
        let bytes = Array(trimmed.utf8)

        // "2026-01-27T10:00:00 02:00": a '+' that the query string decoding turned into a space.
        if bytes.count > 19, let space = bytes.lastIndex(of: 0x20), space >= 19 {
            var restored = bytes
            restored[space] = 0x2B
            if let instant = EventTimestamp(rfc3339UTF8: restored) { return instant }
        }
        if bytes.count >= 19, let instant = EventTimestamp(rfc3339UTF8: bytes + [0x5A]) { return instant }
        if bytes.count == 10, let instant = EventTimestamp(rfc3339UTF8: bytes + Array("T00:00:00Z".utf8)) {
            return instant
        }
        return unixSeconds(trimmed)
    }

    /// Unix seconds, within the range the timestamp can hold.
    private static func unixSeconds(_ text: String) -> EventTimestamp? {
        guard !text.isEmpty, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }),
            let seconds = Double(text), seconds.isFinite, abs(seconds) < 9.0e12
        else { return nil }
        return EventTimestamp(microseconds: Int64((seconds * 1_000_000).rounded()))
    }
}
