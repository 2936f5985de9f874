import Daemon
import Foundation
import Ingest
import Observability
import Testing

@Suite struct ConfigurationTests {
    /// Loads with no `.env` unless `dotEnv` text is given (written to a temporary file).
    private func load(
        _ environment: [String: String] = [:], dotEnv: String? = nil, flags: [SettingOverride] = []
    ) throws -> Configuration {
        guard let dotEnv else {
            return try Configuration.load(overrides: flags, environment: environment, dotEnvPath: nil)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(".env").path
        try Data(dotEnv.utf8).write(to: URL(fileURLWithPath: path))
        return try Configuration.load(overrides: flags, environment: environment, dotEnvPath: path)
    }

    @Test func defaultsMatchTheReplacedService() throws {
        let configuration = try load()
        #expect(configuration.rabbitURL == (try AMQPURL(parsing: "amqp://guest:guest@localhost:5672/")))
        #expect(configuration.apiHost == "0.0.0.0")
        #expect(configuration.apiPort == 8683)
        #expect(configuration.logLevel == .info)
        #expect(configuration.logFormat == .json)
        #expect(configuration.metricsEnabled)
        #expect(configuration.metricsPort == 9090)
        #expect(configuration.prefetchCount == 100)
        #expect(configuration.batchSize == 50)
        #expect(configuration.dataDirectory == "./candystore-data")
        #expect(configuration.exchangeName == "bloodbank.events.v1")
        #expect(configuration.queueName == "candystore.storage")
        #expect(configuration.maxEventBytes == 1 << 20)
        #expect(configuration.corsOrigins == ["*"])
        #expect(configuration.segmentBytes == 256 << 20)
        #expect(configuration.warnings.isEmpty)
        #expect(configuration.sources.values.allSatisfy { $0 == .defaultValue })
        #expect(configuration.sources.count == SettingKey.allCases.count)
    }

    @Test func eachLayerOverridesTheOneBelow() throws {
        let dotEnv = "API_PORT=1001\nMETRICS_PORT=2001\nBATCH_SIZE=11\n"
        let environment = ["METRICS_PORT": "2002", "BATCH_SIZE": "12"]
        let flags = [SettingOverride(key: .batchSize, flag: "--batch", value: "13")]
        let configuration = try load(environment, dotEnv: dotEnv, flags: flags)
        #expect(configuration.apiPort == 1001)
        #expect(configuration.metricsPort == 2002)
        #expect(configuration.batchSize == 13)
        #expect(configuration.prefetchCount == 100)
        #expect(configuration.sources[.apiPort] == .dotEnv(path: configuration.dotEnvPathForTest, line: 1))
        #expect(configuration.sources[.metricsPort] == .environment)
        #expect(configuration.sources[.batchSize] == .commandLine(flag: "--batch"))
        #expect(configuration.sources[.prefetchCount] == .defaultValue)
    }

    @Test func namesMatchWithoutRegardToCaseButExactWins() throws {
        #expect(try load(["api_port": "7000"]).apiPort == 7000)
        #expect(try load(["api_port": "7000", "API_PORT": "7001"]).apiPort == 7001)
        #expect(try load(dotEnv: "log_level=debug").logLevel == .debug)
    }

    @Test func emptyValuesCountAsUnset() throws {
        let configuration = try load(["API_PORT": ""], dotEnv: "API_PORT=1234\nDATA_DIR=\n")
        #expect(configuration.apiPort == 1234)
        #expect(configuration.dataDirectory == "./candystore-data")
    }

    @Test func quotedDotEnvValuesAreUnquoted() throws {
        let configuration = try load(dotEnv: "DATA_DIR=\"/srv/candy store\"\nCORS_ORIGINS='http://a:1, https://b'\n")
        #expect(configuration.dataDirectory == "/srv/candy store")
        #expect(configuration.corsOrigins == ["http://a:1", "https://b"])
    }

    @Test func aSetDatabaseURLGetsAClearWarning() throws {
        for configuration in [
            try load(["DATABASE_URL": "sqlite+aiosqlite:///./candystore.db"]),
            try load(dotEnv: "DATABASE_URL=postgresql+asyncpg://u:p@db/candystore\n"),
        ] {
            #expect(configuration.warnings.count == 1)
            #expect(configuration.warnings.first?.contains("DATABASE_URL") == true)
            #expect(configuration.warnings.first?.contains("DATA_DIR") == true)
        }
    }

    @Test func unknownDotEnvKeysAreWarnedAbout() throws {
        let configuration = try load(dotEnv: "API_PROT=1\n")
        #expect(configuration.warnings.count == 1)
        #expect(configuration.warnings.first?.contains("API_PROT") == true)
    }

    @Test(arguments: [
        ("amqp://guest:guest@localhost:5672/", "localhost", 5672, "/"),
        ("amqp://bob:s3cret@10.0.0.2:5673/bloodbank", "10.0.0.2", 5673, "bloodbank"),
        ("amqp://h/%2F", "h", 5672, "/"),
        ("amqp://h", "h", 5672, "/"),
    ])
    func brokerURLsParse(text: String, host: String, port: Int, vhost: String) throws {
        let url = try load(["RABBIT_URL": text]).rabbitURL
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.virtualHost == vhost)
        #expect(!url.description.contains("s3cret"))
    }

