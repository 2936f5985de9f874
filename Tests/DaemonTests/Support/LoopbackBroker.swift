import Foundation
import Ingest

/// The RabbitMQ nodes the end-to-end tests talk to, all on 127.0.0.1 and all run by
/// `scripts/broker.sh`.
///
/// Most tests share one node: the one `CANDYSTORE_TEST_RABBIT_URL` names (`make test` starts it
/// and exports the URL), or, when that is unset, a node the first test starts on 5672 (reusing
/// whatever already answers there). A test that stops or restarts its broker gets a private node
/// of its own on a free port from 5690 up.
enum LoopbackBroker {
    /// `scripts/broker.sh`, found from this file's place in the repository.
    static let script: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("scripts/broker.sh").path
    }()

    private static let sharedNode: Result<String, ChildProcessError> = {
        if let url = ProcessInfo.processInfo.environment["CANDYSTORE_TEST_RABBIT_URL"], !url.isEmpty {
            return .success(url)
        }
        return Result { try script("start", port: 5672, name: "candystore-5672") }
            .mapError { $0 as? ChildProcessError ?? ChildProcessError("\($0)") }
    }()

    /// The shared node's URL (`amqp://guest:guest@127.0.0.1:port/`), starting the node if needed.
    static func sharedURL() throws -> String {
        try sharedNode.get()
    }

    /// A private node, stopped and deleted by `remove()`.
    struct PrivateNode {
        let port: Int
        let name: String
        let url: String

        /// Stops the node, keeping its data (durable queues and persistent messages survive).
        func stop() throws {
            _ = try LoopbackBroker.script("stop", port: port, name: name)
        }

        /// Starts the node again on the same port with the same data.
        func start() throws {
            _ = try LoopbackBroker.script("start", port: port, name: name)
        }

        /// Stops the node and deletes its data and logs.
        func remove() {
            _ = try? LoopbackBroker.script("clean", port: port, name: name)
        }
    }

    /// Starts a private node on a port from 5690 up that nothing answers on.
    static func startPrivateNode(_ purpose: String) throws -> PrivateNode {
        let port = (5690..<5790).shuffled().first { !isListening(UInt16($0)) && !isListening(UInt16($0 + 20_000)) }
        guard let port else { throw ChildProcessError("no free broker port in 5690-5789") }
        let name = uniqueName("node-\(purpose)")
        let url = try script("start", port: port, name: name)
        return PrivateNode(port: port, name: name, url: url)
    }

    /// A name no other test or run uses, for exchanges, queues and nodes.
    static func uniqueName(_ purpose: String) -> String {
        "candystore-e2e-\(purpose)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Runs `broker.sh command port name` and returns the last line it printed on standard
    /// output (the URL, for `start`).
    @discardableResult
    static func script(_ command: String, port: Int, name: String) throws -> String {
        let (status, output) = try ChildProcess.run(
            "/usr/bin/timeout", ["150", script, command, String(port), name], within: .seconds(160))
        guard status == .exited(0) else {
            throw ChildProcessError("broker.sh \(command) \(port) \(name) failed (\(status)): \(output)")
        }
        let url = output.split(separator: "\n").last { $0.hasPrefix("amqp://") }
        return url.map(String.init) ?? ""
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func isListening(_ port: UInt16) -> Bool {
        (try? LoopbackHTTP.probe(port: port)) ?? false
    }

    /// Ready messages in `queue`.
    static func readyMessages(url: String, queue: String) throws -> UInt32 {
        let connection = try AMQPConnection.connect(to: AMQPURL(parsing: url))
        defer { connection.close() }
        return try connection.inspectQueue(queue).messageCount
    }

    /// Deletes a test's queue and exchange; failures are ignored (the node may be gone).
    static func removeTopology(url: String, exchange: String, queue: String) {
        guard let parsed = try? AMQPURL(parsing: url), let connection = try? AMQPConnection.connect(to: parsed) else {
            return
        }
        try? connection.deleteQueue(queue)
        try? connection.deleteExchange(exchange)
        connection.close()
    }
}
