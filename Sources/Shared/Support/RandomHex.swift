import Foundation
import Synchronization

/// Random identifiers in lowercase hex for requests and traces: unique, not secret. They come
/// from a xoshiro256** generator seeded once from the system's random source and a hex table —
/// the request path makes several per request, and the system source costs a system call per
/// 8 bytes (Foundation's `UUID()` even opens `/dev/urandom` each time). Resource ids stay
/// `UUID()`.
public enum RandomHex {
    /// `count` random bytes (a multiple of 8) as 2 × `count` lowercase hex digits, never all zero.
    public static func bytes(_ count: Int) -> String {
        precondition(count > 0 && count % 8 == 0, "RandomHex.bytes takes a multiple of 8")
        var words = generator.withLock { generator in (0..<count / 8).map { _ in generator.next() } }
        if words.allSatisfy({ $0 == 0 }) { words[0] = 1 }
        return Hex.encode(bigEndianBytes(words))
    }

    /// A random (version 4) UUID in lowercase, the form request ids take.
    public static func uuid() -> String {
        let (high, low) = generator.withLock { ($0.next(), $0.next()) }
        let bytes = bigEndianBytes([high & 0xFFFF_FFFF_FFFF_0FFF | 0x4000, low & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000])
        return UUID(bytes: bytes).lowercaseText
    }

    private static let generator = Mutex(Xoshiro256StarStar(seededBy: SystemRandomNumberGenerator()))

    private static func bigEndianBytes(_ words: [UInt64]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(words.count * 8)
        for word in words {
            withUnsafeBytes(of: word.bigEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }
}

/// xoshiro256** (Blackman and Vigna): fast, 256 bits of state, for identifiers only.
struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the state from another generator (never all zero).
    init(seededBy source: some RandomNumberGenerator) {
        var source = source
        state = (source.next(), source.next(), source.next(), source.next())
        if state == (0, 0, 0, 0) { state.0 = 1 }
    }

    mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}
