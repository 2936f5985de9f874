import IndexBuilder
import SegmentStore

/// Turns the query string of `GET /events` into an ``EventQuery``, or the list of everything
/// wrong with it.
///
/// Rules: unknown parameters are ignored; a repeated parameter takes its last value; an empty
/// value counts as absent; every invalid parameter is reported, not only the first.
enum EventQueryParser {
    /// The longest cursor accepted before the engine is even asked.
    static let maximumCursorLength = 1_024

    /// The validated query, or the problems that make it invalid.
    static func parse(_ items: [HTTPQueryItem]) -> Result<EventQuery, APIError> {
        var values: [String: String] = [:]
        for item in items where !item.value.isEmpty {
            values[item.name] = item.value
        }
        var query = EventQuery()
        var problems: [ValidationProblem] = []

        query.sessionId = values["session_id"]
        query.eventType = values["event_type"]
        query.source = values["source"]
        query.target = values["target"]
        query.correlationId = values["correlation_id"]

        if let text = values["limit"] {
            switch integer(text, parameter: "limit", range: 1...EventQuery.maximumLimit) {
            case .success(let limit): query.limit = limit
            case .failure(let problem): problems.append(problem)
            }
        }
        if let text = values["offset"] {
            switch integer(text, parameter: "offset", range: 0...Int.max) {
            case .success(let offset): query.offset = offset
            case .failure(let problem): problems.append(problem)
            }
        }
        for name in ["start_time", "end_time"] {
            guard let text = values[name] else { continue }
            if let instant = TimeParameter.parse(text) {
                if name == "start_time" { query.startTime = instant } else { query.endTime = instant }
            } else {
                problems.append(
                    ValidationProblem(
                        type: "datetime_parsing", parameter: name,
                        message: "Input should be a valid datetime: RFC 3339 such as 2026-01-27T10:30:00Z "
                            + "(encode + as %2B), a date such as 2026-01-27, or Unix seconds",
                        input: text))
            }
        }
        if let text = values["cursor"] {
            if text.utf8.count > maximumCursorLength {
                problems.append(
                    ValidationProblem(
                        type: "invalid_cursor", parameter: "cursor",
                        message: "Cursor is not one this server issued; use next_cursor from a previous page",
                        input: String(text.prefix(64))))
            } else {
                query.cursor = text
            }
        }
        if let start = query.startTime, let end = query.endTime, start > end {
            problems.append(
                ValidationProblem(
                    type: "value_error", parameter: "start_time",
                    message: "start_time must not be after end_time", input: values["start_time"]))
        }

        return problems.isEmpty ? .success(query) : .failure(.invalidParameters(problems))
    }

    /// A decimal integer within `range`, with optional sign and surrounding spaces.
    static func integer(
        _ text: String, parameter: String, range: ClosedRange<Int>
    ) -> Result<Int, ValidationProblem> {
        let trimmed = text.trimmingASCIISpaces()
        guard let value = Int(trimmed) else {
            let unsigned =
                trimmed.hasPrefix("-") || trimmed.hasPrefix("+") ? trimmed.utf8.dropFirst() : trimmed.utf8[...]
            let isDigits = !unsigned.isEmpty && unsigned.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            let message =
                isDigits
                ? "Input is too large to be a valid integer"
                : "Input should be a valid integer, unable to parse string as an integer"
            return .failure(ValidationProblem(type: "int_parsing", parameter: parameter, message: message, input: text))
        }
        if value < range.lowerBound {
            return .failure(
                ValidationProblem(
                    type: "greater_than_equal", parameter: parameter,
                    message: "Input should be greater than or equal to \(range.lowerBound)", input: text))
        }
        if value > range.upperBound {
            return .failure(
                ValidationProblem(
                    type: "less_than_equal", parameter: parameter,
                    message: "Input should be less than or equal to \(range.upperBound)", input: text))
        }
        return .success(value)
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces and tabs.
    func trimmingASCIISpaces() -> String {
        let bytes = Array(utf8)
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
