import Foundation
import Testing

@testable import Ingest

@Suite struct UTF8ValidationTests {
    @Test("agrees with the standard library on random bytes", arguments: 0..<8)
    func agreesWithStandardLibrary(_ seed: Int) {
        var generator = SplitMix(seed: UInt64(seed))
        for _ in 0..<2_000 {
            let length = Int(generator.next() % 12)
            let bytes = (0..<length).map { _ -> UInt8 in
                let roll = generator.next() % 4
                return roll == 0
                    ? UInt8(truncatingIfNeeded: generator.next() % 0x80)
                    : UInt8(truncatingIfNeeded: 0x80 + generator.next() % 0x80)
            }
            let reference = String(validating: bytes, as: UTF8.self) != nil
            #expect((UTF8Validation.firstInvalidOffset(in: bytes) == nil) == reference, "bytes \(bytes)")
        }
    }

    @Test("reports the offset of the first bad byte")
    func offset() {
        #expect(UTF8Validation.firstInvalidOffset(in: Array("abcé".utf8) + [0xFF]) == 5)
        #expect(UTF8Validation.firstInvalidOffset(in: Array("ok 😀".utf8)) == nil)
    }
}

/// A small deterministic generator, so failures reproduce.
struct SplitMix: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
