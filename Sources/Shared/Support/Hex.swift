/// Lowercase hexadecimal through a lookup table, for digests and ids on the request path
/// (`String(format: "%02x")` per byte costs more than the hashing).
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// The bytes as 2 × count lowercase hex digits.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { buffer in
            var index = 0
            for byte in bytes {
                buffer[index] = digits[Int(byte >> 4)]
                buffer[index + 1] = digits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }
}
