import SegmentStore

/// The hashes of an event's id and keyed fields, computed before the lookup tables are locked so
/// the lock is held for table probes only.
struct EventHashes {
    var sequence: UInt64
    /// The id's fingerprint in the id table.
    var idFingerprint: UInt32
    /// Each field's hash by `IndexField` order; nil where the event has no value.
    var keys: (UInt64?, UInt64?, UInt64?, UInt64?, UInt64?)

    init(_ fields: IndexedFields) {
        func hash(_ field: IndexField) -> UInt64? {
            field.value(in: fields).map(KeyInterner.hash)
        }
        sequence = fields.sequence
        idFingerprint = LookupTables.idFingerprint(fields.id)
        keys = (hash(.eventType), hash(.source), hash(.target), hash(.sessionId), hash(.correlationId))
    }
}