    @Test func tlsBrokerURLsAreRefusedWithAReason() {
        #expect {
            _ = try load(["RABBIT_URL": "amqps://u:p@broker.example/"])
        } throws: { error in
            "\(error)".contains("RABBIT_URL") && "\(error)".contains("amqps")
        }
    }

    @Test(arguments: [
        ("1M", 1 << 20), ("64m", 64 << 20), ("2GiB", 2 << 30), ("1g", 1 << 30), ("3MB", 3 << 20),
        ("268435456", 256 << 20), (" 4G ", 4 << 30),
    ])
    func segmentSizesAcceptBinarySuffixes(text: String, bytes: Int) throws {
        #expect(try load(["SEGMENT_BYTES": text]).segmentBytes == bytes)
    }

    @Test(arguments: [("64K", 64 << 10), ("2048", 2_048), ("128MiB", 128 << 20), ("1kb", 1_024)])
    func eventSizesAcceptBinarySuffixes(text: String, bytes: Int) throws {
        #expect(try load(["MAX_EVENT_BYTES": text]).maxEventBytes == bytes)
    }

    @Test(arguments: ["TRUE", "1", "yes", "On"])
    func truthyBooleans(text: String) throws {
        #expect(try load(["METRICS_ENABLED": text]).metricsEnabled)
    }

    @Test(arguments: ["false", "0", "NO", "off"])
    func falsyBooleans(text: String) throws {
        #expect(try !load(["METRICS_ENABLED": text]).metricsEnabled)
    }

    @Test func theMetricsPortMayEqualTheAPIPortOnlyWhenMetricsAreOff() throws {
        #expect(try load(["METRICS_ENABLED": "false", "METRICS_PORT": "8683"]).metricsPort == 8683)
        #expect(throws: ConfigurationError.self) { try load(["METRICS_PORT": "8683"]) }
    }

    @Test(arguments: [
        ("RABBIT_URL", "http://localhost:5672/", "unknown scheme 'http'"),
        ("RABBIT_URL", "amqp://h:99999/", "not between 1 and 65535"),
        ("API_HOST", "two words", "is not a host name"),
        ("API_PORT", "http", "is not a port number (0-65535)"),
        ("API_PORT", "65536", "is not a port number"),
        ("API_PORT", "-1", "is not a port number"),
        ("LOG_LEVEL", "VERBOSE", "is not a log level; use DEBUG, INFO, WARNING or ERROR"),
        ("LOG_FORMAT", "xml", "is not a log format; use json or console"),
        ("METRICS_ENABLED", "maybe", "is not a boolean"),
        ("METRICS_PORT", "9o90", "is not a port number"),
        ("PREFETCH_COUNT", "0", "is not a whole number in 1-65535"),
        ("PREFETCH_COUNT", "70000", "is not a whole number in 1-65535"),
        ("BATCH_SIZE", "ten", "is not a whole number in 1-100000"),
        ("EXCHANGE_NAME", String(repeating: "x", count: 256), "is not a broker name"),
        ("QUEUE_NAME", "amq.mine", "starts with amq."),
        ("QUEUE_NAME", "tab\there", "is not a broker name"),
        ("MAX_EVENT_BYTES", "100", "is not a size in 1KiB-128MiB"),
        ("MAX_EVENT_BYTES", "1T", "is not a size"),
        ("CORS_ORIGINS", "localhost:3000", "is not an origin"),
        ("CORS_ORIGINS", " , ", "no origins given"),
        ("SEGMENT_BYTES", "8G", "is not a size in 1MiB-4GiB"),
        ("SEGMENT_BYTES", "99999999999999999999G", "is not a size"),
    ])
    func invalidValuesStopStartUpNamingTheSetting(key: String, value: String, problem: String) {
        #expect {
            _ = try load([key: value])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            let line = "\(error)"
            return error.setting == key && error.problem.contains(problem) && error.source == .environment
                && line.hasPrefix("\(key): ") && line.hasSuffix("(from environment)") && !line.contains("\n")
        }
    }

    @Test func errorsNameTheFlagOrFileLineTheValueCameFrom() throws {
        #expect {
            _ = try load(flags: [SettingOverride(key: .apiPort, flag: "--port", value: "eighty")])
        } throws: { error in
            "\(error)" == "API_PORT: 'eighty' is not a port number (0-65535) (from flag --port)"
        }
        #expect {
            _ = try load(dotEnv: "# settings\nLOG_LEVEL=LOUD\n")
        } throws: { error in
            (error as? ConfigurationError)?.source.description.hasSuffix(".env line 2") == true
        }
    }

    @Test func brokerPasswordsNeverAppearInErrors() {
        #expect {
            _ = try load(["RABBIT_URL": "amqp://user:hunter2@host:notaport/"])
        } throws: { error in
            !"\(error)".contains("hunter2") && "\(error)".contains("***")
        }
    }

    @Test func aMalformedDotEnvStopsStartUp() {
        #expect(throws: ConfigurationError.self) { try load(dotEnv: "API_PORT\n") }
    }
}

extension Configuration {
    /// The `.env` path recorded for a setting loaded from a temporary file.
    var dotEnvPathForTest: String {
        if case .dotEnv(let path, _) = sources[.apiPort] { return path }
        return ""
    }
}
