import Crypto
import Foundation
import Shared

/// The four services' Ed25519 keys in tests: one per service, derived from its name, and the
/// set of their public keys that every service trusts.
public enum MeshKeys {
    /// The services of the mesh.
    public static let services = ["spec-service", "run-service", "agent-service", "approval-service"]

    /// The signing key of `service`.
    public static func key(for service: String) -> ServiceSigningKey {
        ServiceSigningKey(base64URL: Base64URL.encode(privateKey(of: service).rawRepresentation))!
    }

    /// The private key behind `key(for:)`, to sign tokens the services would never make.
    public static func privateKey(of service: String) -> Curve25519.Signing.PrivateKey {
        // 32 bytes of a hash are always a valid Ed25519 seed.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: SHA256.hash(data: Data("meta-builder test key of \(service)".utf8)))
    }

    /// The public keys of all four services.
    public static let trusted = ServiceKeySet(services.map { ($0, key(for: $0).publicKey) })

    /// The auth settings of `service`: the tests' user secret, its own key, all services trusted.
    public static func auth(jwtSecret: String, for service: String) -> AuthConfig {
        AuthConfig(jwtSecret: jwtSecret, serviceKey: key(for: service), trustedServiceKeys: trusted)
    }

    /// The environment of a `service` process: its own key and the trusted public keys.
    public static func environment(for service: String) -> [String: String] {
        ["META_BUILDER_SERVICE_KEY": key(for: service).base64URL, "META_BUILDER_SERVICE_PUBLIC_KEYS": trusted.configurationText]
    }
}
