/// Random identifiers in lowercase hex, made from a few random `UInt64`s and a lookup table:
/// the request path makes several per request, so no `String(format:)` and no call to the
/// random source per byte.
public enum RandomHex {
    /// `count` random bytes (a multiple of 8) as 2 × `count` lowercase hex digits, never all zero.
    public static func bytes(_ count: Int) -> String {
        precondition(count > 0 && count % 8 == 0, "RandomHex.bytes takes a multiple of 8")
        var generator = SystemRandomNumberGenerator()
        var words = (0..<count / 8).map { _ in generator.next() as UInt64 }
        if words.allSatisfy({ $0 == 0 }) { words[0] = 1 }
        return hex(words)
    }

    /// A random (version 4) UUID in lowercase, the form ids take on the wire.
    public static func uuid() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = (generator.next() as UInt64) & 0xFFFF_FFFF_FFFF_0FFF | 0x0000_0000_0000_4000
        let low = (generator.next() as UInt64) & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        let digits = Array(hex([high, low]).utf8)
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, digit) in digits.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { text.append(UInt8(ascii: "-")) }
            text.append(digit)
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func hex(_ words: [UInt64]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(words.count * 8)
        for word in words {
            withUnsafeBytes(of: word.bigEndian) { bytes.append(contentsOf: $0) }
        }
        return Hex.encode(bytes)
    }
}
