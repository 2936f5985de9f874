import CRabbitMQ
import Foundation

// Conversions between librabbitmq's C structures and the Swift values of this module. Only
// `AMQPConnection` uses them; no C type leaves the AMQP folder. Nothing here calls librabbitmq.

/// Memory for C structures handed to librabbitmq for the length of one call, freed all at once.
final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit {
        for block in blocks { block.deallocate() }
    }

    /// A copy of `text`'s UTF-8 bytes that lives as long as the arena.
    func bytes(_ text: String) -> amqp_bytes_t {
        bytes(Array(text.utf8))
    }

    /// A copy of `data` that lives as long as the arena.
    func bytes(_ data: [UInt8]) -> amqp_bytes_t {
        guard !data.isEmpty else { return amqp_bytes_t(len: 0, bytes: nil) }
        let block = UnsafeMutableRawPointer.allocate(byteCount: data.count, alignment: 1)
        blocks.append(block)
        data.withUnsafeBytes { block.copyMemory(from: $0.baseAddress!, byteCount: data.count) }
        return amqp_bytes_t(len: data.count, bytes: block)
    }

    /// Uninitialised room for `count` values of `type`.
    func buffer<Element>(of type: Element.Type, count: Int) -> UnsafeMutablePointer<Element> {
        let block = UnsafeMutableRawPointer.allocate(
            byteCount: max(1, count) * MemoryLayout<Element>.stride, alignment: MemoryLayout<Element>.alignment)
        blocks.append(block)
        return block.bindMemory(to: type, capacity: max(1, count))
    }

    /// A field table holding `entries`.
    func table(_ entries: [AMQPHeader]) -> amqp_table_t {
        let storage = buffer(of: amqp_table_entry_t.self, count: entries.count)
        for (index, entry) in entries.enumerated() {
            (storage + index).initialize(to: amqp_table_entry_t(key: bytes(entry.key), value: field(entry.value)))
        }
        return amqp_table_t(num_entries: Int32(entries.count), entries: entries.isEmpty ? nil : storage)
    }

    /// One field value, nested tables and arrays included.
    func field(_ value: AMQPFieldValue) -> amqp_field_value_t {
        var field = amqp_field_value_t()
        switch value {
        case .bool(let flag):
            field.kind = kind(AMQP_FIELD_KIND_BOOLEAN)
            field.value.boolean = flag ? 1 : 0
        case .int(let number):
            field.kind = kind(AMQP_FIELD_KIND_I64)
            field.value.i64 = number
        case .unsigned(let number):
            field.kind = kind(AMQP_FIELD_KIND_U64)
            field.value.u64 = number
        case .double(let number):
            field.kind = kind(AMQP_FIELD_KIND_F64)
            field.value.f64 = number
        case .decimal(let scale, let number):
            field.kind = kind(AMQP_FIELD_KIND_DECIMAL)
            field.value.decimal = amqp_decimal_t(decimals: scale, value: number)
        case .string(let text):
            field.kind = kind(AMQP_FIELD_KIND_UTF8)
            field.value.bytes = bytes(text)
        case .bytes(let data):
            field.kind = kind(AMQP_FIELD_KIND_BYTES)
            field.value.bytes = bytes(data)
        case .timestamp(let seconds):
            field.kind = kind(AMQP_FIELD_KIND_TIMESTAMP)
            field.value.u64 = seconds
        case .table(let entries):
            field.kind = kind(AMQP_FIELD_KIND_TABLE)
            field.value.table = table(entries)
        case .array(let values):
            field.kind = kind(AMQP_FIELD_KIND_ARRAY)
            let storage = buffer(of: amqp_field_value_t.self, count: values.count)
            for (index, element) in values.enumerated() {
                (storage + index).initialize(to: self.field(element))
            }
            field.value.array = amqp_array_t(num_entries: Int32(values.count), entries: values.isEmpty ? nil : storage)
        case .void:
            field.kind = kind(AMQP_FIELD_KIND_VOID)
        }
        return field
    }

    private func kind(_ kind: amqp_field_value_kind_t) -> UInt8 {
        UInt8(truncatingIfNeeded: kind.rawValue)
    }
}

