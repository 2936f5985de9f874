import Foundation
import Ingest
import Observability

/// A value set on the command line for one setting.
public struct SettingOverride: Sendable, Hashable {
    /// The setting it sets.
    public var key: SettingKey
    /// The flag it came from, for messages, for example `--port`.
    public var flag: String
    /// The value as given.
    public var value: String

    /// Creates an override.
    public init(key: SettingKey, flag: String, value: String) {
        self.key = key
        self.flag = flag
        self.value = value
    }
}

extension Configuration {
    /// Resolves every setting from its layers and validates it.
    ///
    /// Names are matched exactly first, then without regard to case. An empty value counts as
    /// unset, so the next layer down applies.
    ///
    /// - Parameters:
    ///   - overrides: Values from command-line flags, the highest layer.
    ///   - environment: The process environment.
    ///   - dotEnvPath: The `.env` file to read if it exists; `nil` reads none.
    /// - Throws: `ConfigurationError` for the first setting (in ``SettingKey`` order) whose value
    ///   cannot be used, or for a malformed `.env` file.
    public static func load(
        overrides: [SettingOverride] = [], environment: [String: String] = ProcessInfo.processInfo.environment,
        dotEnvPath: String? = ".env"
    ) throws(ConfigurationError) -> Configuration {
        let dotEnv = try dotEnvPath.flatMap { path throws(ConfigurationError) in try DotEnvFile.load(path: path) }
        let fileValues = dotEnv?.values ?? [:]
        var resolver = SettingResolver(
            overrides: overrides, environment: environment, dotEnvPath: dotEnv?.path ?? "", dotEnv: fileValues)
        var configuration = try resolver.resolveAll()
        configuration.warnings = warnings(dotEnv, environment, dataDirectory: configuration.dataDirectory)
        return configuration
    }

    private static func warnings(
        _ dotEnv: DotEnvFile?, _ environment: [String: String], dataDirectory: String
    ) -> [String] {
        var warnings: [String] = []
        let retired = SettingKey.retiredDatabaseURL
        let databaseURL = SettingResolver.lookUp(retired, in: environment) ?? dotEnv?.values[retired]?.value
        if let databaseURL, !databaseURL.isEmpty {
            warnings.append(
                "DATABASE_URL is set but no longer used: events are kept in the segment store under DATA_DIR "
                    + "(\(dataDirectory)); remove DATABASE_URL to silence this message")
        }
        let known = Set(SettingKey.allCases.map(\.rawValue)).union([retired])
        if let dotEnv {
            for entry in dotEnv.entries where !known.contains(entry.key.uppercased()) {
                warnings.append("\(dotEnv.path) line \(entry.line): unknown setting \(entry.key) is ignored")
            }
        }
        return warnings
    }
}

/// Picks each setting's value from the highest layer that sets it, and validates it.
private struct SettingResolver {
    let overrides: [SettingOverride]
    let environment: [String: String]
    let dotEnvPath: String
    let dotEnv: [String: (value: String, line: Int)]
    var sources: [SettingKey: SettingSource] = [:]

    init(
        overrides: [SettingOverride], environment: [String: String], dotEnvPath: String,
        dotEnv: [String: (value: String, line: Int)]
    ) {
        self.overrides = overrides
        self.environment = environment
        self.dotEnvPath = dotEnvPath
        self.dotEnv = dotEnv
    }

    /// The value of `name` in `layer`: the exact name first, then any spelling that differs only in case.
    static func lookUp(_ name: String, in layer: [String: String]) -> String? {
        if let exact = layer[name], !exact.isEmpty { return exact }
        return layer.first { $0.key.uppercased() == name && !$0.value.isEmpty }?.value
    }

