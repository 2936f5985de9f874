import SegmentStore

/// The id of a message that names none: a UUID-shaped digest of its body bytes, so every
/// redelivered or dead-lettered copy of the same body maps to the same id.
///
/// The 128 bits are two XXH3-64 digests of the body with different seeds, laid out as an RFC 9562
/// version 8 ("custom") UUID: the version and variant bits are fixed, 122 bits come from the body.
public enum DerivedEventID {
    /// The id for `body`, for example `3f0c9a51-7d2e-8b41-9c06-5e1f2a7b8c9d`.
    ///
    /// - Complexity: O(n) in the body's size.
    public static func make(for body: [UInt8]) -> String {
        let high = Checksum.hash(body, seed: 0x6361_6E64_7973_746F)
        let low = Checksum.hash(body, seed: 0x7265_2D69_642D_7638)
        let versioned = (high & ~0xF000) | 0x8000
        let varianted = (low & ~(0xC000 << 48)) | (0x8000 << 48)
        var digits = [UInt8]()
        digits.reserveCapacity(36)
        appendHex(versioned, to: &digits)
        appendHex(varianted, to: &digits)
        for position in [8, 13, 18, 23] {
            digits.insert(UInt8(ascii: "-"), at: position)
        }
        return String(decoding: digits, as: UTF8.self)
    }

    private static func appendHex(_ value: UInt64, to digits: inout [UInt8]) {
        let alphabet = Array("0123456789abcdef".utf8)
        for shift in stride(from: 60, through: 0, by: -4) {
            digits.append(alphabet[Int((value >> UInt64(shift)) & 0xF)])
        }
    }
}
