import Foundation

/// Where a JSON value sits in a document, and what kind it is.
public struct JSONSpan: Sendable, Hashable {
    /// The kind of a JSON value.
    public enum Kind: Sendable {
        case object, array, string, number, bool, null
    }

    /// The value's kind.
    public var kind: Kind
    /// The byte range of the value's text, from its first to its last byte.
    public var range: Range<Int>
}

/// One member of a JSON object: the key's string span and the value's span.
public struct JSONMember: Sendable, Hashable {
    /// The key, quotes included.
    public var key: JSONSpan
    /// The value.
    public var value: JSONSpan
}

/// Why a body is not JSON, with the byte offset where reading stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Offset of the offending byte (or the end of input).
    public var offset: Int
    /// What was expected or found.
    public var reason: String

    public var description: String { "\(reason) at byte \(offset)" }
}

/// A strict RFC 8259 reader over UTF-8 bytes that validates a whole document in one pass and
/// records where values sit instead of building a tree, so the normaliser can pick the few fields
/// it needs and copy the payload's bytes without re-serialising them.
///
/// The input must already be valid UTF-8 (`UTF8Validation`); the reader checks structure, escapes,
/// number syntax and control characters. Nesting deeper than `maximumDepth` is rejected.
public struct JSONReader {
    /// Deepest nesting accepted; deeper documents are rejected rather than risk the stack.
    public static let maximumDepth = 256

    public let bytes: [UInt8]

    /// A reader of the document `bytes`.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Validates the whole document.
    ///
    /// - Returns: the span of the root value.
    /// - Throws: `JSONSyntaxError` at the first byte that breaks the grammar.
    /// - Complexity: O(n) in the document's size.
    public func validate() throws(JSONSyntaxError) -> JSONSpan {
        try validateCollectingRootMembers().root
    }

    /// What one validating pass learns about a document.
    public struct Validated {
        /// The root value.
        public var root: JSONSpan
        /// The root object's members (empty when the root is not an object).
        public var members: [JSONMember]
        /// Where runs of insignificant whitespace start, in increasing order.
        public var whitespace: [Int]

        /// Whether any insignificant whitespace lies inside `span`.
        public func hasWhitespace(in span: JSONSpan) -> Bool {
            var low = 0
            var high = whitespace.count
            while low < high {
                let middle = (low + high) / 2
                if whitespace[middle] < span.range.lowerBound { low = middle + 1 } else { high = middle }
            }
            return low < whitespace.count && whitespace[low] < span.range.upperBound
        }
    }

    /// Validates the whole document and, in the same pass, collects the root object's members and
    /// where whitespace sits (so compact values can be copied without a second scan).
    ///
    /// - Throws: `JSONSyntaxError` at the first byte that breaks the grammar.
    /// - Complexity: O(n) in the document's size.
    public func validateCollectingRootMembers() throws(JSONSyntaxError) -> Validated {
        let outcome = bytes.withUnsafeBufferPointer { buffer -> Result<Validated, JSONSyntaxError> in
            var cursor = Cursor(bytes: buffer, position: 0)
            cursor.rootMembers = []
            cursor.whitespace = []
            cursor.skipWhitespace()
            let root: JSONSpan
            do throws(JSONSyntaxError) {
                root = try cursor.value(depth: 0)
            } catch {
                return .failure(error)
            }
            cursor.skipWhitespace()
            guard cursor.position == buffer.count else {
                return .failure(
                    JSONSyntaxError(offset: cursor.position, reason: "unexpected text after the JSON value"))
            }
            return .success(
                Validated(root: root, members: cursor.rootMembers ?? [], whitespace: cursor.whitespace ?? []))
        }
        return try outcome.get()
    }

    /// A member that `validate(visitingMembers:)` read.
    public struct VisitedMember {
        /// The member's key and value.
        public var member: JSONMember
        /// The key of the root member whose value is the object holding this member; `nil` for a
        /// member of the root object itself.
        public var parentKey: JSONSpan?
        /// Whether the value holds no insignificant whitespace, so `minified(_:knownCompact:)` may
        /// copy it whole.
        public var isCompact: Bool
    }

