import Daemon
import Foundation

/// The real `candystore serve` executable, run as a child process with a data directory, an
/// exchange and a queue of its own, the API and metrics on loopback ports the kernel picks.
///
/// The executable is the one built beside the test bundle. Its log (JSON lines on standard error)
/// goes to a file in the test's directory; the listening ports are read from it. `tearDown()`
/// kills whatever still runs, deletes the exchange and queue and removes the directory.
final class DaemonUnderTest {
    let root: String
    let dataDirectory: String
    let exchange: String
    let queue: String
    let brokerURL: String
    let logPath: String
    /// Settings added to (or replacing) the defaults of the test daemon, such as `CORS_ORIGINS`.
    var settings: [String: String]
    private(set) var process: ChildProcess?
    private(set) var apiPort: UInt16 = 0
    private(set) var metricsPort: UInt16 = 0

    /// Prepares a daemon; nothing runs until `start()`.
    ///
    /// - Parameters:
    ///   - purpose: A short word for names and directories.
    ///   - brokerURL: The broker; the shared test broker when `nil`.
    ///   - settings: Extra settings for the environment.
    init(_ purpose: String, brokerURL: String? = nil, settings: [String: String] = [:]) throws {
        self.brokerURL = try brokerURL ?? LoopbackBroker.sharedURL()
        root = NSTemporaryDirectory() + LoopbackBroker.uniqueName(purpose)
        dataDirectory = root + "/data"
        logPath = root + "/daemon.log"
        exchange = LoopbackBroker.uniqueName("\(purpose)-exchange")
        queue = LoopbackBroker.uniqueName("\(purpose)-queue")
        self.settings = settings
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// The path of a product built beside the test bundle (`candystore`, `segstore`).
    ///
    /// - Throws: When it is not there, with what to build.
    static func product(_ name: String) throws -> String {
        var directories: [URL] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            directories.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
        }
        directories.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        directories.append(Bundle.main.bundleURL)
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for directory in directories {
            let candidate = directory.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ChildProcessError(
            "the \(name) executable is not beside the test bundle (looked in "
                + directories.map(\.path).joined(separator: ", ")
                + "); build it with `swift build --product \(name)` using the same scratch path and configuration")
    }

    /// The environment the daemon runs with: the runner's, without any Candystore setting, plus
    /// this test's settings.
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in SettingKey.allCases { environment[key.rawValue] = nil }
        environment[SettingKey.retiredDatabaseURL] = nil
        let own: [SettingKey: String] = [
            .dataDirectory: dataDirectory, .apiHost: "127.0.0.1", .apiPort: "0", .metricsPort: "0",
            .rabbitURL: brokerURL, .exchangeName: exchange, .queueName: queue, .logFormat: "json",
            .logLevel: "INFO",
        ]
        for (key, value) in own { environment[key.rawValue] = value }
        for (key, value) in settings { environment[key] = value }
        return environment
    }

    /// Starts the daemon and waits until both servers listen.
    ///
    /// - Throws: When it cannot be started, exits, or does not listen within 60 s.
    func start() throws {
        precondition(process?.exitStatus != nil || process == nil, "the daemon is already running")
        let logStart = (try? FileManager.default.attributesOfItem(atPath: logPath)[.size] as? Int) ?? 0
        let child = try ChildProcess(
            executable: Self.product("candystore"), arguments: ["serve"], environment: environment,
            directory: root, output: logPath)
        process = child
        let found = eventually(within: .seconds(60)) {
            if child.exitStatus != nil { return true }
            let ports = listeningPorts(since: logStart)
            guard let api = ports["api"], let metrics = ports["metrics"] else { return false }
            apiPort = api
            metricsPort = metrics
            return true
        }
        if let status = child.exitStatus {
            throw ChildProcessError("candystore serve ended at start-up (\(status)):\n\(logTail())")
        }
        guard found else {
            throw ChildProcessError("candystore serve did not listen within 60 s:\n\(logTail())")
        }
    }

