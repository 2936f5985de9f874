/// A set of sequence numbers in a fixed span, one bit each: a query builds one from an index
/// range so that testing another range's events against it reads a cache-sized bitmap instead of
/// scattered column cells.
final class SequenceBitmap {
    private let base: UInt64
    private let words: UnsafeMutableBufferPointer<UInt64>

    /// An empty set for sequence numbers in `span`.
    init(span: ClosedRange<UInt64>) {
        base = span.lowerBound
        let bits = Int(span.upperBound - span.lowerBound) + 1
        words = .allocate(capacity: (bits + 63) >> 6)
        words.initialize(repeating: 0)
    }

    deinit {
        words.deallocate()
    }

    /// Adds `sequence`, which must lie in the span.
    @inline(__always) func insert(_ sequence: UInt64) {
        let offset = Int(truncatingIfNeeded: sequence &- base)
        words[offset >> 6] |= 1 &<< UInt64(offset & 63)
    }

    /// Whether `sequence`, which must lie in the span, was added.
    @inline(__always) func contains(_ sequence: UInt64) -> Bool {
        let offset = Int(truncatingIfNeeded: sequence &- base)
        return words[offset >> 6] & (1 &<< UInt64(offset & 63)) != 0
    }
}
