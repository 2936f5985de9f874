import Foundation
import SegmentStore

/// The position of the last event of a page, encoded as an opaque, URL-safe token: a version
/// byte, the event timestamp and its sequence number, in unpadded base64url (23 characters).
public struct PageCursor: Sendable, Hashable {
    /// The encoding version this build writes and reads.
    static let version: UInt8 = 1

    /// The last returned event's timestamp.
    public var timestamp: EventTimestamp
    /// The last returned event's sequence number.
    public var sequence: UInt64

    /// Creates a cursor at an event.
    public init(timestamp: EventTimestamp, sequence: UInt64) {
        self.timestamp = timestamp
        self.sequence = sequence
    }

    var position: EventPosition {
        EventPosition(timestamp: timestamp.microseconds, sequence: sequence)
    }

    /// The token clients pass back as `cursor`.
    public var encoded: String {
        var bytes: [UInt8] = [Self.version]
        let time = UInt64(bitPattern: timestamp.microseconds)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: time >> UInt64(shift)))
        }
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: sequence >> UInt64(shift)))
        }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes a token.
    ///
    /// - Throws: `QueryError.invalidCursor` when the text is not a token this version issues.
    public init(encoded text: String) throws(QueryError) {
        let invalid = QueryError(
            .invalidCursor, parameter: "cursor",
            "cursor is not a valid page cursor; pass the next_cursor of a previous page unchanged, "
                + "or start again without a cursor")
        guard text.utf8.count == 23, text.utf8.allSatisfy({ Self.isBase64URL($0) }) else { throw invalid }
        let standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "="
        guard let data = Data(base64Encoded: standard), data.count == 17, data.first == Self.version else {
            throw invalid
        }
        let bytes = Array(data)
        var time: UInt64 = 0
        var sequence: UInt64 = 0
        for index in 1...8 { time = time << 8 | UInt64(bytes[index]) }
        for index in 9...16 { sequence = sequence << 8 | UInt64(bytes[index]) }
        guard sequence > 0 else { throw invalid }
        self.timestamp = EventTimestamp(microseconds: Int64(bitPattern: time))
        self.sequence = sequence
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
