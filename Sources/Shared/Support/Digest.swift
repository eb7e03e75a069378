import Crypto
import Foundation

/// Content digests as the platform writes them: lower-case hexadecimal.
public enum Digest {
    /// The sha256 of `data` in lower-case hex (64 characters).
    public static func sha256Hex(_ data: Data) -> String {
        Hex.encode(Array(SHA256.hash(data: data)))
    }
}
