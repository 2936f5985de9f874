import Observability
import SegmentStore

/// The durable log of messages that are not events: each is kept with its raw body, routing key,
/// exchange, properties and the reason, in a store of its own, and acknowledged only once durable.
///
/// It reuses the segment store's format (checksummed, synced frames), so `segstore verify` and the
/// readers work on it unchanged. Each record is a `StoredEvent` with:
/// - `id`: the id derived from the body, so redelivered copies are stored once;
/// - `eventType`: `quarantine.<reason>`, for example `quarantine.invalid_json`;
/// - `source`: `candystore.ingest`; `timestamp` and `receivedAt`: the time of receipt;
/// - `payload`: `{"reason", "detail", "size", "exchange", "routing_key"}` as JSON;
/// - `original`: the message byte for byte.
public final class QuarantineLog: Sendable {
    /// The store holding the records.
    public let store: EventStore
    private let ids: StoredIDSet

    /// The conventional place of the log inside a data directory: `<dataDirectory>/quarantine`.
    public static func directory(inDataDirectory dataDirectory: String) -> String {
        dataDirectory.hasSuffix("/") ? dataDirectory + "quarantine" : dataDirectory + "/quarantine"
    }

    /// Opens (or creates) the log in `directory`.
    ///
    /// - Throws: `StoreError` from opening or recovering the store.
    public init(directory: String, logger: Logger = .disabled) throws(StoreError) {
        let store = try EventStore.open(StoreOptions(directory: directory), logger: logger)
        do {
            ids = try StoredIDSet(tracking: store)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.corrupt, "quarantine log cannot be read: \(error)", path: directory)
        }
        self.store = store
    }

    /// How many messages are quarantined.
    public var count: Int { ids.count }

    /// Whether a message with this derived id is already quarantined.
    public func contains(_ id: String) -> Bool { ids.contains(id) }

    /// Queues rejected messages; `completion` runs on the writer thread once they are durable (or failed).
    public func submit(
        _ messages: [RejectedMessage], completion: @escaping @Sendable (Result<DurableBatch, StoreError>) -> Void
    ) {
        store.submit(messages.map(QuarantineLog.record), completion: completion)
    }

    /// Every quarantined record, oldest first (for tests and operators; reads the whole log).
    public func records() throws(StoreError) -> [StoredEvent] {
        let last = store.lastDurableSequence
        guard last >= store.firstSequence else { return [] }
        return try store.events(at: Array(store.firstSequence...last))
    }

    /// Commits what is queued and closes the store.
    public func close() {
        store.close()
    }

    /// The record kept for a rejected message.
    static func record(for message: RejectedMessage) -> StoredEvent {
        var payload = Array("{\"reason\":".utf8)
        JSONText.appendQuoted(message.reason.rawValue, to: &payload)
        payload += Array(",\"detail\":".utf8)
        JSONText.appendQuoted(message.detail, to: &payload)
        payload += Array(",\"size\":\(message.original.body.count),\"exchange\":".utf8)
        JSONText.appendQuoted(message.original.exchange, to: &payload)
        payload += Array(",\"routing_key\":".utf8)
        JSONText.appendQuoted(message.original.routingKey, to: &payload)
        payload.append(UInt8(ascii: "}"))
        return StoredEvent(
            id: message.id, eventType: "quarantine.\(message.reason.rawValue)", source: "candystore.ingest",
            timestamp: message.receivedAt, receivedAt: message.receivedAt, payload: payload,
            original: message.original)
    }
}
