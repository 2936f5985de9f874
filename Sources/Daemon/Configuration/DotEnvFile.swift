import Foundation

/// A `.env` file: `KEY=value` lines, read the way python-dotenv and most shells' users expect.
///
/// - Blank lines and lines starting with `#` are skipped; `export KEY=value` is accepted.
/// - Unquoted values run to the end of the line; a `#` after a space starts a comment; surrounding
///   spaces are trimmed.
/// - `'single'` quotes keep everything literally; `"double"` quotes understand `\n`, `\t`, `\r`,
///   `\"` and `\\`. Quoted values may span lines.
/// - A later line for the same key wins. Nothing is interpolated.
public struct DotEnvFile: Sendable, Hashable {
    /// One assignment.
    public struct Entry: Sendable, Hashable {
        /// The key, as written.
        public var key: String
        /// The value, with quotes and escapes resolved.
        public var value: String
        /// The 1-based line the assignment starts on.
        public var line: Int
    }

    /// The path the file was read from, for messages.
    public var path: String
    /// The assignments in file order.
    public var entries: [Entry]

    /// Parses `text`.
    ///
    /// - Parameters:
    ///   - text: The file's contents.
    ///   - path: Where it came from, for error messages.
    /// - Throws: `ConfigurationError` naming the line of the first malformed assignment.
    public init(parsing text: String, path: String) throws(ConfigurationError) {
        self.path = path
        var parser = DotEnvParser(bytes: Array(text.utf8), path: path)
        self.entries = try parser.parseAll()
    }

    /// Reads and parses the file at `path`, or returns `nil` when there is no file there.
    ///
    /// - Throws: `ConfigurationError` when the file exists but cannot be read or parsed.
    public static func load(path: String) throws(ConfigurationError) -> DotEnvFile? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(
                setting: ".env", problem: "\(path) exists but cannot be read; fix its permissions or remove it",
                source: .dotEnv(path: path, line: 0))
        }
        return try DotEnvFile(parsing: String(decoding: data, as: UTF8.self), path: path)
    }

    /// The last value and line of every key.
    public var values: [String: (value: String, line: Int)] {
        var result: [String: (value: String, line: Int)] = [:]
        for entry in entries {
            result[entry.key] = (entry.value, entry.line)
        }
        return result
    }
}

/// The byte-level scanner behind ``DotEnvFile``.
private struct DotEnvParser {
    let bytes: [UInt8]
    let path: String
    var index = 0
    var line = 1

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    mutating func parseAll() throws(ConfigurationError) -> [DotEnvFile.Entry] {
        var entries: [DotEnvFile.Entry] = []
        while true {
            skipBlankSpace()
            guard let byte = peek() else { return entries }
            if byte == UInt8(ascii: "#") {
                skipToEndOfLine()
                continue
            }
            entries.append(try parseAssignment())
        }
    }

    private mutating func parseAssignment() throws(ConfigurationError) -> DotEnvFile.Entry {
        let startLine = line
        var key = readIdentifier()
        if key == "export", let next = peek(), next == 0x20 || next == 0x09 {
            skipSpaces()
            key = readIdentifier()
        }
        guard !key.isEmpty else { throw failure("expected KEY=value", line: startLine) }
        skipSpaces()
        guard peek() == UInt8(ascii: "=") else { throw failure("expected '=' after \(key)", line: startLine) }
        index += 1
        skipSpaces()

        let value: String
        switch peek() {
        case UInt8(ascii: "\""):
            value = try readQuoted(key: key, startLine: startLine, escapes: true)
            try finishQuotedLine(key: key)
        case UInt8(ascii: "'"):
            value = try readQuoted(key: key, startLine: startLine, escapes: false)
            try finishQuotedLine(key: key)
        default:
            value = readUnquoted()
        }
        return DotEnvFile.Entry(key: key, value: value, line: startLine)
    }

    private mutating func readIdentifier() -> String {
        let start = index
        while let byte = peek(), isIdentifierByte(byte, first: index == start) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func isIdentifierByte(_ byte: UInt8, first: Bool) -> Bool {
        let letter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
        return letter || (!first && ((byte >= 0x30 && byte <= 0x39) || byte == 0x2E))
    }

    private mutating func readQuoted(key: String, startLine: Int, escapes: Bool) throws(ConfigurationError) -> String {
        let quote = bytes[index]
        index += 1
        var value: [UInt8] = []
        while let byte = peek() {
            index += 1
            if byte == quote { return String(decoding: value, as: UTF8.self) }
            if byte == 0x0A { line += 1 }
            if escapes, byte == UInt8(ascii: "\\"), let next = peek() {
                index += 1
                switch next {
                case UInt8(ascii: "n"): value.append(0x0A)
                case UInt8(ascii: "t"): value.append(0x09)
                case UInt8(ascii: "r"): value.append(0x0D)
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): value.append(next)
                default: value.append(contentsOf: [byte, next])
                }
                continue
            }
            value.append(byte)
        }
        let kind = escapes ? "double" : "single"
        throw failure("the \(kind) quote of \(key) is never closed", line: startLine)
    }

    /// After a closing quote only spaces and a comment may follow on the line.
    private mutating func finishQuotedLine(key: String) throws(ConfigurationError) {
        skipSpaces()
        guard let byte = peek() else { return }
        switch byte {
        case 0x0A, 0x0D: return
        case UInt8(ascii: "#"): skipToEndOfLine()
        default: throw failure("unexpected text after the closing quote of \(key)", line: line)
        }
    }

    private mutating func readUnquoted() -> String {
        let start = index
        var end = index
        while let byte = peek(), byte != 0x0A {
            if byte == UInt8(ascii: "#"), index > 0, bytes[index - 1] == 0x20 || bytes[index - 1] == 0x09 {
                skipToEndOfLine()
                break
            }
            index += 1
            end = index
        }
        var slice = bytes[start..<end]
        while let last = slice.last, last == 0x20 || last == 0x09 || last == 0x0D { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private mutating func skipSpaces() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 { index += 1 }
    }

    private mutating func skipBlankSpace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            if byte == 0x0A { line += 1 }
            index += 1
        }
    }

    private mutating func skipToEndOfLine() {
        while let byte = peek(), byte != 0x0A { index += 1 }
    }

    private func failure(_ problem: String, line: Int) -> ConfigurationError {
        ConfigurationError(
            setting: ".env", problem: "line \(line): \(problem)", source: .dotEnv(path: path, line: line))
    }
}
