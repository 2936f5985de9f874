/// One HTTP request as the server parsed it: method, decoded path, decoded query items and headers.
///
/// The body is not read; the API answers reads only.
public struct HTTPRequest: Sendable, Hashable {
    /// The method as sent, for example `GET`.
    public var method: String
    /// The path with percent-escapes decoded and without the query string, for example `/events`.
    public var path: String
    /// The protocol version, for example `HTTP/1.1`.
    public var version: String
    /// The query parameters in the order sent, names and values percent-decoded.
    public var queryItems: [HTTPQueryItem]
    /// The request headers in the order sent.
    public var headers: [HTTPHeader]

    /// Creates a request.
    public init(
        method: String, path: String, version: String = "HTTP/1.1", queryItems: [HTTPQueryItem] = [],
        headers: [HTTPHeader] = []
    ) {
        self.method = method
        self.path = path
        self.version = version
        self.queryItems = queryItems
        self.headers = headers
    }

    /// The value of the first header called `name`, compared without regard to case.
    ///
    /// - Parameter name: The header name, for example `Origin`.
    /// - Complexity: O(h) for h headers.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// The value of the query parameter called `name`; when it is repeated the last one wins, as
    /// in the service this one replaces.
    ///
    /// - Parameter name: The parameter name, compared exactly.
    /// - Complexity: O(q) for q query items.
    public func queryValue(_ name: String) -> String? {
        queryItems.last { $0.name == name }?.value
    }
}

/// One `name=value` pair of a query string.
public struct HTTPQueryItem: Sendable, Hashable {
    /// The parameter name.
    public var name: String
    /// The value; empty when the parameter had no `=`.
    public var value: String

    /// Creates a query item.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// One header line of a request or response.
public struct HTTPHeader: Sendable, Hashable {
    /// The header name as written.
    public var name: String
    /// The header value.
    public var value: String

    /// Creates a header.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension String {
    /// Equality under ASCII case folding, the comparison HTTP uses for header names.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return zip(utf8, other.utf8).allSatisfy { Self.foldedASCII($0) == Self.foldedASCII($1) }
    }

    /// `byte` with ASCII upper-case letters turned lower-case.
    static func foldedASCII(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
