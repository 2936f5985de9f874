import SegmentStore

/// Maps the strings of one indexed field (event types, sources, session ids...) to dense 32-bit
/// key ids, so that an index entry and a column cell hold 4 bytes instead of a string.
///
/// The interner keeps no strings: it identifies a string by its 64-bit XXH3 hash, whose high half
/// sits in the table slot and low half in an array by key id, about 15 bytes per distinct value;
/// that matters for fields like the correlation id, where many events bring a new value.
///
/// Two different strings with the same 64-bit hash would share a key id. Among ten million
/// distinct values the chance that any two collide is below one in a million, and then only a
/// filter on one of those two values would also return the other's events.
struct KeyInterner: Sendable {
    /// The low 32 bits of the hash of each key id's string (the table slot holds the high 32).
    private var lowHashes: ContiguousArray<UInt32> = []
    private var table: HashSlotTable

    /// Creates an interner sized for `expectedKeys` distinct strings.
    init(expectedKeys: Int = 0) {
        table = HashSlotTable(expectedCount: expectedKeys)
        lowHashes.reserveCapacity(expectedKeys)
    }

    /// The number of distinct strings seen.
    var count: Int { lowHashes.count }

    /// Heap bytes of the interner.
    var estimatedByteCount: Int { table.estimatedByteCount + 32 + lowHashes.capacity * 4 }

    /// Whether interning `additional` new strings would make the table grow.
    func needsGrowth(adding additional: Int) -> Bool {
        table.needsGrowth(adding: additional)
    }

    /// Grows the table now, if needed, so that `additional` new strings fit without growing.
    mutating func reserve(adding additional: Int) {
        table.reserve(adding: additional)
    }

    /// Shrinks the table and the hash array to fit their strings (the table at `load`), after a
    /// rebuild sized them generously.
    mutating func compact(load: Double) {
        table = HashSlotTable(bulk: table.occupiedSlots, load: load)
        let count = lowHashes.count
        lowHashes = lowHashes.withUnsafeBufferPointer { source in
            ContiguousArray(unsafeUninitializedCapacity: count) { target, initialized in
                _ = target.initialize(fromContentsOf: source)
                initialized = count
            }
        }
    }

    /// The hash an interner identifies `text` by.
    static func hash(_ text: String) -> UInt64 {
        text.utf8.withContiguousStorageIfAvailable { Checksum.hash(UnsafeRawBufferPointer($0)) }
            ?? Checksum.hash(text)
    }

    /// The key id of the string with hash `hash`, if it was interned.
    ///
    /// - Complexity: O(1) expected.
    func keyID(forHash hash: UInt64) -> UInt32? {
        var found: UInt32?
        let low = UInt32(truncatingIfNeeded: hash)
        table.forEachValue(fingerprint: UInt32(truncatingIfNeeded: hash >> 32)) { slot in
            if lowHashes[Int(slot - 1)] == low {
                found = slot - 1
                return false
            }
            return true
        }
        return found
    }

    /// The key id of the string with hash `hash`, assigning the next id if it is new.
    ///
    /// - Throws: `IndexError.tooManyKeys` past 4,294,967,294 distinct strings.
    /// - Complexity: Amortised O(1) expected.
    mutating func intern(hash: UInt64) throws(IndexError) -> UInt32 {
        if let known = keyID(forHash: hash) { return known }
        guard lowHashes.count < Int(IndexColumns.absentKey) - 1 else { throw IndexError.tooManyKeys() }
        let id = UInt32(lowHashes.count)
        lowHashes.append(UInt32(truncatingIfNeeded: hash))
        table.insert(fingerprint: UInt32(truncatingIfNeeded: hash >> 32), value: id + 1)
        return id
    }
}
