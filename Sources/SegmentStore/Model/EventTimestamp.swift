import Foundation

/// A point in time with microsecond precision, counted from the Unix epoch in UTC.
///
/// Events carry producer timestamps with second, millisecond or microsecond precision and any UTC
/// offset; the store keeps them all as microseconds in UTC so that ordering is a plain integer
/// comparison and nothing is rounded away.
public struct EventTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z. Negative values are instants before the epoch.
    public var microseconds: Int64

    /// Creates a timestamp from microseconds since the Unix epoch.
    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// The current wall-clock time.
    public static func now() -> EventTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return EventTimestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000)
    }

    /// The smallest representable instant; used as an open lower bound.
    public static let distantPast = EventTimestamp(microseconds: .min)
    /// The largest representable instant; used as an open upper bound.
    public static let distantFuture = EventTimestamp(microseconds: .max)

    public static func < (lhs: EventTimestamp, rhs: EventTimestamp) -> Bool {
        lhs.microseconds < rhs.microseconds
    }

    /// RFC 3339 in UTC with a `Z` and six fractional digits, for example `2026-01-27T10:30:00.123456Z`.
    public var description: String { rfc3339 }

    /// RFC 3339 in UTC with a `Z` and six fractional digits.
    public var rfc3339: String {
        RFC3339.format(self)
    }

    /// Parses an RFC 3339 timestamp with `Z` or a numeric offset and an optional fraction.
    ///
    /// Returns `nil` when the text is not a valid RFC 3339 date-time. Fractions beyond microseconds
    /// are truncated.
    public init?(rfc3339 text: some StringProtocol) {
        guard let value = RFC3339.parse(Array(text.utf8)) else { return nil }
        self = value
    }

    /// Parses an RFC 3339 timestamp from its UTF-8 bytes.
    public init?(rfc3339UTF8 bytes: some Collection<UInt8>) {
        guard let value = RFC3339.parse(Array(bytes)) else { return nil }
        self = value
    }

    /// Parses an RFC 3339 timestamp from a byte array, without a generic copy: the ingest path.
    public init?(rfc3339Bytes bytes: [UInt8]) {
        guard let value = RFC3339.parse(bytes) else { return nil }
        self = value
    }
}
