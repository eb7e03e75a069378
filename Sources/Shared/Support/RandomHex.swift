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

    private static func hex(_ words: [UInt64]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(words.count * 8)
        for word in words {
            withUnsafeBytes(of: word.bigEndian) { bytes.append(contentsOf: $0) }
        }
        return Hex.encode(bytes)
    }
}
