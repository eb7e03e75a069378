import Foundation

/// Redis settings of one service.
public struct RedisConfig: Sendable {
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// `META_BUILDER_REDIS_POOL_SIZE`: command connections (default 4).
    public var poolSize: Int
    /// `META_BUILDER_REDIS_TIMEOUT_MS`: connect and command timeout (default 2000).
    public var timeoutMilliseconds: Int

    /// Creates the settings explicitly.
    public init(host: String = "127.0.0.1", port: Int = 6379, poolSize: Int = 4, timeoutMilliseconds: Int = 2000) {
        self.host = host
        self.port = port
        self.poolSize = poolSize
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Creates the settings from a `redis://host:port` URL.
    public init(url: String, poolSize: Int = 4, timeoutMilliseconds: Int = 2000) throws {
        guard let components = URLComponents(string: url), components.scheme == "redis", let host = components.host else {
            throw ConfigError(key: "META_BUILDER_REDIS_URL", reason: "must look like redis://host:port")
        }
        self.init(host: host, port: components.port ?? 6379, poolSize: poolSize, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Reads the settings from the environment; `META_BUILDER_REDIS_URL` defaults to `redis://127.0.0.1:6379`.
    public init(reader: ConfigReader) throws {
        try self.init(
            url: reader.string("META_BUILDER_REDIS_URL") ?? "redis://127.0.0.1:6379",
            poolSize: try reader.int("META_BUILDER_REDIS_POOL_SIZE", default: 4, range: 1...64),
            timeoutMilliseconds: try reader.int("META_BUILDER_REDIS_TIMEOUT_MS", default: 2000, range: 10...60000)
        )
    }
}

