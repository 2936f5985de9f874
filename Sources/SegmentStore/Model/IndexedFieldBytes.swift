/// The indexed fields of one event as UTF-8 bytes borrowed from a decompressed index block: what
/// the start-up rebuild reads, without creating a `String` per field.
///
/// The buffers are valid only during the call that hands the value over; copy what must outlive
/// it (`IndexedFields(_:)` copies everything).
public struct IndexedFieldBytes {
    /// The event's sequence number.
    public var sequence: UInt64
    /// The event timestamp.
    public var timestamp: EventTimestamp
    /// The event id.
    public var id: UnsafeRawBufferPointer
    /// The event type.
    public var eventType: UnsafeRawBufferPointer
    /// The producing service.
    public var source: UnsafeRawBufferPointer
    /// The addressed service; `nil` when the event has none.
    public var target: UnsafeRawBufferPointer?
    /// The session id; `nil` when the event has none.
    public var sessionId: UnsafeRawBufferPointer?
    /// The correlation id; `nil` when the event has none.
    public var correlationId: UnsafeRawBufferPointer?
}

extension IndexedFields {
    /// Copies borrowed indexed fields into strings.
    public init(_ bytes: IndexedFieldBytes) {
        func text(_ raw: UnsafeRawBufferPointer) -> String { String(decoding: raw, as: UTF8.self) }
        self.init(
            sequence: bytes.sequence, timestamp: bytes.timestamp, id: text(bytes.id), eventType: text(bytes.eventType),
            source: text(bytes.source), target: bytes.target.map(text), sessionId: bytes.sessionId.map(text),
            correlationId: bytes.correlationId.map(text))
    }
}
