/// HTTP server settings of one service.
public struct ServerConfig: Sendable {
    /// `META_BUILDER_HOST`: bind address (default 127.0.0.1).
    public var host: String
    /// `META_BUILDER_PORT`: bind port (default per service: 8081 spec, 8082 run, 8083 agent, 8084 approval; 0 picks a free one).
    public var port: Int
    /// `META_BUILDER_MAX_BODY_BYTES`: largest accepted request body (default 1 MiB).
    public var maxBodyBytes: Int
    /// `META_BUILDER_DEFAULT_DEADLINE_MS`: deadline of a request that sends no `Grpc-Timeout` (default 30000).
    public var defaultDeadlineMilliseconds: Int
    /// `META_BUILDER_MAX_DEADLINE_MS`: cap on a client-sent deadline (default 900000).
    public var maxDeadlineMilliseconds: Int

    /// Creates the settings explicitly.
    public init(
        host: String = "127.0.0.1",
        port: Int,
        maxBodyBytes: Int = 1 << 20,
        defaultDeadlineMilliseconds: Int = 30_000,
        maxDeadlineMilliseconds: Int = 900_000
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.defaultDeadlineMilliseconds = defaultDeadlineMilliseconds
        self.maxDeadlineMilliseconds = maxDeadlineMilliseconds
    }

    /// Reads the settings from the environment.
    public init(reader: ConfigReader, defaultPort: Int) throws {
        self.init(
            host: reader.string("META_BUILDER_HOST") ?? "127.0.0.1",
            port: try reader.int("META_BUILDER_PORT", default: defaultPort, range: 0...65535),
            maxBodyBytes: try reader.int("META_BUILDER_MAX_BODY_BYTES", default: 1 << 20, range: 1024...(1 << 30)),
            defaultDeadlineMilliseconds: try reader.int("META_BUILDER_DEFAULT_DEADLINE_MS", default: 30_000, range: 1...3_600_000),
            maxDeadlineMilliseconds: try reader.int("META_BUILDER_MAX_DEADLINE_MS", default: 900_000, range: 1...86_400_000)
        )
    }
}