    /// Validates the whole document, as `validate()` does, and hands `visit` every member of the
    /// root object, and every member of an object that is the value of a root member, as soon as
    /// it is read. A caller keeps only the members it needs; the pass collects nothing.
    ///
    /// Members come in document order, so the members of a nested object come before the root
    /// member that holds it. Nothing is visited when the root is not an object.
    ///
    /// - Returns: the root value and whether it is compact.
    /// - Throws: `JSONSyntaxError` at the first byte that breaks the grammar; `visit` may have seen
    ///   members before it.
    /// - Complexity: O(n) in the document's size.
    public func validate(
        visitingMembers visit: (VisitedMember) -> Void
    ) throws(JSONSyntaxError) -> (root: JSONSpan, isCompact: Bool) {
        let outcome = withoutActuallyEscaping(visit) { visit in
            bytes.withUnsafeBufferPointer { buffer -> Result<(JSONSpan, Bool), JSONSyntaxError> in
                var cursor = Cursor(bytes: buffer, position: 0)
                cursor.visitMember = visit
                cursor.skipWhitespace()
                let runsBefore = cursor.whitespaceRuns
                let root: JSONSpan
                do throws(JSONSyntaxError) {
                    root = try cursor.value(depth: 0)
                } catch {
                    return .failure(error)
                }
                let isCompact = cursor.whitespaceRuns == runsBefore
                cursor.skipWhitespace()
                guard cursor.position == buffer.count else {
                    return .failure(
                        JSONSyntaxError(offset: cursor.position, reason: "unexpected text after the JSON value"))
                }
                return .success((root, isCompact))
            }
        }
        let (root, isCompact) = try outcome.get()
        return (root, isCompact)
    }

    /// The members of an object, in document order; keys are string spans (see `key(_:equals:)`).
    ///
    /// - Precondition: `span` is an object span of a validated document.
    /// - Complexity: O(length of the object's text).
    public func members(of span: JSONSpan) -> [JSONMember] {
        precondition(span.kind == .object)
        return bytes.withUnsafeBufferPointer { buffer in
            var cursor = Cursor(bytes: buffer, position: span.range.lowerBound + 1)
            var result: [JSONMember] = []
            cursor.skipWhitespace()
            guard cursor.peek != UInt8(ascii: "}") else { return result }
            while true {
                guard let key = try? cursor.string() else { return result }
                cursor.skipWhitespace()
                cursor.position += 1
                cursor.skipWhitespace()
                guard let value = try? cursor.value(depth: 1) else { return result }
                result.append(JSONMember(key: key, value: value))
                cursor.skipWhitespace()
                guard cursor.peek == UInt8(ascii: ",") else { return result }
                cursor.position += 1
                cursor.skipWhitespace()
            }
        }
    }

    /// The elements of an array, in order.
    ///
    /// - Precondition: `span` is an array span of a validated document.
    public func elements(of span: JSONSpan) -> [JSONSpan] {
        precondition(span.kind == .array)
        return bytes.withUnsafeBufferPointer { buffer in
            var cursor = Cursor(bytes: buffer, position: span.range.lowerBound + 1)
            var result: [JSONSpan] = []
            cursor.skipWhitespace()
            guard cursor.peek != UInt8(ascii: "]") else { return result }
            while true {
                guard let value = try? cursor.value(depth: 1) else { return result }
                result.append(value)
                cursor.skipWhitespace()
                guard cursor.peek == UInt8(ascii: ",") else { return result }
                cursor.position += 1
                cursor.skipWhitespace()
            }
        }
    }

    /// The first element of an array, or `nil` when the array is empty; reads nothing after it.
    ///
    /// - Precondition: `span` is an array span of a validated document.
    /// - Complexity: O(length of the first element's text).
    public func firstElement(of span: JSONSpan) -> JSONSpan? {
        precondition(span.kind == .array)
        return bytes.withUnsafeBufferPointer { buffer in
            var cursor = Cursor(bytes: buffer, position: span.range.lowerBound + 1)
            cursor.skipWhitespace()
            guard cursor.peek != UInt8(ascii: "]") else { return nil }
            return try? cursor.value(depth: 1)
        }
    }

    /// Whether the string span `key` decodes to `name`; compares bytes unless the key has escapes.
    public func key(_ key: JSONSpan, equals name: String) -> Bool {
        let inner = (key.range.lowerBound + 1)..<(key.range.upperBound - 1)
        var name = name
        return name.withUTF8 { expected in
            if inner.count == expected.count, bytes[inner].elementsEqual(expected) { return true }
            guard bytes[inner].contains(UInt8(ascii: "\\")) else { return false }
            return string(key).utf8.elementsEqual(expected)
        }
    }

