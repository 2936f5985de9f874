import Foundation
import Testing

@testable import Ingest

@Suite(.serialized) struct AMQPConnectionTests {
    @Test("publishes with confirms and consumes with properties and nested headers intact")
    func roundTrip() throws {
        let url = try TestBroker.sharedURL()
        let exchange = TestBroker.uniqueName("conn-exchange")
        let queue = TestBroker.uniqueName("conn-queue")
        let connection = try AMQPConnection.connect(to: url)
        defer {
            try? connection.deleteQueue(queue)
            try? connection.deleteExchange(exchange)
            connection.close()
        }
        try connection.declareExchange(exchange)
        try connection.declareQueue(queue)
        try connection.bindQueue(queue, to: exchange)
        try connection.enableConfirms()

        let headers: [AMQPHeader] = [
            AMQPHeader(
                "x-death",
                .array([
                    .table([
                        AMQPHeader("count", .int(3)), AMQPHeader("reason", .string("expired")),
                        AMQPHeader("time", .timestamp(1_769_509_800)),
                        AMQPHeader("routing-keys", .array([.string("a.b")])),
                    ])
                ])),
            AMQPHeader("flag", .bool(false)), AMQPHeader("blob", .bytes([1, 2, 3])),
        ]
        let properties = AMQPMessageProperties(
            contentType: "application/json", contentEncoding: "utf-8", headers: headers, deliveryMode: 2,
            priority: 1, correlationId: "corr", replyTo: "reply", expiration: "600000", messageId: "msg-1",
            timestamp: 1_769_509_800, type: "kind", userId: "guest", appId: "tests")
        let body = Array(#"{"event_id":"conn-1"}"#.utf8)
        let tag = try connection.publish(exchange: exchange, routingKey: "a.b", body: body, properties: properties)
        try connection.waitForConfirms(timeout: .seconds(10))
        #expect(tag == 1)
        #expect(connection.confirmedThrough == 1)

        try connection.setPrefetch(10)
        _ = try connection.startConsuming(queue: queue)
        var delivery: AMQPDelivery?
        let deadline = ContinuousClock.now + .seconds(10)
        while delivery == nil, ContinuousClock.now < deadline {
            delivery = try connection.nextDelivery(timeout: .milliseconds(200))
        }
        let received = try #require(delivery)
        try connection.ack(received.deliveryTag, multiple: true)

        #expect(received.body == body)
        #expect(received.routingKey == "a.b")
        #expect(received.exchange == exchange)
        #expect(received.deliveryTag == 1)
        #expect(received.properties.messageId == "msg-1")
        #expect(received.properties.deliveryMode == 2)
        #expect(received.properties.timestamp == 1_769_509_800)
        let death = try #require(received.properties.headers?.first(where: { $0.key == "x-death" }))
        guard case .array(let entries) = death.value, case .table(let fields) = entries.first else {
            Issue.record("x-death did not arrive as an array of tables: \(death.value)")
            return
        }
        #expect(fields.contains(AMQPHeader("count", .int(3))))
        #expect(fields.contains(AMQPHeader("time", .timestamp(1_769_509_800))))
        #expect(fields.contains(AMQPHeader("routing-keys", .array([.string("a.b")]))))
        #expect(received.properties.headers?.contains(AMQPHeader("blob", .bytes([1, 2, 3]))) == true)
    }

    @Test("a wrong password is reported as access refused")
    func accessRefused() throws {
        var url = try TestBroker.sharedURL()
        url.password = "definitely-wrong"
        #expect {
            _ = try AMQPConnection.connect(to: url)
        } throws: { error in
            (error as? AMQPError)?.code == .accessRefused
        }
    }

    @Test("an unknown virtual host is reported with the broker's reply")
    func unknownVirtualHost() throws {
        var url = try TestBroker.sharedURL()
        url.virtualHost = TestBroker.uniqueName("vhost")
        #expect {
            _ = try AMQPConnection.connect(to: url)
        } throws: { error in
            guard let error = error as? AMQPError else { return false }
            return error.code == .accessRefused || error.replyCode == 530
        }
    }

    @Test("a closed port is reported as a failed connect")
    func refused() throws {
        let url = AMQPURL(host: "127.0.0.1", port: TestBroker.freePort())
        #expect {
            _ = try AMQPConnection.connect(to: url)
        } throws: { error in
            (error as? AMQPError)?.code == .connectFailed
        }
    }

    @Test("redeclaring a queue with other settings closes the channel with 406")
    func preconditionFailed() throws {
        let url = try TestBroker.sharedURL()
        let queue = TestBroker.uniqueName("conn-mismatch")
        let connection = try AMQPConnection.connect(to: url)
        try connection.declareQueue(queue, durable: true)
        #expect {
            try connection.declareQueue(queue, durable: false)
        } throws: { error in
            (error as? AMQPError)?.replyCode == 406
        }
        connection.close()
        let cleanup = try AMQPConnection.connect(to: url)
        try cleanup.deleteQueue(queue)
        cleanup.close()
    }
}
