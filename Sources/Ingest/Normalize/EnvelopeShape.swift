/// The body shapes published on Bloodbank, as the normaliser recognises them.
public enum EnvelopeShape: String, Sendable, CaseIterable {
    /// The common shape: `event_id`, `event_type`, `timestamp`, a `source` object, `payload`.
    case eventEnvelope = "event_envelope"
    /// The older shape: `id`, `ts`, `event_type`, a string `source`, `data`.
    case legacy
    /// CloudEvents 1.0 in structured JSON mode: `specversion`, `id`, `type`, `source`, `time`, `data`.
    case cloudEvents = "cloud_events"
    /// Any other JSON object.
    case other
}
