import Foundation
import Ingest
import SegmentStore

/// The normaliser alone, without a broker: every body shape of Bloodbank in the proportions a
/// busy bus carries them, normalised over and over on this thread, in CPU nanoseconds a message.
enum NormalizeBenchmark {
    /// One kind of body and its share of the mix.
    struct Sample {
        var name: String
        var bodies: [[UInt8]]
        /// How many of every 100 messages have this shape.
        var share: Int
    }

    /// Bodies of every shape, `count` distinct ones of each.
    static func samples(count: Int) -> [Sample] {
        let filler = String(repeating: "lorem ipsum dolor sit amet ", count: 16)
        func uuid(_ number: Int, _ salt: Int) -> String {
            String(format: "%08x-2b1c-4c1e-9a51-%012x", number &* 2_654_435_761 & 0xFFFF_FFFF, number ^ salt)
        }
        func bodies(_ make: (Int) -> String) -> [[UInt8]] { (0..<count).map { Array(make($0).utf8) } }
        return [
            Sample(
                name: "EventEnvelope, compact (838 B)",
                bodies: (0..<count).map { eventBody("bench-normalise", $0) }, share: 55),
            Sample(
                name: "EventEnvelope, pretty-printed",
                bodies: bodies { number in
                    """
                    {
                      "event_id": "\(uuid(number, 1))",
                      "event_type": "agent.cack.message.received",
                      "timestamp": "2026-01-27T10:30:00.123Z",
                      "version": "1.0.0",
                      "source": {"host": "studio-mac", "type": "agent", "app": "cack", "meta": {"pid": \(number)}},
                      "correlation_ids": [],
                      "correlation_id": "\(uuid(number, 2))",
                      "agent_context": {"type": "claude-code", "name": "tonny", "session_id": "s-\(number % 40)"},
                      "payload": {
                        "message": "caf\\u00e9 \\"quoted\\" \(number)",
                        "tokens": [1, 2, 3, 4.5e3, -7],
                        "ok": true
                      }
                    }
                    """
                },
                share: 15),
            Sample(
                name: "legacy",
                bodies: bodies { number in
                    #"{"id":"\#(uuid(number, 3))","ts":"2025-10-02T08:00:00Z","event_type":"llm.prompt","#
                        + #""source":"cli/claude","target":"tonny","correlation_id":"\#(uuid(number, 4))","#
                        + #""session_id":"session-\#(number % 30)","data":{"prompt":"\#(filler.prefix(120))"}}"#
                },
                share: 10),
            Sample(
                name: "CloudEvents",
                bodies: bodies { number in
                    #"{"specversion":"1.0","id":"\#(uuid(number, 5))","type":"bloodbank.v1.agent.session.started","#
                        + #""source":"urn:33god:agent:claude-code","#
                        + #""subject":"bloodbank.evt.v1.agent.session.started","time":"2026-08-04T05:32:12.345Z","#
                        + #""datacontenttype":"application/json","correlationid":"\#(uuid(number, 6))","#
                        + #""causationid":null,"producer":"claude-code","service":"agent-hooks","domain":"agent","#
                        + #""kind":"event","actor":{"type":"agent_cli","agent_id":"bloodbank.agent.claude"},"#
                        + #""ordering_key":"session:abc","data":{"n":\#(number),"cwd":"/home/tonny/code"}}"#
                },
                share: 15),
            Sample(
                name: "other JSON, no id",
                bodies: bodies { number in
                    #"{"kind":"bridge.metric","source":"bridge","time":"2026-01-01T00:00:00-05:30","#
                        + #""values":[\#(number),\#(number * 3),{"unit":"ms"}]}"#
                },
                share: 4),
            Sample(
                name: "not JSON",
                bodies: bodies { number in "plain text message \(number), not JSON at all" },
                share: 1),
        ]
    }

    /// Normalises every sample `rounds` times and prints CPU nanoseconds a message, per shape and
    /// for the weighted mix.
    static func run(rounds: Int) {
        let samples = samples(count: 2_000)
        let normalizer = EnvelopeNormalizer()
        let properties = AMQPMessageProperties.persistentJSON()
        let propertiesJSON = properties.jsonBytes
        let received = EventTimestamp.now()
        var mixNanoseconds = 0.0
        print("normalise, CPU per message (\(rounds) rounds of \(samples[0].bodies.count) bodies per shape)")
        for sample in samples {
            let messages = sample.bodies.map { body in
                IncomingMessage(
                    body: body, routingKey: "bench.event", exchange: "bloodbank.events.v1", properties: properties,
                    propertiesJSON: propertiesJSON, receivedAt: received)
            }
            var events = 0
            var payloadBytes = 0
            let cpuStart = threadCPUSeconds()
            for _ in 0..<rounds {
                for message in messages {
                    switch normalizer.normalize(message) {
                    case .event(let event, _):
                        events += 1
                        payloadBytes &+= event.payload.count
                    case .rejected(let rejected):
                        payloadBytes &+= rejected.detail.utf8.count
                    }
                }
            }
            let nanoseconds = (threadCPUSeconds() - cpuStart) * 1e9 / Double(rounds * messages.count)
            mixNanoseconds += nanoseconds * Double(sample.share) / 100
            let average = messages.map(\.body.count).reduce(0, +) / messages.count
            print(
                "  " + padded(sample.name)
                    + String(
                        format: " %5d B  %7.0f ns  (%d%% of the mix, %d events, checksum %d)", average, nanoseconds,
                        sample.share, events / rounds, payloadBytes % 1_000_003))
        }
        print("  " + padded("weighted mix") + String(format: "          %7.0f ns", mixNanoseconds))
    }

    private static func padded(_ text: String) -> String {
        text.padding(toLength: 32, withPad: " ", startingAt: 0)
    }
}
