import Foundation
import SegmentStore

/// The `GET /events/{id}/raw` answer: the message body exactly as the broker delivered it, with
/// its AMQP content type, and the routing key, exchange and properties in headers.
enum RawEventResponse {
    /// Properties longer than this are left out of the headers: many clients and proxies refuse
    /// header blocks beyond 8-16 KiB. The JSON view still has everything the event says.
    static let maximumPropertiesHeaderBytes = 8_192

    /// The response for `event`.
    static func make(for event: StoredEvent) -> HTTPResponse {
        let original = event.original
        let properties = propertiesObject(original.properties)
        var contentType = (properties?["content_type"] as? String).map(HeaderText.sanitized) ?? ""
        if contentType.isEmpty { contentType = "application/octet-stream" }

        var response = HTTPResponse(status: 200, body: original.body)
        response.headers = [
            HTTPHeader(name: "Content-Type", value: contentType),
            HTTPHeader(name: "X-Content-Type-Options", value: "nosniff"),
            HTTPHeader(name: "X-Candystore-Event-Id", value: HeaderText.sanitized(event.id)),
            HTTPHeader(name: "X-Candystore-Routing-Key", value: HeaderText.sanitized(original.routingKey)),
            HTTPHeader(name: "X-Candystore-Exchange", value: HeaderText.sanitized(original.exchange)),
            HTTPHeader(name: "X-Candystore-Stored-At", value: event.storedAt.rfc3339),
        ]
        if let encoding = properties?["content_encoding"] as? String, !encoding.isEmpty {
            // AMQP's content_encoding (often "utf-8") is not an HTTP Content-Encoding; report it apart.
            response.headers.append(
                HTTPHeader(name: "X-Candystore-Content-Encoding", value: HeaderText.sanitized(encoding)))
        }
        if !original.properties.isEmpty {
            if original.properties.count <= maximumPropertiesHeaderBytes {
                let text = HeaderText.sanitized(String(decoding: original.properties, as: UTF8.self))
                response.headers.append(HTTPHeader(name: "X-Candystore-Properties", value: text))
            } else {
                response.headers.append(
                    HTTPHeader(name: "X-Candystore-Properties-Omitted", value: "\(original.properties.count) bytes"))
            }
        }
        return response
    }

    /// The stored properties as a JSON object, or `nil` when they are empty or not an object.
    private static func propertiesObject(_ bytes: [UInt8]) -> [String: Any]? {
        guard !bytes.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }
}
