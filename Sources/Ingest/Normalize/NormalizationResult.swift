import SegmentStore

/// A message that is not an event, with what is needed to quarantine it.
public struct RejectedMessage: Sendable {
    /// Why it is not an event.
    public var reason: QuarantineReason
    /// Where and how reading failed, for example `expected ',' or '}' at byte 57`.
    public var detail: String
    /// The id derived from its body (`DerivedEventID`), so redelivered copies are recognised.
    public var id: String
    /// The message byte for byte.
    public var original: OriginalMessage
    /// When it was received.
    public var receivedAt: EventTimestamp
}

/// What the normaliser made of a message.
public enum NormalizationResult: Sendable {
    /// An event ready to be stored, and the shape it was recognised as.
    case event(StoredEvent, EnvelopeShape)
    /// Not an event; it belongs in quarantine.
    case rejected(RejectedMessage)
}
