/// Making text safe to send as an HTTP header value.
enum HeaderText {
    /// `text` with control characters (line breaks included) replaced by spaces, so a stored value
    /// can never split or end the header block.
    static func sanitized(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return text }
        let bytes = text.utf8.map { $0 < 0x20 || $0 == 0x7F ? 0x20 : $0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}
