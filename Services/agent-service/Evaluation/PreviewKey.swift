import Crypto
import Foundation

/// The key the preview environments' credentials are derived from (HMAC per run and purpose).
/// It holds the bytes, as Crypto's `SymmetricKey` is not `Sendable`.
struct PreviewKey: Sendable, Equatable {
    private let bytes: [UInt8]

    /// Wraps a symmetric key (in the service, one derived from its signing key).
    init(_ key: SymmetricKey) {
        bytes = key.withUnsafeBytes { Array($0) }
    }

    /// HMAC-SHA256 of `message` under the key.
    func code(for message: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: bytes)))
    }
}
