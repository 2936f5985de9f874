/// Where and as whom to connect to a broker, parsed from an AMQP URI such as
/// `amqp://user:pass@host:5672/vhost`.
///
/// User, password and virtual host are percent-decoded. A missing or bare `/` path means the
/// default virtual host `/`; `%2F` spells `/` explicitly. Query parameters are ignored.
public struct AMQPURL: Sendable, Hashable, CustomStringConvertible {
    /// The broker's host name or address (without brackets for IPv6).
    public var host: String
    /// The TCP port; 5672 when the URL names none.
    public var port: Int
    /// The user name for SASL PLAIN.
    public var user: String
    /// The password for SASL PLAIN.
    public var password: String
    /// The virtual host.
    public var virtualHost: String

    /// Creates a URL from its parts.
    public init(
        host: String, port: Int = 5672, user: String = "guest", password: String = "guest",
        virtualHost: String = "/"
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.virtualHost = virtualHost
    }

    /// Parses an `amqp://` URI.
    ///
    /// - Parameter text: for example `amqp://guest:guest@localhost:5672/`.
    /// - Throws: `AMQPError` with code `.invalidURL` naming what is wrong (scheme, port, escape).
    public init(parsing text: String) throws(AMQPError) {
        func invalid(_ why: String) -> AMQPError {
            AMQPError(
                .invalidURL, operation: "parse url",
                message: "\(why) in '\(AMQPURL.redacted(text))'; "
                    + "expected amqp://user:password@host:port/vhost")
        }

        guard let schemeEnd = text.range(of: "://") else { throw invalid("no scheme") }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "amqp" else {
            throw invalid(scheme == "amqps" ? "TLS (amqps) is not supported" : "unknown scheme '\(scheme)'")
        }
        var rest = text[schemeEnd.upperBound...]
        if let query = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            rest = rest[..<query]
        }
        let authority: Substring
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        } else {
            authority = rest
        }

        var user = "guest"
        var password = "guest"
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = try AMQPURL.percentDecoded(credentials[..<colon], or: invalid("bad escape in user"))
                password = try AMQPURL.percentDecoded(
                    credentials[credentials.index(after: colon)...], or: invalid("bad escape in password"))
            } else {
                user = try AMQPURL.percentDecoded(credentials, or: invalid("bad escape in user"))
            }
        }

        var host: Substring
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw invalid("unclosed '[' in host") }
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw invalid("unexpected text after ']'")
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            host = hostPort
        }
        if host.isEmpty { host = "localhost" }

        var port = 5672
        if let portText, !portText.isEmpty {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw invalid("port '\(portText)' is not between 1 and 65535")
            }
            port = value
        }

        var virtualHost = "/"
        if !path.isEmpty {
            virtualHost = try AMQPURL.percentDecoded(path, or: invalid("bad escape in virtual host"))
        }
        self.init(host: String(host), port: port, user: user, password: password, virtualHost: virtualHost)
    }

    /// The URL with the password hidden, safe to log.
    public var description: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        let vhostText = virtualHost == "/" ? "" : virtualHost.replacingSlashes()
        return "amqp://\(user):***@\(hostText):\(port)/\(vhostText)"
    }

    /// `text` with any password between `:` and `@` replaced by `***`.
    static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), let at = text.lastIndex(of: "@"),
            at > schemeEnd.upperBound,
            let colon = text[schemeEnd.upperBound..<at].firstIndex(of: ":")
        else { return text }
        return String(text[...colon]) + "***" + String(text[at...])
    }

    private static func percentDecoded(_ text: Substring, or error: AMQPError) throws(AMQPError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes = [UInt8]()
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw error
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw error }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension String {
    fileprivate func replacingSlashes() -> String {
        var result = ""
        for character in self {
            if character == "/" { result += "%2F" } else { result.append(character) }
        }
        return result
    }
}
