import SegmentStore

/// What the indexes keep of an event, reduced to numbers: its sequence, timestamp, the
/// fingerprint of its id and the hash of each keyed field.
///
/// Hashes are computed before the lookup tables are locked, so the lock is held for table probes
/// only; at start-up they are computed on the thread that reads the store while another interns.
struct EventHashes {
    var sequence: UInt64
    /// The event timestamp, microseconds since the epoch.
    var timestamp: Int64
    /// The id's fingerprint in the id table.
    var idFingerprint: UInt32
    /// Each field's hash by `IndexField` order; nil where the event has no value.
    var keys: (UInt64?, UInt64?, UInt64?, UInt64?, UInt64?)

    init(_ fields: IndexedFields) {
        func hash(_ field: IndexField) -> UInt64? {
            field.value(in: fields).map(KeyInterner.hash)
        }
        sequence = fields.sequence
        timestamp = fields.timestamp.microseconds
        idFingerprint = LookupTables.idFingerprint(fields.id)
        keys = (hash(.eventType), hash(.source), hash(.target), hash(.sessionId), hash(.correlationId))
    }

    /// Hashes fields borrowed from the store; the same values as for their `IndexedFields` copy.
    init(_ fields: IndexedFieldBytes) {
        sequence = fields.sequence
        timestamp = fields.timestamp.microseconds
        idFingerprint = UInt32(truncatingIfNeeded: Checksum.hash(fields.id) >> 32)
        keys = (
            Checksum.hash(fields.eventType), Checksum.hash(fields.source), fields.target.map { Checksum.hash($0) },
            fields.sessionId.map { Checksum.hash($0) }, fields.correlationId.map { Checksum.hash($0) }
        )
    }
}