    mutating func resolveAll() throws(ConfigurationError) -> Configuration {
        let rabbitText = raw(.rabbitURL)
        let rabbitURL: AMQPURL
        do {
            rabbitURL = try AMQPURL(parsing: rabbitText)
        } catch {
            throw problem(.rabbitURL, error.message)
        }
        let apiHost = try hostName(.apiHost)
        let apiPort = try port(.apiPort)
        let levelText = raw(.logLevel)
        guard let logLevel = Logger.Level(name: levelText.trimmingCharacters(in: .whitespaces)) else {
            throw problem(.logLevel, "'\(levelText)' is not a log level; use DEBUG, INFO, WARNING or ERROR")
        }
        let formatText = raw(.logFormat)
        guard let logFormat = Logger.Format(rawValue: formatText.trimmingCharacters(in: .whitespaces).lowercased())
        else {
            throw problem(.logFormat, "'\(formatText)' is not a log format; use json or console")
        }
        let enabledText = raw(.metricsEnabled)
        guard let metricsEnabled = SettingParsers.boolean(enabledText) else {
            throw problem(.metricsEnabled, "'\(enabledText)' is not a boolean; use true or false")
        }
        let metricsPort = try port(.metricsPort)
        if metricsEnabled, metricsPort != 0, metricsPort == apiPort {
            throw problem(.metricsPort, "\(metricsPort) is also API_PORT; give the metrics endpoint its own port")
        }
        let prefetchCount = try integer(.prefetchCount, in: Configuration.prefetchRange)
        let batchSize = try integer(.batchSize, in: Configuration.batchSizeRange)
        let dataDirectory = raw(.dataDirectory)
        if dataDirectory.utf8.contains(0) {
            throw problem(.dataDirectory, "the path contains a NUL byte")
        }
        let exchangeName = try brokerName(.exchangeName)
        let queueName = try brokerName(.queueName)
        if queueName.hasPrefix("amq.") {
            throw problem(.queueName, "'\(queueName)' starts with amq., which RabbitMQ reserves; choose another name")
        }
        let maxEventBytes = try byteCount(.maxEventBytes, in: Configuration.maxEventBytesRange, shown: "1KiB-128MiB")
        let corsOrigins = try origins(.corsOrigins)
        let segmentBytes = try byteCount(.segmentBytes, in: Configuration.segmentBytesRange, shown: "1MiB-4GiB")

        return Configuration(
            rabbitURL: rabbitURL, apiHost: apiHost, apiPort: apiPort, logLevel: logLevel, logFormat: logFormat,
            metricsEnabled: metricsEnabled, metricsPort: metricsPort, prefetchCount: prefetchCount,
            batchSize: batchSize, dataDirectory: dataDirectory, exchangeName: exchangeName, queueName: queueName,
            maxEventBytes: maxEventBytes, corsOrigins: corsOrigins, segmentBytes: segmentBytes, sources: sources,
            warnings: [])
    }

    /// The raw text of `key` from the highest layer that sets it, remembering which layer that was.
    private mutating func raw(_ key: SettingKey) -> String {
        if let override = overrides.last(where: { $0.key == key && !$0.value.isEmpty }) {
            sources[key] = .commandLine(flag: override.flag)
            return override.value
        }
        if let value = Self.lookUp(key.rawValue, in: environment) {
            sources[key] = .environment
            return value
        }
        let fromFile = dotEnv[key.rawValue] ?? dotEnv.first { $0.key.uppercased() == key.rawValue }?.value
        if let fromFile, !fromFile.value.isEmpty {
            sources[key] = .dotEnv(path: dotEnvPath, line: fromFile.line)
            return fromFile.value
        }
        sources[key] = .defaultValue
        return key.defaultValue
    }

    private func problem(_ key: SettingKey, _ text: String) -> ConfigurationError {
        ConfigurationError(setting: key.rawValue, problem: text, source: sources[key] ?? .defaultValue)
    }

    private mutating func port(_ key: SettingKey) throws(ConfigurationError) -> UInt16 {
        let text = raw(key)
        guard let value = SettingParsers.integer(text, in: 0...65_535) else {
            throw problem(key, "'\(text)' is not a port number (0-65535)")
        }
        return UInt16(value)
    }

    private mutating func integer(_ key: SettingKey, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let text = raw(key)
        guard let value = SettingParsers.integer(text, in: range) else {
            throw problem(key, "'\(text)' is not a whole number in \(range.lowerBound)-\(range.upperBound)")
        }
        return value
    }

    private mutating func byteCount(
        _ key: SettingKey, in range: ClosedRange<Int>, shown: String
    ) throws(ConfigurationError) -> Int {
        let text = raw(key)
        guard let value = SettingParsers.byteCount(text, in: range) else {
            throw problem(key, "'\(text)' is not a size in \(shown) (bytes, or with a K, M or G suffix)")
        }
        return value
    }

    private mutating func hostName(_ key: SettingKey) throws(ConfigurationError) -> String {
        let text = raw(key).trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, !text.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw problem(key, "'\(text)' is not a host name or address")
        }
        return text
    }

    private mutating func brokerName(_ key: SettingKey) throws(ConfigurationError) -> String {
        let text = raw(key)
        guard let name = SettingParsers.brokerName(text) else {
            throw problem(key, "'\(text)' is not a broker name (1-255 bytes, no control characters)")
        }
        return name
    }

    private mutating func origins(_ key: SettingKey) throws(ConfigurationError) -> [String] {
        let text = raw(key)
        let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for entry in entries where entry != "*" && entry != "null" {
            guard entry.contains("://"), !entry.contains(where: \.isWhitespace) else {
                throw problem(key, "'\(entry)' is not an origin; use * or a list such as http://localhost:3000")
            }
        }
        guard !entries.isEmpty else { throw problem(key, "no origins given; use * to allow any") }
        return entries.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }
}