extension String {
    /// The text of an `amqp_bytes_t`, with invalid UTF-8 replaced.
    init(amqpBytes bytes: amqp_bytes_t) {
        guard let start = bytes.bytes, bytes.len > 0 else {
            self = ""
            return
        }
        self = String(decoding: UnsafeRawBufferPointer(start: start, count: bytes.len), as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// A copy of an `amqp_bytes_t`.
    init(amqpBytes bytes: amqp_bytes_t) {
        guard let start = bytes.bytes, bytes.len > 0 else {
            self = []
            return
        }
        self = Array(UnsafeRawBufferPointer(start: start, count: bytes.len))
    }
}

extension AMQPMessageProperties {
    /// The properties of a received message (`amqp_basic_properties_t`), by its `_flags`.
    init(_ raw: amqp_basic_properties_t) {
        self.init()
        let flags = raw._flags
        func has(_ flag: Int32) -> Bool { flags & amqp_flags_t(flag) != 0 }
        if has(AMQP_BASIC_CONTENT_TYPE_FLAG) { contentType = String(amqpBytes: raw.content_type) }
        if has(AMQP_BASIC_CONTENT_ENCODING_FLAG) { contentEncoding = String(amqpBytes: raw.content_encoding) }
        if has(AMQP_BASIC_HEADERS_FLAG) { headers = AMQPFieldValue.entries(of: raw.headers) }
        if has(AMQP_BASIC_DELIVERY_MODE_FLAG) { deliveryMode = raw.delivery_mode }
        if has(AMQP_BASIC_PRIORITY_FLAG) { priority = raw.priority }
        if has(AMQP_BASIC_CORRELATION_ID_FLAG) { correlationId = String(amqpBytes: raw.correlation_id) }
        if has(AMQP_BASIC_REPLY_TO_FLAG) { replyTo = String(amqpBytes: raw.reply_to) }
        if has(AMQP_BASIC_EXPIRATION_FLAG) { expiration = String(amqpBytes: raw.expiration) }
        if has(AMQP_BASIC_MESSAGE_ID_FLAG) { messageId = String(amqpBytes: raw.message_id) }
        if has(AMQP_BASIC_TIMESTAMP_FLAG) { timestamp = raw.timestamp }
        if has(AMQP_BASIC_TYPE_FLAG) { type = String(amqpBytes: raw.type) }
        if has(AMQP_BASIC_USER_ID_FLAG) { userId = String(amqpBytes: raw.user_id) }
        if has(AMQP_BASIC_APP_ID_FLAG) { appId = String(amqpBytes: raw.app_id) }
    }

    /// The properties as librabbitmq wants them for `basic.publish`, strings copied into `arena`.
    func cValue(in arena: CArena) -> amqp_basic_properties_t {
        var raw = amqp_basic_properties_t()
        var flags: Int32 = 0
        func text(_ value: String?, _ flag: Int32, _ assign: (amqp_bytes_t) -> Void) {
            guard let value else { return }
            flags |= flag
            assign(arena.bytes(value))
        }
        text(contentType, AMQP_BASIC_CONTENT_TYPE_FLAG) { raw.content_type = $0 }
        text(contentEncoding, AMQP_BASIC_CONTENT_ENCODING_FLAG) { raw.content_encoding = $0 }
        text(correlationId, AMQP_BASIC_CORRELATION_ID_FLAG) { raw.correlation_id = $0 }
        text(replyTo, AMQP_BASIC_REPLY_TO_FLAG) { raw.reply_to = $0 }
        text(expiration, AMQP_BASIC_EXPIRATION_FLAG) { raw.expiration = $0 }
        text(messageId, AMQP_BASIC_MESSAGE_ID_FLAG) { raw.message_id = $0 }
        text(type, AMQP_BASIC_TYPE_FLAG) { raw.type = $0 }
        text(userId, AMQP_BASIC_USER_ID_FLAG) { raw.user_id = $0 }
        text(appId, AMQP_BASIC_APP_ID_FLAG) { raw.app_id = $0 }
        if let headers {
            flags |= AMQP_BASIC_HEADERS_FLAG
            raw.headers = arena.table(headers)
        }
        if let deliveryMode {
            flags |= AMQP_BASIC_DELIVERY_MODE_FLAG
            raw.delivery_mode = deliveryMode
        }
        if let priority {
            flags |= AMQP_BASIC_PRIORITY_FLAG
            raw.priority = priority
        }
        if let timestamp {
            flags |= AMQP_BASIC_TIMESTAMP_FLAG
            raw.timestamp = timestamp
        }
        raw._flags = amqp_flags_t(flags)
        return raw
    }
}

extension AMQPFieldValue {
    /// The entries of a received field table, in wire order.
    static func entries(of table: amqp_table_t) -> [AMQPHeader] {
        guard let entries = table.entries, table.num_entries > 0 else { return [] }
        return (0..<Int(table.num_entries)).map { index in
            AMQPHeader(String(amqpBytes: entries[index].key), AMQPFieldValue(entries[index].value))
        }
    }

    /// A received field value, by its kind byte.
    init(_ field: amqp_field_value_t) {
        let value = field.value
        switch UInt32(field.kind) {
        case AMQP_FIELD_KIND_BOOLEAN.rawValue: self = .bool(value.boolean != 0)
        case AMQP_FIELD_KIND_I8.rawValue: self = .int(Int64(value.i8))
        case AMQP_FIELD_KIND_U8.rawValue: self = .unsigned(UInt64(value.u8))
        case AMQP_FIELD_KIND_I16.rawValue: self = .int(Int64(value.i16))
        case AMQP_FIELD_KIND_U16.rawValue: self = .unsigned(UInt64(value.u16))
        case AMQP_FIELD_KIND_I32.rawValue: self = .int(Int64(value.i32))
        case AMQP_FIELD_KIND_U32.rawValue: self = .unsigned(UInt64(value.u32))
        case AMQP_FIELD_KIND_I64.rawValue: self = .int(value.i64)
        case AMQP_FIELD_KIND_U64.rawValue: self = .unsigned(value.u64)
        case AMQP_FIELD_KIND_F32.rawValue: self = .double(Double(value.f32))
        case AMQP_FIELD_KIND_F64.rawValue: self = .double(value.f64)
        case AMQP_FIELD_KIND_DECIMAL.rawValue:
            self = .decimal(scale: value.decimal.decimals, value: value.decimal.value)
        case AMQP_FIELD_KIND_UTF8.rawValue:
            let raw = [UInt8](amqpBytes: value.bytes)
            if let text = String(validating: raw, as: UTF8.self) { self = .string(text) } else { self = .bytes(raw) }
        case AMQP_FIELD_KIND_BYTES.rawValue: self = .bytes([UInt8](amqpBytes: value.bytes))
        case AMQP_FIELD_KIND_TIMESTAMP.rawValue: self = .timestamp(value.u64)
        case AMQP_FIELD_KIND_TABLE.rawValue: self = .table(AMQPFieldValue.entries(of: value.table))
        case AMQP_FIELD_KIND_ARRAY.rawValue:
            let array = value.array
            guard let elements = array.entries, array.num_entries > 0 else {
                self = .array([])
                return
            }
            self = .array((0..<Int(array.num_entries)).map { AMQPFieldValue(elements[$0]) })
        default: self = .void
        }
    }
}

/// The text last received in one place of a delivery (its exchange, its routing key), reused while
/// deliveries repeat it, so a steady stream does not allocate the same string for every message.
struct RepeatedText {
    private var last = ""

    /// The text of `bytes`: the previous one when the bytes are the same, a new one otherwise.
    mutating func text(of bytes: amqp_bytes_t) -> String {
        guard let start = bytes.bytes, bytes.len > 0 else { return "" }
        let same =
            last.utf8.count == bytes.len && last.withUTF8 { memcmp($0.baseAddress!, start, bytes.len) == 0 }
        if !same { last = String(amqpBytes: bytes) }
        return last
    }
}

/// The properties last received, reused while deliveries repeat them (most publishers send the
/// same content type, encoding and delivery mode every time).
struct RepeatedProperties {
    private var last: AMQPMessageProperties?

    /// The properties of `raw`: the previous value when `raw` holds the same, a new one otherwise.
    mutating func properties(of raw: amqp_basic_properties_t) -> AMQPMessageProperties {
        if let last, last.matches(raw) { return last }
        let properties = AMQPMessageProperties(raw)
        last = properties
        return properties
    }
}

extension AMQPMessageProperties {
    /// Whether `AMQPMessageProperties(raw)` would equal these properties, found by comparing bytes
    /// without building anything. Properties with headers never match (the slow path reads them).
    func matches(_ raw: amqp_basic_properties_t) -> Bool {
        let flags = raw._flags
        func has(_ flag: Int32) -> Bool { flags & amqp_flags_t(flag) != 0 }
        func same(_ value: String?, _ flag: Int32, _ bytes: amqp_bytes_t) -> Bool {
            guard var value else { return !has(flag) }
            guard has(flag), value.utf8.count == bytes.len else { return false }
            return bytes.len == 0 || value.withUTF8 { memcmp($0.baseAddress!, bytes.bytes, bytes.len) == 0 }
        }
        func same<Value: Equatable>(_ value: Value?, _ flag: Int32, _ received: Value) -> Bool {
            guard let value else { return !has(flag) }
            return has(flag) && value == received
        }
        return headers == nil && !has(AMQP_BASIC_HEADERS_FLAG)
            && same(contentType, AMQP_BASIC_CONTENT_TYPE_FLAG, raw.content_type)
            && same(contentEncoding, AMQP_BASIC_CONTENT_ENCODING_FLAG, raw.content_encoding)
            && same(deliveryMode, AMQP_BASIC_DELIVERY_MODE_FLAG, raw.delivery_mode)
            && same(priority, AMQP_BASIC_PRIORITY_FLAG, raw.priority)
            && same(correlationId, AMQP_BASIC_CORRELATION_ID_FLAG, raw.correlation_id)
            && same(replyTo, AMQP_BASIC_REPLY_TO_FLAG, raw.reply_to)
            && same(expiration, AMQP_BASIC_EXPIRATION_FLAG, raw.expiration)
            && same(messageId, AMQP_BASIC_MESSAGE_ID_FLAG, raw.message_id)
            && same(timestamp, AMQP_BASIC_TIMESTAMP_FLAG, raw.timestamp)
            && same(type, AMQP_BASIC_TYPE_FLAG, raw.type)
            && same(userId, AMQP_BASIC_USER_ID_FLAG, raw.user_id)
            && same(appId, AMQP_BASIC_APP_ID_FLAG, raw.app_id)
    }
}
