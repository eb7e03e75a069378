import Logging

/// Everything one service reads from its environment at start-up, one struct per concern.
public struct ServiceConfig: Sendable {
    /// The service name, e.g. `spec-service`.
    public var serviceName: String
    /// HTTP server.
    public var server: ServerConfig
    /// Postgres.
    public var database: DatabaseConfig
    /// Redis.
    public var redis: RedisConfig
    /// Tokens.
    public var auth: AuthConfig
    /// Per-tenant hourly limits.
    public var rateLimits: RateLimitConfig
    /// The other services.
    public var peers: PeerConfig
    /// `META_BUILDER_LOG_LEVEL` (default `info`).
    public var logLevel: Logger.Level
    /// `META_BUILDER_OUTBOX_POLL_MS`: outbox relay idle poll (default 100).
    public var outboxPollMilliseconds: Int

    /// Creates the configuration explicitly (tests).
    public init(serviceName: String, server: ServerConfig, database: DatabaseConfig, redis: RedisConfig, auth: AuthConfig, rateLimits: RateLimitConfig = RateLimitConfig(), peers: PeerConfig = PeerConfig(), logLevel: Logger.Level = .info, outboxPollMilliseconds: Int = 100) {
        self.serviceName = serviceName
        self.server = server
        self.database = database
        self.redis = redis
        self.auth = auth
        self.rateLimits = rateLimits
        self.peers = peers
        self.logLevel = logLevel
        self.outboxPollMilliseconds = outboxPollMilliseconds
    }

    /// Reads the configuration from the environment.
    public init(serviceName: String, defaultPort: Int, reader: ConfigReader = ConfigReader()) throws {
        let level = reader.string("META_BUILDER_LOG_LEVEL") ?? "info"
        guard let logLevel = Logger.Level(rawValue: level) else {
            throw ConfigError(key: "META_BUILDER_LOG_LEVEL", reason: "must be one of trace, debug, info, notice, warning, error, critical")
        }
        self.init(
            serviceName: serviceName,
            server: try ServerConfig(reader: reader, defaultPort: defaultPort),
            database: try DatabaseConfig(reader: reader),
            redis: try RedisConfig(reader: reader),
            auth: try AuthConfig(reader: reader),
            rateLimits: try RateLimitConfig(reader: reader),
            peers: PeerConfig(reader: reader),
            logLevel: logLevel,
            outboxPollMilliseconds: try reader.int("META_BUILDER_OUTBOX_POLL_MS", default: 100, range: 10...60_000)
        )
    }
}
