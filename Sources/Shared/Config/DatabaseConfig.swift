/// Postgres settings of one service.
public struct DatabaseConfig: Sendable {
    /// `META_BUILDER_DATABASE_URL` (or `DATABASE_URL`): `postgres://role:password@host:port/db`. Secret (password).
    public var url: String
    /// `META_BUILDER_DB_POOL_SIZE`: connections in the pool (default 8).
    public var poolSize: Int
    /// `META_BUILDER_DB_CONNECT_TIMEOUT`: seconds to wait for a new connection (default 5).
    public var connectTimeoutSeconds: Int

    /// Creates the settings explicitly.
    public init(url: String, poolSize: Int = 8, connectTimeoutSeconds: Int = 5) {
        self.url = url
        self.poolSize = poolSize
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// Reads the settings from the environment.
    public init(reader: ConfigReader) throws {
        guard let url = reader.string("META_BUILDER_DATABASE_URL") ?? reader.string("DATABASE_URL") else {
            throw ConfigError(key: "META_BUILDER_DATABASE_URL", reason: "is required")
        }
        self.init(
            url: url,
            poolSize: try reader.int("META_BUILDER_DB_POOL_SIZE", default: 8, range: 1...256),
            connectTimeoutSeconds: try reader.int("META_BUILDER_DB_CONNECT_TIMEOUT", default: 5, range: 1...300)
        )
    }
}
