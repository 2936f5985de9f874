/// Why a message is not an event and went to the quarantine log instead of the store.
public enum QuarantineReason: String, Sendable, CaseIterable {
    /// The body is larger than the configured `MAX_EVENT_BYTES`.
    case tooLarge = "too_large"
    /// The body is not valid UTF-8.
    case invalidUTF8 = "invalid_utf8"
    /// The body is UTF-8 but not a JSON document (including truncated JSON).
    case invalidJSON = "invalid_json"
    /// The body is JSON, but not an object (an array, a string, a number, …).
    case notAnObject = "not_an_object"
    /// The body is an event, but one of its indexed fields (id, type, source, target, session or
    /// correlation id) is longer than the store can index.
    case fieldTooLong = "field_too_long"
}
