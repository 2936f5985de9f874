/// A query the engine refuses, with a message fit to show the client as is.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem.
    public enum Code: String, Sendable {
        /// `limit` is outside 1 to 1000.
        case invalidLimit = "invalid_limit"
        /// `offset` is negative.
        case invalidOffset = "invalid_offset"
        /// `start_time` is after `end_time`.
        case invalidTimeRange = "invalid_time_range"
        /// `cursor` is not a cursor this service issued.
        case invalidCursor = "invalid_cursor"
    }

    /// The kind of problem.
    public var code: Code
    /// The request parameter at fault, as the API names it (`limit`, `cursor`...).
    public var parameter: String
    /// What is wrong and how to fix the request.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, parameter: String, _ message: String) {
        self.code = code
        self.parameter = parameter
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
