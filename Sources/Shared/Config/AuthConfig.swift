/// Token settings shared by all services.
public struct AuthConfig: Sendable {
    /// `META_BUILDER_JWT_SECRET`: HS256 key of user tokens, at least 32 bytes. Secret.
    public var jwtSecret: String
    /// `META_BUILDER_JWT_ISSUER`: required `iss` of user tokens (default `meta-builder`).
    public var issuer: String
    /// `META_BUILDER_JWT_AUDIENCE`: required `aud` of user tokens (default `meta-builder`).
    public var audience: String
    /// `META_BUILDER_SERVICE_KEY`: this service's Ed25519 private key for the service tokens it
    /// mints (32 bytes, base64url). Secret, and held by this service only.
    public var serviceKey: ServiceSigningKey
    /// `META_BUILDER_SERVICE_PUBLIC_KEYS`: the public keys of the services whose tokens this
    /// service accepts, each bound to its service (`service:base64url-key`, comma-separated).
    public var trustedServiceKeys: ServiceKeySet
    /// `META_BUILDER_JWT_LEEWAY_SECONDS`: clock skew allowed on exp/nbf (default 30).
    public var leewaySeconds: Int

    /// Creates the settings explicitly.
    public init(jwtSecret: String, issuer: String = "meta-builder", audience: String = "meta-builder", serviceKey: ServiceSigningKey, trustedServiceKeys: ServiceKeySet, leewaySeconds: Int = 30) {
        self.jwtSecret = jwtSecret
        self.issuer = issuer
        self.audience = audience
        self.serviceKey = serviceKey
        self.trustedServiceKeys = trustedServiceKeys
        self.leewaySeconds = leewaySeconds
    }

    /// Reads the settings from the environment; a user secret shorter than 32 bytes or a key
    /// that is not an Ed25519 key is refused.
    public init(reader: ConfigReader) throws {
        let secret = try reader.require("META_BUILDER_JWT_SECRET")
        guard secret.utf8.count >= 32 else { throw ConfigError(key: "META_BUILDER_JWT_SECRET", reason: "must be at least 32 bytes") }
        guard let serviceKey = ServiceSigningKey(base64URL: try reader.require("META_BUILDER_SERVICE_KEY")) else {
            throw ConfigError(key: "META_BUILDER_SERVICE_KEY", reason: "must be a 32-byte Ed25519 private key in base64url")
        }
        self.init(
            jwtSecret: secret,
            issuer: reader.string("META_BUILDER_JWT_ISSUER") ?? "meta-builder",
            audience: reader.string("META_BUILDER_JWT_AUDIENCE") ?? "meta-builder",
            serviceKey: serviceKey,
            trustedServiceKeys: try ServiceKeySet(parsing: reader.require("META_BUILDER_SERVICE_PUBLIC_KEYS")),
            leewaySeconds: try reader.int("META_BUILDER_JWT_LEEWAY_SECONDS", default: 30, range: 0...600)
        )
    }
}
