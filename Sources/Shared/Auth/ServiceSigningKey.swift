import Crypto
import Foundation

/// One service's Ed25519 private key, which signs the service tokens it mints
/// (`META_BUILDER_SERVICE_KEY`: the 32-byte private key in base64url). Every other service trusts
/// the matching public key for tokens issued by this service only. Secret.
public struct ServiceSigningKey: Sendable {
    /// The 32-byte seed (Crypto's key types are not `Sendable`, so the key is rebuilt per use).
    private let seed: [UInt8]
    /// The id receivers find the public key by (the `kid` header), derived from the public key.
    public let keyID: String

    /// Reads a key from its base64url text; nil when it is not a 32-byte Ed25519 private key.
    public init?(base64URL text: String) {
        guard let bytes = Base64URL.decode(text.utf8), bytes.count == 32,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes)
        else { return nil }
        self.init(key)
    }

    /// A new random key.
    public static func generate() -> ServiceSigningKey {
        ServiceSigningKey(Curve25519.Signing.PrivateKey())
    }

    private init(_ key: Curve25519.Signing.PrivateKey) {
        seed = Array(key.rawRepresentation)
        keyID = ServiceKeySet.keyID(of: key.publicKey)
    }

    private var privateKey: Curve25519.Signing.PrivateKey {
        // The seed was a valid key when this value was made.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }

    /// The public half, which the other services list in `META_BUILDER_SERVICE_PUBLIC_KEYS`.
    public var publicKey: Curve25519.Signing.PublicKey { privateKey.publicKey }

    /// The private key as configured (base64url), for writing configuration.
    public var base64URL: String { Base64URL.encode(seed) }

    /// The Ed25519 signature of `message`.
    func signature(for message: some DataProtocol) -> [UInt8] {
        // Signing with a valid key only fails if the process is out of memory.
        (try? Array(privateKey.signature(for: message))) ?? []
    }

    /// A symmetric key for another purpose of this service, derived with HKDF-SHA256 so that
    /// nothing derived from it can sign or verify a token (e.g. the agent-service's preview
    /// credentials).
    public func derivedKey(purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: seed),
            salt: Data("meta-builder service key derivation".utf8),
            info: Data(purpose.utf8),
            outputByteCount: 32
        )
    }
}
