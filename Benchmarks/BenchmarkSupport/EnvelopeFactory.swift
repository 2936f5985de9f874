import Foundation
import SegmentStore

/// Synthetic events shaped like Bloodbank traffic: EventEnvelope bodies of 0.3-2 KiB, about 50
/// event types, 30 sources, 10,000 sessions and UUID ids, in the mix `make` describes.
public enum EnvelopeFactory {
    static let eventTypes = (0..<50).map { "domain\($0 % 7).entity\($0 % 11).action\($0)" }
    static let sources = (0..<30).map { "app\($0)@host\($0 % 5)" }
    static let words = [
        "the", "agent", "session", "completed", "transcript", "voice", "file", "changed", "hook", "tool",
        "request", "response", "error", "retry", "commit", "build", "test", "passed", "failed", "queued",
        "heartbeat", "tick", "prompt", "tokens", "model", "context", "window", "user", "assistant", "summary",
    ]

    public static func pool(count: Int, seed: UInt64 = 7) -> [StoredEvent] {
        var generator = SplitMix(seed: seed)
        return (0..<count).map { make(number: $0, generator: &generator) }
    }

    static let mcpServers = "[\"filesystem\",\"github\",\"bloodbank\",\"memory\"]"
    static let codeStates = (0..<20).map {
        "{\"repo\":\"33god/service\($0)\",\"branch\":\"feature/work-\($0)\",\"dirty\":\($0 % 2 == 0)}"
    }

    static let tools = ["Read", "Edit", "Bash", "Grep", "Write", "WebFetch", "TodoWrite", "Glob"]
    static let commands = ["swift build", "swift test --filter Store", "git status", "make test", "ls -la Sources"]

    /// One envelope in the EventEnvelope shape. The mix, by share of events:
    ///
    /// - 30% heartbeats and ticks: small, nearly identical bodies (~350 bytes);
    /// - 40% agent hook events: a tool call with its input, file paths and the agent context
    ///   (~0.7-1.6 KiB);
    /// - 20% transcriptions: free text of 40-1,000 characters;
    /// - 10% session lifecycle events with code state.
    public static func make(number: Int, generator: inout SplitMix) -> StoredEvent {
        let id = uuid(&generator)
        let sourceIndex = Int(generator.next() % 30)
        let source = sources[sourceIndex]
        let session = "session-\(generator.next() % 10_000)"
        let correlation = generator.next() % 2 == 0 ? uuid(&generator) : nil
        let target = generator.next() % 4 == 0 ? "tonny" : nil
        let micros = 1_770_000_000_000_000 + Int64(number) * 1_000 + Int64(generator.next() % 1_000)
        let timestamp = EventTimestamp(microseconds: micros)
        let kind = generator.next() % 10
        let type: String
        let payload: String
        switch kind {
        case 0..<3:
            type = eventTypes[Int(generator.next() % 5)]
            payload = """
                {"tick":\(number),"interval_s":30,"uptime_s":\(generator.next() % 1_000_000),"status":"ok",\
                "load":[0.\(generator.next() % 100),0.\(generator.next() % 100)]}
                """
        case 3..<7:
            type = eventTypes[5 + Int(generator.next() % 25)]
            let tool = tools[Int(generator.next() % UInt64(tools.count))]
            let path = "Sources/Module\(generator.next() % 12)/File\(generator.next() % 80).swift"
            payload = """
                {"hook":"PostToolUse","tool_name":"\(tool)","tool_input":{"file_path":"/work/project/\(path)",\
                "command":"\(commands[Int(generator.next() % UInt64(commands.count))])",\
                "limit":\(generator.next() % 400)},\
                "tool_response":{"success":\(generator.next() % 5 != 0),"lines":\(generator.next() % 900),\
                "duration_ms":\(generator.next() % 9_000)},"cwd":"/work/project","permission_mode":"default",\
                "transcript_path":"/home/agent/.claude/projects/project/\(session).jsonl"}
                """
        case 7..<9:
            type = eventTypes[30 + Int(generator.next() % 10)]
            let textLength = 40 + Int(generator.next() % 960)
            var text = ""
            while text.utf8.count < textLength {
                text += words[Int(generator.next() % UInt64(words.count))]
                text += generator.next() % 6 == 0 ? " \(generator.next() % 100_000) " : " "
            }
            payload = "{\"text\":\"\(text)\",\"confidence\":0.\(generator.next() % 100),\"language\":\"en\"}"
        default:
            type = eventTypes[40 + Int(generator.next() % 10)]
            payload = """
                {"state":"\(["started", "resumed", "ended"][Int(generator.next() % 3)])","code_state":\
                \(codeStates[Int(generator.next() % 20)]),"model":"claude-opus","turns":\(generator.next() % 200)}
                """
        }
        let correlationList = correlation.map { "[\"\($0)\"]" } ?? "[]"
        let body = """
            {"event_id":"\(id)","event_type":"\(type)","timestamp":"\(timestamp.rfc3339)","version":"1.0.0",\
            "source":{"host":"host\(sourceIndex % 5)","type":"agent","app":"app\(sourceIndex)","meta":null},\
            "correlation_ids":\(correlationList),"agent_context":{"type":"claude-code","name":"tonny",\
            "instance_id":"\(session)","mcp_servers":\(mcpServers)},"payload":\(payload)}
            """
        return StoredEvent(
            id: id, eventType: type, source: source, target: target, sessionId: session, correlationId: correlation,
            timestamp: timestamp, receivedAt: .now(), payload: Array(payload.utf8),
            original: OriginalMessage(
                exchange: "bloodbank.events.v1", routingKey: type,
                properties: Array(properties(messageID: id).utf8), body: Array(body.utf8)))
    }

    /// The AMQP properties the main publisher sets, as the consumer renders them.
    static func properties(messageID: String) -> String {
        "{\"content_type\":\"application/json\",\"content_encoding\":\"utf-8\",\"delivery_mode\":2,"
            + "\"message_id\":\"\(messageID)\"}"
    }

    public static func uuid(_ generator: inout SplitMix) -> String {
        let high = generator.next()
        let low = generator.next()
        let hex = String(high, radix: 16).leftPadded(16) + String(low, radix: 16).leftPadded(16)
        let characters = Array(hex)
        return String(characters[0..<8]) + "-" + String(characters[8..<12]) + "-4" + String(characters[13..<16]) + "-"
            + String(characters[16..<20]) + "-" + String(characters[20..<32])
    }
}

/// SplitMix64: small, fast and deterministic.
public struct SplitMix: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
