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
        return String(unsafeUninitializedCapacity: 36) { text in
            var written = 0
            for digit in 0..<32 {
                // 8-4-4-4-12: a dash before the 9th, 13th, 17th and 21st digit.
                if digit == 8 || digit == 12 || digit == 16 || digit == 20 {
                    text[written] = UInt8(ascii: "-")
                    written += 1
                }
                let word = digit < 16 ? versioned : varianted
                let nibble = UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * (digit % 16))) & 0xF
                text[written] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
                written += 1
            }
            return written
        }
    }
}