    /// The decoded text of a string span (escapes resolved; a lone surrogate becomes U+FFFD).
    public func string(_ span: JSONSpan) -> String {
        precondition(span.kind == .string)
        let inner = (span.range.lowerBound + 1)..<(span.range.upperBound - 1)
        let plain = bytes.withUnsafeBufferPointer { buffer -> String? in
            let text = UnsafeBufferPointer(rebasing: buffer[inner])
            guard text.isEmpty || memchr(text.baseAddress!, 0x5C, text.count) == nil else { return nil }
            return String(decoding: text, as: UTF8.self)
        }
        if let plain { return plain }
        var scalars = String.UnicodeScalarView()
        var utf8 = [UInt8]()
        var index = inner.lowerBound
        func flush() {
            guard !utf8.isEmpty else { return }
            scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
            utf8.removeAll(keepingCapacity: true)
        }
        while index < inner.upperBound {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                index += 1
                continue
            }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                flush()
                var unit = hex4(at: index)
                index += 4
                if (0xD800..<0xDC00).contains(unit), index + 6 <= inner.upperBound,
                    bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                {
                    let low = hex4(at: index + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
            default: utf8.append(escape)
            }
        }
        flush()
        return String(scalars)
    }

    /// The value's text without insignificant whitespace: a compact, normalised JSON value.
    ///
    /// Runs of bytes between whitespace are copied whole, so an already compact value costs one copy.
    ///
    /// - Complexity: O(length of the value's text).
    public func minified(_ span: JSONSpan, knownCompact: Bool = false) -> [UInt8] {
        if knownCompact { return Array(bytes[span.range]) }
        return bytes.withUnsafeBufferPointer { buffer in
            var output = [UInt8]()
            output.reserveCapacity(span.range.count)
            var runStart = span.range.lowerBound
            var index = span.range.lowerBound
            let end = span.range.upperBound
            while index < end {
                let byte = buffer[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    while buffer[index] != UInt8(ascii: "\"") {
                        index += buffer[index] == UInt8(ascii: "\\") ? 2 : 1
                    }
                    index += 1
                } else if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<index]))
                    index += 1
                    runStart = index
                } else {
                    index += 1
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<end]))
            return output
        }
    }

    private func hex4(at index: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 {
            value = value << 4 | UInt32(Cursor.hexValue(bytes[index + offset]) ?? 0)
        }
        return value
    }
}

