import Crypto
import Foundation

/// The public keys a service trusts for service tokens, each bound to the one service that holds
/// its private half (`META_BUILDER_SERVICE_PUBLIC_KEYS`: `service:base64url-key` entries
/// separated by commas or blanks). A service listed with two keys is rotating: tokens signed with
/// either are accepted until the old entry is removed.
public struct ServiceKeySet: Sendable {
    /// A trusted public key and the service that signs with it.
    struct TrustedKey: Sendable {
        let service: String
        /// The raw 32 bytes (Crypto's key types are not `Sendable`).
        let raw: [UInt8]

        /// Whether `signature` is this key's signature of `message`.
        func isValidSignature(_ signature: [UInt8], for message: some DataProtocol) -> Bool {
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
            return key.isValidSignature(signature, for: message)
        }
    }

    private let keys: [String: TrustedKey]

    /// Trusts each service's keys.
    public init(_ entries: [(service: String, key: Curve25519.Signing.PublicKey)]) {
        var keys: [String: TrustedKey] = [:]
        for entry in entries {
            keys[Self.keyID(of: entry.key)] = TrustedKey(service: entry.service, raw: Array(entry.key.rawRepresentation))
        }
        self.keys = keys
    }

    /// Parses the configured list; the error names the entry that is not `service:base64url-key`.
    public init(parsing text: String) throws {
        let separators = CharacterSet(charactersIn: ", \t\n")
        var entries: [(service: String, key: Curve25519.Signing.PublicKey)] = []
        for entry in text.components(separatedBy: separators) where !entry.isEmpty {
            let parts = entry.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, Self.isServiceName(parts[0]),
                  let bytes = Base64URL.decode(parts[1].utf8), bytes.count == 32,
                  let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)
            else {
                throw ConfigError(key: "META_BUILDER_SERVICE_PUBLIC_KEYS", reason: "entry '\(entry.prefix(80))' is not service-name:base64url-ed25519-public-key")
            }
            entries.append((String(parts[0]), key))
        }
        self.init(entries)
    }

    /// The trusted key with this id.
    func key(id: String) -> TrustedKey? { keys[id] }

    /// The services that have at least one trusted key.
    public var services: Set<String> { Set(keys.values.map(\.service)) }

    /// The configured text of the keys (`service:key` entries, sorted).
    public var configurationText: String {
        keys.values.map { "\($0.service):\(Base64URL.encode($0.raw))" }.sorted().joined(separator: ",")
    }

    /// A key's id: the base64url of the first 12 bytes of the SHA-256 of its raw public key.
    public static func keyID(of key: Curve25519.Signing.PublicKey) -> String {
        Base64URL.encode(SHA256.hash(data: key.rawRepresentation).prefix(12))
    }

    private static func isServiceName(_ name: Substring) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
        }
    }
}
