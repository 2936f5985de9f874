import Foundation
import Synchronization

/// A structured logger: a fixed message plus metadata with dotted keys, written one line per entry
/// to standard error as JSON or as aligned console text.
///
/// Loggers are values handed down by the caller; a component never creates its own. Messages and
/// metadata are autoclosures, so a disabled level costs a comparison and nothing else.
public struct Logger: Sendable {
    /// Severity, from the most verbose to the most urgent.
    public enum Level: Int, Comparable, Sendable, CaseIterable {
        case debug = 0
        case info = 1
        case warning = 2
        case error = 3

        /// Parses `DEBUG`, `INFO`, `WARNING` (or `WARN`) and `ERROR`, in any case.
        public init?(name: String) {
            switch name.uppercased() {
            case "DEBUG": self = .debug
            case "INFO": self = .info
            case "WARNING", "WARN": self = .warning
            case "ERROR": self = .error
            default: return nil
            }
        }

        /// The upper-case name used in output and configuration.
        public var name: String {
            switch self {
            case .debug: "DEBUG"
            case .info: "INFO"
            case .warning: "WARNING"
            case .error: "ERROR"
            }
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// How entries are rendered.
    public enum Format: String, Sendable {
        /// One JSON object per line with `time`, `level`, `logger`, `message` and the metadata.
        case json
        /// Aligned, human-readable lines.
        case console
    }

    /// A metadata value.
    public enum Value: Sendable, CustomStringConvertible, ExpressibleByStringLiteral,
        ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral
    {
        case string(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)

        public init(stringLiteral value: String) { self = .string(value) }
        public init(integerLiteral value: Int64) { self = .int(value) }
        public init(floatLiteral value: Double) { self = .double(value) }
        public init(booleanLiteral value: Bool) { self = .bool(value) }

        /// The value as plain text.
        public var description: String {
            switch self {
            case .string(let text): text
            case .int(let number): String(number)
            case .double(let number): String(format: "%.3f", number)
            case .bool(let flag): flag ? "true" : "false"
            }
        }
    }

    /// Metadata: dotted keys (`segment.path`, `amqp.queue`) to values.
    public typealias Metadata = [String: Value]

    /// The component name shown on every line, for example `segment-store`.
    public let label: String
    /// The least severe level that is written.
    public let level: Level
    private let sink: LogSink

    /// Creates a logger writing to `sink` (standard error by default).
    public init(label: String, level: Level = .info, format: Format = .console, sink: LogSink? = nil) {
        self.label = label
        self.level = level
        self.sink = sink ?? LogSink.standardError(format: format)
    }

    /// A logger that writes nothing, for tests and library callers that pass none.
    public static let disabled = Logger(label: "disabled", level: .error, sink: LogSink.discarding)

    /// The same logger under another component label.
    public func labeled(_ label: String) -> Logger {
        Logger(label: label, level: level, sink: sink)
    }

    private init(label: String, level: Level, sink: LogSink) {
        self.label = label
        self.level = level
        self.sink = sink
    }

    /// Logs at `level` if it is enabled.
    public func log(
        _ entryLevel: Level, _ message: @autoclosure () -> String, _ metadata: @autoclosure () -> Metadata = [:]
    ) {
        guard entryLevel >= level, !sink.isDiscarding else { return }
        sink.write(level: entryLevel, label: label, message: message(), metadata: metadata())
    }

    /// Per-event detail, off in production.
    public func debug(_ message: @autoclosure () -> String, _ metadata: @autoclosure () -> Metadata = [:]) {
        log(.debug, message(), metadata())
    }

    /// Lifecycle: listening, connected, recovered, rebuilt.
    public func info(_ message: @autoclosure () -> String, _ metadata: @autoclosure () -> Metadata = [:]) {
        log(.info, message(), metadata())
    }

    /// Something an operator should look at.
    public func warning(_ message: @autoclosure () -> String, _ metadata: @autoclosure () -> Metadata = [:]) {
        log(.warning, message(), metadata())
    }

    /// Something an operator must act on.
    public func error(_ message: @autoclosure () -> String, _ metadata: @autoclosure () -> Metadata = [:]) {
        log(.error, message(), metadata())
    }
}

/// Where log lines go: a file descriptor guarded by a lock, so lines from different threads never
/// interleave.
public final class LogSink: Sendable {
    private let descriptor: Int32
    private let format: Logger.Format
    private let lock = Mutex(())
    let isDiscarding: Bool

    /// A sink that writes to standard error.
    public static func standardError(format: Logger.Format) -> LogSink {
        LogSink(descriptor: 2, format: format, isDiscarding: false)
    }

    /// A sink that writes to an already open file descriptor (which it does not close).
    public static func descriptor(_ descriptor: Int32, format: Logger.Format) -> LogSink {
        LogSink(descriptor: descriptor, format: format, isDiscarding: false)
    }

    static let discarding = LogSink(descriptor: -1, format: .console, isDiscarding: true)

    private init(descriptor: Int32, format: Logger.Format, isDiscarding: Bool) {
        self.descriptor = descriptor
        self.format = format
        self.isDiscarding = isDiscarding
    }

    func write(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) {
        let time = LogSink.timestamp()
        var line: String
        let keys = metadata.keys.sorted()
        switch format {
        case .json:
            line = "{\"time\":\"\(time)\",\"level\":\"\(level.name)\",\"logger\":"
            line += JSONText.quoted(label) + ",\"message\":" + JSONText.quoted(message)
            for key in keys {
                line += "," + JSONText.quoted(key) + ":"
                switch metadata[key]! {
                case .string(let text): line += JSONText.quoted(text)
                case .int(let number): line += String(number)
                case .double(let number): line += number.isFinite ? String(number) : "null"
                case .bool(let flag): line += flag ? "true" : "false"
                }
            }
            line += "}\n"
        case .console:
            let levelColumn = level.name.padding(toLength: 7, withPad: " ", startingAt: 0)
            let labelColumn = label.padding(toLength: max(14, label.count), withPad: " ", startingAt: 0)
            line = "\(time) \(levelColumn) \(labelColumn) \(message)"
            for key in keys {
                line += " \(key)=\(metadata[key]!)"
            }
            line += "\n"
        }
        lock.withLock { _ in
            var bytes = Array(line.utf8)
            var written = 0
            while written < bytes.count {
                let result = bytes.withUnsafeMutableBytes { buffer in
                    Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                }
                if result < 0 && errno == EINTR { continue }
                if result <= 0 { break }
                written += result
            }
            bytes.removeAll()
        }
    }

    private static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, Int(spec.tv_nsec / 1_000_000))
    }
}