/// The reading position and the grammar, one production per method.
private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    /// When not `nil`, the members of the outermost object are appended here as it is read.
    var rootMembers: [JSONMember]? = nil
    /// When not `nil`, the start of every run of insignificant whitespace is appended here.
    var whitespace: [Int]? = nil
    /// How many runs of insignificant whitespace were skipped so far: a value read without this
    /// count moving is compact.
    var whitespaceRuns = 0
    /// When set, called with each member of the outermost object and of the objects that are its
    /// members' values, as they are read.
    var visitMember: ((JSONReader.VisitedMember) -> Void)? = nil
    /// The key of the root member whose value is being read; `nil` until the root object's first
    /// member (and always when the root is not an object).
    var rootKey: JSONSpan? = nil

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    @inline(__always)
    mutating func skipWhitespace() {
        // Compact JSON has no whitespace between tokens: one comparison settles most calls.
        guard position < bytes.count, bytes[position] <= 0x20 else { return }
        skipWhitespaceRun()
    }

    private mutating func skipWhitespaceRun() {
        let start = position
        scan: while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: break scan
            }
        }
        guard position > start else { return }
        whitespaceRuns += 1
        if whitespace != nil { whitespace!.append(start) }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONSpan {
        guard let byte = peek else { throw fail("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "t"): return try literal("true", .bool)
        case UInt8(ascii: "f"): return try literal("false", .bool)
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected byte 0x\(String(byte, radix: 16)), expected a value")
        }
    }

    private mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONSpan {
        guard depth <= JSONReader.maximumDepth else { throw fail("nesting deeper than \(JSONReader.maximumDepth)") }
        let start = position
        position += 1
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            position += 1
            return JSONSpan(kind: .object, range: start..<position)
        }
        // Depth 2 is an object that is a root member's value only when the root is an object;
        // `rootKey` is set only then (a root array's objects are depth 2 too). Taken once per
        // object: calling the stored closure for each member would retain it each time.
        let visiting = visitMember != nil && (depth == 1 || (depth == 2 && rootKey != nil))
        let visit = visiting ? visitMember! : { _ in }
        while true {
            guard peek == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try string()
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
            position += 1
            skipWhitespace()
            let runsBefore = whitespaceRuns
            if depth == 1 { rootKey = key }
            let member = try value(depth: depth)
            if depth == 1, rootMembers != nil { rootMembers!.append(JSONMember(key: key, value: member)) }
            if visiting {
                visit(
                    JSONReader.VisitedMember(
                        member: JSONMember(key: key, value: member), parentKey: depth == 1 ? nil : rootKey,
                        isCompact: whitespaceRuns == runsBefore))
            }
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                position += 1
                return JSONSpan(kind: .object, range: start..<position)
            default:
                throw fail(peek == nil ? "unexpected end of input inside an object" : "expected ',' or '}'")
            }
        }
    }

    private mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONSpan {
        guard depth <= JSONReader.maximumDepth else { throw fail("nesting deeper than \(JSONReader.maximumDepth)") }
        let start = position
        position += 1
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            position += 1
            return JSONSpan(kind: .array, range: start..<position)
        }
        while true {
            _ = try value(depth: depth)
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                return JSONSpan(kind: .array, range: start..<position)
            default:
                throw fail(peek == nil ? "unexpected end of input inside an array" : "expected ',' or ']'")
            }
        }
    }

    mutating func string() throws(JSONSyntaxError) -> JSONSpan {
        let start = position
        position += 1
        let count = bytes.count
        let base = UnsafeRawPointer(bytes.baseAddress!)
        while position < count {
            // Eight bytes at a time, straight to the first quote, backslash or control character.
            while position + 8 <= count {
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                let found = Cursor.attention(in: word)
                guard found == 0 else {
                    position += found.trailingZeroBitCount / 8
                    break
                }
                position += 8
            }
            guard position < count else { break }
            let byte = bytes[position]
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                position += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return JSONSpan(kind: .string, range: start..<position)
            case UInt8(ascii: "\\"):
                guard position + 1 < count else { throw fail("unexpected end of input in an escape") }
                switch bytes[position + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 2
                case UInt8(ascii: "u"):
                    guard position + 6 <= count,
                        bytes[(position + 2)..<(position + 6)].allSatisfy({ Cursor.hexValue($0) != nil })
                    else { throw fail("invalid \\u escape") }
                    position += 6
                default:
                    throw fail("invalid escape")
                }
            default:
                throw fail("unescaped control character in a string")
            }
        }
        throw fail("unexpected end of input inside a string")
    }

    private mutating func number() throws(JSONSyntaxError) -> JSONSpan {
        let start = position
        if peek == UInt8(ascii: "-") { position += 1 }
        guard let first = peek, Cursor.isDigit(first) else { throw fail("expected a digit") }
        position += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek == UInt8(ascii: ".") {
            position += 1
            guard let digit = peek, Cursor.isDigit(digit) else { throw fail("expected a digit after '.'") }
            skipDigits()
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            position += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
            guard let digit = peek, Cursor.isDigit(digit) else { throw fail("expected a digit in the exponent") }
            skipDigits()
        }
        return JSONSpan(kind: .number, range: start..<position)
    }

    private mutating func skipDigits() {
        while let byte = peek, Cursor.isDigit(byte) { position += 1 }
    }

    private mutating func literal(_ word: StaticString, _ kind: JSONSpan.Kind) throws(JSONSyntaxError) -> JSONSpan {
        let start = position
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail("unexpected end of input in a literal") }
        let matches = word.withUTF8Buffer { expected in
            bytes[position..<(position + count)].elementsEqual(expected)
        }
        guard matches else { throw fail("invalid literal") }
        position += count
        return JSONSpan(kind: kind, range: start..<position)
    }

    private func fail(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: position, reason: reason)
    }

    /// Which of the eight bytes in `word` (first byte lowest) is `"`, `\\` or below 0x20, as the high
    /// bit of each matching byte (SWAR). Zero when none is. A borrow may also mark bytes above a
    /// match, never below one, so the lowest set bit is always the first match.
    @inline(__always)
    static func attention(in word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highs }
        let quote = hasZeroByte(word ^ (ones &* 0x22))
        let backslash = hasZeroByte(word ^ (ones &* 0x5C))
        let control = (word &- ones &* 0x20) & ~word & highs
        return quote | backslash | control
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
