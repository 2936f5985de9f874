import Foundation
import Synchronization

@testable import Ingest

/// The RabbitMQ brokers the integration tests use, all on loopback and started by
/// `scripts/broker.sh`.
///
/// The shared broker is the one named by `CANDYSTORE_TEST_RABBIT_URL` (which `make test` exports
/// after starting it); when that is unset, the tests start it themselves on port 5672, or reuse
/// whatever answers there. Tests that restart a broker start a private node on ports of their own.
enum TestBroker {
    /// Where `broker.sh` lives, found from this file's path.
    static let script: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("scripts/broker.sh").path
    }()

    private static let shared: Result<AMQPURL, BrokerError> = {
        if let text = ProcessInfo.processInfo.environment["CANDYSTORE_TEST_RABBIT_URL"], !text.isEmpty {
            return Result { () throws(AMQPError) -> AMQPURL in try AMQPURL(parsing: text) }
                .mapError { BrokerError(message: "CANDYSTORE_TEST_RABBIT_URL is not a usable URL: \($0)") }
        }
        return Result { try start(port: 5672, name: "candystore-5672") }.mapError {
            $0 as? BrokerError ?? BrokerError(message: "\($0)")
        }
    }()

    /// The shared broker's URL, starting the broker if needed.
    static func sharedURL() throws -> AMQPURL {
        try shared.get()
    }

    /// Starts (or reuses) a node and returns its URL.
    static func start(port: Int, name: String) throws -> AMQPURL {
        let output = try run(["start", String(port), name])
        guard let line = output.split(separator: "\n").last, let url = try? AMQPURL(parsing: String(line)) else {
            throw BrokerError(message: "broker.sh start printed no URL: \(output)")
        }
        return url
    }

    /// Stops a node the tests started.
    static func stop(port: Int, name: String) throws {
        _ = try run(["stop", String(port), name])
    }

    /// Stops a node and deletes its data.
    static func clean(port: Int, name: String) throws {
        _ = try run(["clean", String(port), name])
    }

    /// A port in 15000..<25000 that nothing answers on (the script derives the distribution port
    /// by adding 20000).
    static func freePort() -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 15_000..<25_000)
            if !answers(port: port) && !answers(port: port + 20_000) { return port }
        }
        return 24_999
    }

    /// A name no other test uses, for exchanges, queues and nodes.
    static func uniqueName(_ purpose: String) -> String {
        "candystore-test-\(purpose)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    private static func answers(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }

    /// Runs the script under `timeout`, its output going to temporary files, and returns its
    /// standard output.
    ///
    /// Uses `posix_spawn` and `waitpid` rather than Foundation's `Process`, whose `waitUntilExit`
    /// can miss the exit of a child on Linux and wait forever.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let outputPath = NSTemporaryDirectory() + "candystore-broker-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let errorPath = outputPath + ".err"
        defer {
            unlink(outputPath)
            unlink(errorPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let argv = ["/usr/bin/timeout", "120", script] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else {
            throw BrokerError(message: "cannot run \(script): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}

        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exitCode = (status >> 8) & 0xFF
        guard status & 0x7F == 0, exitCode == 0 else {
            let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            throw BrokerError(
                message: "broker.sh \(arguments.joined(separator: " ")) failed (status \(status)): \(errors)")
        }
        return output
    }
}

/// A broker could not be started or stopped.
struct BrokerError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
