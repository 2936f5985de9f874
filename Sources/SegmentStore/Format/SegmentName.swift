/// Segment file names: `segment-` followed by the first sequence number as 20 decimal digits, and
/// `.cseg`, so that names sort in sequence order.
public enum SegmentName {
    /// The suffix of every segment file.
    public static let suffix = ".cseg"
    private static let prefix = "segment-"

    /// The file name of the segment that starts at `firstSequence`.
    public static func fileName(firstSequence: UInt64) -> String {
        let digits = String(firstSequence)
        return prefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }

    /// The first sequence encoded in a segment file name, or `nil` if `name` is not one.
    public static func firstSequence(of name: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard digits.count == 20 else { return nil }
        return UInt64(digits)
    }
}
