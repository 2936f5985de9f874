import Synchronization

/// A set of sequence numbers in a fixed span, one bit each: a query builds one from an index
/// range so that testing another range's events against it reads a cache-sized bitmap instead of
/// scattered column cells.
///
/// The words come from a small pool of buffers that earlier queries returned: a bitmap over ten
/// million sequences is 1.25 MB, and a fresh allocation that size is mapped anew by the kernel,
/// whose page faults and page clearing cost as much as filling and testing the bitmap.
final class SequenceBitmap {
    private let base: UInt64
    private let words: UnsafeMutableBufferPointer<UInt64>
    private let buffer: PooledWords

    /// An empty set for sequence numbers in `span`.
    init(span: ClosedRange<UInt64>) {
        base = span.lowerBound
        let bits = Int(span.upperBound - span.lowerBound) + 1
        let count = (bits + 63) >> 6
        buffer = PooledWords.take(atLeast: count)
        words = UnsafeMutableBufferPointer(rebasing: buffer.storage[0..<count])
        words.update(repeating: 0)
    }

    deinit {
        buffer.giveBack()
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

/// A buffer of words owned by one bitmap at a time, handed back to a pool of at most
/// `PooledWords.kept` buffers when the bitmap ends.
struct PooledWords: @unchecked Sendable {  // owned by one bitmap at a time; the pool hands it over under a lock
    /// How many buffers the pool keeps: about as many as queries run at once on this machine.
    static let kept = 4

    let storage: UnsafeMutableBufferPointer<UInt64>

    private static let pool = Mutex<[PooledWords]>([])

    /// A pooled buffer of at least `count` words, or a new one (a little larger, so that a store
    /// that grows keeps fitting) when none is large enough.
    static func take(atLeast count: Int) -> PooledWords {
        let reused = pool.withLock { spare -> PooledWords? in
            guard let index = spare.firstIndex(where: { $0.storage.count >= count }) else { return nil }
            return spare.remove(at: index)
        }
        if let reused { return reused }
        let storage = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: count + count / 8 + 64)
        storage.initialize(repeating: 0)
        return PooledWords(storage: storage)
    }

    /// Returns the buffer to the pool, replacing the smallest kept one if the pool is full.
    func giveBack() {
        let dropped = Self.pool.withLock { spare -> PooledWords? in
            if spare.count < Self.kept {
                spare.append(self)
                return nil
            }
            guard let smallest = spare.indices.min(by: { spare[$0].storage.count < spare[$1].storage.count }),
                spare[smallest].storage.count < storage.count
            else { return self }
            let replaced = spare[smallest]
            spare[smallest] = self
            return replaced
        }
        dropped?.storage.deallocate()
    }
}