    /// Starts the daemon and waits until it consumes from the broker (its queue then exists
    /// and is bound, so nothing published from now on is lost).
    func startConsuming() throws {
        try start()
        try waitUntilConsuming()
    }

    /// Waits until `/health` reports the consumer connected.
    func waitUntilConsuming(within limit: Duration = .seconds(60)) throws {
        let connected = eventually(within: limit) {
            ((try? health())?["consumer_connected"] as? Bool) == true
        }
        guard connected else {
            throw ChildProcessError("the daemon did not connect to the broker within \(limit):\n\(logTail())")
        }
    }

    /// The ports of the `listening` lines logged since byte `offset` of the log, by server name.
    private func listeningPorts(since offset: Int) -> [String: UInt16] {
        guard let data = FileManager.default.contents(atPath: logPath), data.count > offset else { return [:] }
        var ports: [String: UInt16] = [:]
        for line in data[offset...].split(separator: UInt8(ascii: "\n")) {
            guard let entry = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                entry["message"] as? String == "listening", let server = entry["http.server"] as? String,
                let port = entry["http.port"] as? Int
            else { continue }
            ports[server] = UInt16(port)
        }
        return ports
    }

    /// Sends SIGTERM and waits for the daemon to end.
    ///
    /// - Returns: How it ended, or `nil` if it still ran after `limit` (it is then killed).
    @discardableResult
    func terminate(within limit: Duration = .seconds(60)) -> ChildProcess.ExitStatus? {
        guard let process else { return nil }
        process.send(SIGTERM)
        let status = process.waitForExit(within: limit)
        if status == nil { process.killAndReap() }
        return status
    }

    /// Kills the daemon with SIGKILL, as a crash or power cut would end it.
    func kill() {
        process?.killAndReap()
    }

    /// Kills whatever still runs, removes the exchange, queue and directory.
    func tearDown() {
        process?.killAndReap()
        LoopbackBroker.removeTopology(url: brokerURL, exchange: exchange, queue: queue)
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The last lines of the daemon's log, for failure messages.
    func logTail(_ lines: Int = 40) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "(no log)"
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Every log line since the start of the first run, parsed.
    func logEntries() -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap {
            try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]
        }
    }

    // MARK: HTTP

    /// A request to the query API.
    func api(_ target: String, method: String = "GET", headers: [(String, String)] = []) throws -> HTTPReply {
        try LoopbackHTTP.request(port: apiPort, target, method: method, headers: headers)
    }

    /// A `GET` that must answer 200 with a JSON object.
    func json(_ target: String) throws -> [String: Any] {
        let reply = try api(target)
        guard reply.status == 200 else { throw HTTPClientError("GET \(target): \(reply)") }
        return try reply.object()
    }

    /// The `/health` object (whatever the status code).
    func health() throws -> [String: Any] {
        try api("/health").object()
    }

    /// The `/metrics` text.
    func scrape() throws -> String {
        let reply = try LoopbackHTTP.request(port: metricsPort, "/metrics")
        guard reply.status == 200 else { throw HTTPClientError("GET /metrics: \(reply)") }
        return reply.text
    }

    /// `total` of `GET /events` with the given query (without the `?`).
    func total(_ query: String = "") throws -> Int {
        try json("/events?limit=1" + (query.isEmpty ? "" : "&" + query))["total"] as? Int ?? -1
    }

    /// The ids of every event matching `query`, walked page by page with cursors, newest first.
    func allIDs(_ query: String = "", pageSize: Int = 1_000) throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            var target = "/events?limit=\(pageSize)" + (query.isEmpty ? "" : "&" + query)
            if let cursor { target += "&cursor=" + cursor.queryEncoded }
            let page = try json(target)
            let events = page["events"] as? [[String: Any]] ?? []
            ids += events.compactMap { $0["id"] as? String }
            cursor = page["next_cursor"] as? String
            guard ids.count <= 10_000_000 else { throw HTTPClientError("the cursor walk does not end") }
        } while cursor != nil
        return ids
    }
}
