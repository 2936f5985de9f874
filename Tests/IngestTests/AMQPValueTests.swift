import Foundation
import Testing

@testable import Ingest

@Suite struct AMQPURLTests {
    @Test(
        "parses host, port, credentials and virtual host",
        arguments: [
            ("amqp://guest:guest@localhost:5672/", "localhost", 5672, "guest", "guest", "/"),
            ("amqp://guest:guest@localhost:5672", "localhost", 5672, "guest", "guest", "/"),
            ("amqp://localhost", "localhost", 5672, "guest", "guest", "/"),
            ("amqp://u:p@10.0.0.1:5673/prod", "10.0.0.1", 5673, "u", "p", "prod"),
            ("amqp://u:p%40ss@host/%2F", "host", 5672, "u", "p@ss", "/"),
            ("amqp://us%3Aer:pw@host:1/a%2Fb?heartbeat=10", "host", 1, "us:er", "pw", "a/b"),
            ("AMQP://[::1]:5680/v", "::1", 5680, "guest", "guest", "v"),
            ("amqp://only-user@host/", "host", 5672, "only-user", "guest", "/"),
        ])
    func parses(
        _ text: String, _ host: String, _ port: Int, _ user: String, _ password: String, _ vhost: String
    )
        throws
    {
        let url = try AMQPURL(parsing: text)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.user == user)
        #expect(url.password == password)
        #expect(url.virtualHost == vhost)
        #expect(!url.description.contains(":\(password)@"))
    }

    @Test(
        "rejects what it cannot use",
        arguments: [
            "http://host/", "amqps://host/", "host:5672", "amqp://host:0/", "amqp://host:99999/", "amqp://host:x/",
            "amqp://u:p%zz@host/", "amqp://[::1/",
        ])
    func rejects(_ text: String) {
        #expect(throws: AMQPError.self) { try AMQPURL(parsing: text) }
    }

    @Test("never shows the password")
    func redacts() throws {
        let url = try AMQPURL(parsing: "amqp://user:s3cret@host:5672/")
        #expect(!url.description.contains("s3cret"))
        #expect(AMQPURL.redacted("amqp://user:s3cret@host/") == "amqp://user:***@host/")
    }
}

@Suite struct AMQPPropertiesJSONTests {
    @Test("renders every property and nested headers such as x-death")
    func rendersEverything() throws {
        let properties = AMQPMessageProperties(
            contentType: "application/json", contentEncoding: "utf-8",
            headers: [
                AMQPHeader(
                    "x-death",
                    .array([
                        .table([
                            AMQPHeader("count", .int(2)), AMQPHeader("reason", .string("rejected")),
                            AMQPHeader("queue", .string("q")), AMQPHeader("time", .timestamp(1_769_509_800)),
                            AMQPHeader("routing-keys", .array([.string("a.b")])),
                        ])
                    ])),
                AMQPHeader("flag", .bool(true)), AMQPHeader("ratio", .double(0.5)),
                AMQPHeader("price", .decimal(scale: 2, value: 1999)), AMQPHeader("raw", .bytes([0, 1, 2])),
                AMQPHeader("nothing", .void), AMQPHeader("big", .unsigned(UInt64.max)),
            ],
            deliveryMode: 2, priority: 5, correlationId: "c", replyTo: "r", expiration: "60000", messageId: "m",
            timestamp: 1_769_509_800, type: "t", userId: "guest", appId: "app")

        let object = try #require(try JSONSerialization.jsonObject(with: Data(properties.jsonBytes)) as? [String: Any])
        #expect(object["content_type"] as? String == "application/json")
        #expect(object["content_encoding"] as? String == "utf-8")
        #expect(object["delivery_mode"] as? Int == 2)
        #expect(object["priority"] as? Int == 5)
        #expect(object["correlation_id"] as? String == "c")
        #expect(object["reply_to"] as? String == "r")
        #expect(object["expiration"] as? String == "60000")
        #expect(object["message_id"] as? String == "m")
        #expect(object["timestamp"] as? Int == 1_769_509_800)
        #expect(object["type"] as? String == "t")
        #expect(object["user_id"] as? String == "guest")
        #expect(object["app_id"] as? String == "app")
        let headers = try #require(object["headers"] as? [String: Any])
        let death = try #require((headers["x-death"] as? [[String: Any]])?.first)
        #expect(death["count"] as? Int == 2)
        #expect(death["routing-keys"] as? [String] == ["a.b"])
        #expect(death["time"] as? Int == 1_769_509_800)
        #expect(headers["flag"] as? Bool == true)
        #expect((headers["price"] as? NSNumber)?.doubleValue == 19.99)
        #expect((headers["raw"] as? [String: String])?["base64"] == "AAEC")
        #expect(headers["nothing"] is NSNull)
    }

    @Test("a message without properties renders as an empty object")
    func empty() {
        #expect(String(decoding: AMQPMessageProperties().jsonBytes, as: UTF8.self) == "{}")
    }

    @Test(
        "decimals keep their scale", arguments: [(0, 5, "5"), (2, 5, "0.05"), (2, 1999, "19.99"), (3, 1000, "1.000")])
    func decimals(_ scale: Int, _ value: Int, _ expected: String) {
        #expect(AMQPFieldValue.decimalText(scale: UInt8(scale), value: UInt32(value)) == expected)
    }
}

@Suite struct DeliveryTagWindowTests {
    @Test("the settled prefix matches a reference model", arguments: 0..<6)
    func matchesModel(_ seed: Int) {
        var generator = SplitMix(seed: UInt64(seed))
        var window = DeliveryTagWindow()
        var settled = Set<UInt64>()
        var highest: UInt64 = 0
        for _ in 0..<5_000 {
            let roll = generator.next() % 10
            if roll == 0 {
                let tag = highest + 1 + generator.next() % 4
                window.settle(through: tag)
                settled.formUnion(1...tag)
                highest = max(highest, tag)
            } else {
                let tag = 1 + generator.next() % (highest + 20)
                window.settle(tag)
                settled.insert(tag)
                highest = max(highest, tag)
            }
            var prefix: UInt64 = 0
            while settled.contains(prefix + 1) { prefix += 1 }
            #expect(window.settledThrough == prefix)
        }
    }

    @Test("reports whether the prefix moved")
    func reportsGrowth() {
        var window = DeliveryTagWindow()
        #expect(window.settle(2) == false)
        #expect(window.settle(1) == true)
        #expect(window.settledThrough == 2)
        #expect(window.settle(1) == false)
    }
}
