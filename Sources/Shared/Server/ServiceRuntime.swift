import Foundation
import Logging

/// The clients one service shares across its routes and background work.
public struct ServiceRuntime: Sendable {
    /// The configuration it was built from.
    public let config: ServiceConfig
    /// The service's logger.
    public let logger: Logger
    /// Postgres.
    public let pool: PostgresPool
    /// Redis commands.
    public let redis: RedisClient
    /// The curl multi loop behind `http`.
    public let curlLoop: CurlLoop
    /// HTTP to the other services (sends service tokens).
    public let http: HTTPClient
    /// Token verification and minting.
    public let authenticator: Authenticator
    /// Per-tenant rate limits.
    public let rateLimiter: RateLimiter
    /// Prometheus metrics.
    public let metrics: MetricsRegistry
    /// Opens once the service's migrations ran: background work that needs the schema waits on it.
    public let migrated = StartupGate()

    /// Creates every client (none connects until used).
    public init(config: ServiceConfig, logger: Logger, metrics: MetricsRegistry = MetricsRegistry()) {
        self.config = config
        self.logger = logger
        self.metrics = metrics
        pool = PostgresPool(config: config.database, applicationName: config.serviceName, logger: logger)
        redis = RedisClient(config: config.redis, logger: logger)
        curlLoop = CurlLoop(logger: logger)
        authenticator = Authenticator(config: config.auth, serviceName: config.serviceName)
        http = HTTPClient(loop: curlLoop, authenticator: authenticator, peers: config.peers, logger: logger, metrics: metrics)
        rateLimiter = RateLimiter(redis: redis, config: config.rateLimits, logger: logger, metrics: metrics)
    }
}
