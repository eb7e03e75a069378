/// Token settings shared by all services.
public struct AuthConfig: Sendable {
    /// `META_BUILDER_JWT_SECRET`: HS256 key of user tokens, at least 32 bytes. Secret.
    public var jwtSecret: String
    /// `META_BUILDER_JWT_ISSUER`: required `iss` (default `meta-builder`).
    public var issuer: String
    /// `META_BUILDER_JWT_AUDIENCE`: required `aud` (default `meta-builder`).
    public var audience: String
    /// `META_BUILDER_SERVICE_TOKEN_SECRET`: HS256 key of service-to-service tokens, at least 32 bytes. Secret.
    public var serviceTokenSecret: String
    /// `META_BUILDER_JWT_LEEWAY_SECONDS`: clock skew allowed on exp/nbf (default 30).
    public var leewaySeconds: Int

    /// Creates the settings explicitly.
    public init(jwtSecret: String, issuer: String = "meta-builder", audience: String = "meta-builder", serviceTokenSecret: String, leewaySeconds: Int = 30) {
        self.jwtSecret = jwtSecret
        self.issuer = issuer
        self.audience = audience
        self.serviceTokenSecret = serviceTokenSecret
        self.leewaySeconds = leewaySeconds
    }

    /// Reads the settings from the environment; secrets shorter than 32 bytes are refused.
    public init(reader: ConfigReader) throws {
        let secret = try reader.require("META_BUILDER_JWT_SECRET")
        let serviceSecret = try reader.require("META_BUILDER_SERVICE_TOKEN_SECRET")
        guard secret.utf8.count >= 32 else { throw ConfigError(key: "META_BUILDER_JWT_SECRET", reason: "must be at least 32 bytes") }
        guard serviceSecret.utf8.count >= 32 else { throw ConfigError(key: "META_BUILDER_SERVICE_TOKEN_SECRET", reason: "must be at least 32 bytes") }
        guard secret != serviceSecret else { throw ConfigError(key: "META_BUILDER_SERVICE_TOKEN_SECRET", reason: "must differ from META_BUILDER_JWT_SECRET") }
        self.init(
            jwtSecret: secret,
            issuer: reader.string("META_BUILDER_JWT_ISSUER") ?? "meta-builder",
            audience: reader.string("META_BUILDER_JWT_AUDIENCE") ?? "meta-builder",
            serviceTokenSecret: serviceSecret,
            leewaySeconds: try reader.int("META_BUILDER_JWT_LEEWAY_SECONDS", default: 30, range: 0...600)
        )
    }
}
