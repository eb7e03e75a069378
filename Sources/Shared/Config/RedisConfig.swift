import Foundation

/// Redis settings of one service.
public struct RedisConfig: Sendable {
    /// What Redis's `AUTH` takes: a password, and the user it belongs to for an ACL user (nil:
    /// the default user, as `requirepass` sets it).
    public struct Credentials: Sendable, Equatable {
        /// The ACL user; nil for the default user.
        public var username: String?
        /// The password.
        public var password: String

        /// Creates credentials.
        public init(username: String? = nil, password: String) {
            self.username = username
            self.password = password
        }
    }

    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Sent with `AUTH` on every new connection; nil when the server needs none.
    public var credentials: Credentials?
    /// `META_BUILDER_REDIS_POOL_SIZE`: command connections (default 4).
    public var poolSize: Int
    /// `META_BUILDER_REDIS_TIMEOUT_MS`: connect and command timeout (default 2000).
    public var timeoutMilliseconds: Int

    /// Creates the settings explicitly.
    public init(host: String = "127.0.0.1", port: Int = 6379, credentials: Credentials? = nil, poolSize: Int = 4, timeoutMilliseconds: Int = 2000) {
        self.host = host
        self.port = port
        self.credentials = credentials
        self.poolSize = poolSize
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Creates the settings from a `redis://[[user]:password@]host[:port]` URL (user and password
    /// percent-encoded). Anything the client would otherwise ignore (a database number, a query,
    /// a user without a password) is refused rather than dropped.
    public init(url: String, poolSize: Int = 4, timeoutMilliseconds: Int = 2000) throws {
        let shape = "must look like redis://[[user]:password@]host[:port]"
        guard let components = URLComponents(string: url), components.scheme == "redis", let host = components.host, !host.isEmpty else {
            throw ConfigError(key: "META_BUILDER_REDIS_URL", reason: shape)
        }
        guard components.path.isEmpty || components.path == "/", components.query == nil, components.fragment == nil else {
            throw ConfigError(key: "META_BUILDER_REDIS_URL", reason: "\(shape); database numbers and options are not supported")
        }
        var credentials: Credentials?
        if let password = components.password {
            guard !password.isEmpty else { throw ConfigError(key: "META_BUILDER_REDIS_URL", reason: "has an empty password") }
            credentials = Credentials(username: components.user.flatMap { $0.isEmpty ? nil : $0 }, password: password)
        } else if let user = components.user, !user.isEmpty {
            throw ConfigError(key: "META_BUILDER_REDIS_URL", reason: "names a user without a password; \(shape)")
        }
        self.init(host: host, port: components.port ?? 6379, credentials: credentials, poolSize: poolSize, timeoutMilliseconds: timeoutMilliseconds)
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
