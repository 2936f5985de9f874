import Foundation

/// The parts of an `amqp://` or `amqps://` URL, as `RABBIT_URL` holds it.
///
/// `amqp://user:password@host:port/vhost`: user and password default to `guest`, the port to 5672
/// (5671 for `amqps`), and the vhost to `/`; a percent-encoded vhost (`%2F`) is decoded.
public struct BrokerURL: Sendable, Hashable, CustomStringConvertible {
    /// Whether the connection uses TLS (`amqps`).
    public var usesTLS: Bool
    /// The broker host name or address.
    public var host: String
    /// The broker port.
    public var port: UInt16
    /// The user name.
    public var user: String
    /// The password.
    public var password: String
    /// The virtual host.
    public var virtualHost: String

    /// Parses `text`, or returns `nil` when it is not an AMQP URL.
    public init?(_ text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "amqp" || scheme == "amqps", let host = components.host, !host.isEmpty,
            components.query == nil, components.fragment == nil
        else { return nil }
        usesTLS = scheme == "amqps"
        if let port = components.port {
            guard (1...65_535).contains(port) else { return nil }
            self.port = UInt16(port)
        } else {
            self.port = usesTLS ? 5671 : 5672
        }
        self.host = host
        user = components.user ?? "guest"
        password = components.password ?? "guest"
        let path = components.percentEncodedPath
        if path.isEmpty || path == "/" {
            virtualHost = "/"
        } else {
            guard let decoded = String(path.dropFirst()).removingPercentEncoding,
                !decoded.contains("/") || decoded == "/"
            else { return nil }
            virtualHost = decoded
        }
    }

    /// The URL with the password masked, safe for logs and error messages.
    public var description: String {
        let vhost =
            virtualHost == "/" ? "" : virtualHost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return "\(usesTLS ? "amqps" : "amqp")://\(user):***@\(host):\(port)/\(vhost)"
    }

    /// `text` with anything between `://user:` and `@` masked, for messages about a URL that did
    /// not parse.
    static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), let at = text.range(of: "@", options: .backwards),
            at.lowerBound > schemeEnd.upperBound
        else { return text }
        let credentials = text[schemeEnd.upperBound..<at.lowerBound]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at.lowerBound...])
    }
}
