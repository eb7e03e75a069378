/// Postgres settings of one service.
public struct DatabaseConfig: Sendable {
    /// `META_BUILDER_DATABASE_URL` (or `DATABASE_URL`): `postgres://role:password@host:port/db`. Secret (password).
    public var url: String
    /// `META_BUILDER_MIGRATION_DATABASE_URL`: the schema owner's URL. When set, migrations run as
    /// that role at start-up (one connection, closed afterwards) and the role of `url` is granted
    /// what it uses — schema usage, rows of every table, sequences — and owns nothing, so the
    /// running service can neither change its tables nor switch off their row-level security.
    /// When unset, the role of `url` migrates, and must own its schema. Secret (password).
    public var migrationURL: String?
    /// `META_BUILDER_DB_POOL_SIZE`: connections in the pool (default 8).
    public var poolSize: Int
    /// `META_BUILDER_DB_CONNECT_TIMEOUT`: seconds to wait for a new connection (default 5).
    public var connectTimeoutSeconds: Int
    /// `META_BUILDER_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS`: how long the server lets a connection sit
    /// idle inside a transaction before it ends the session (default 10,000). The services'
    /// transactions wait on nothing but the database (and Redis within its deadline), so one idle
    /// that long belongs to a process that stopped (frozen, or paused past its lease); ending it
    /// frees its locks — a run queue row's fence among them — so that another instance can take
    /// the work over. Keep it below the run queue's lease (15 s).
    public var idleInTransactionTimeoutMilliseconds: Int

    /// Creates the settings explicitly.
    public init(url: String, migrationURL: String? = nil, poolSize: Int = 8, connectTimeoutSeconds: Int = 5, idleInTransactionTimeoutMilliseconds: Int = 10_000) {
        self.url = url
        self.migrationURL = migrationURL
        self.poolSize = poolSize
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.idleInTransactionTimeoutMilliseconds = idleInTransactionTimeoutMilliseconds
    }

    /// Reads the settings from the environment.
    public init(reader: ConfigReader) throws {
        guard let url = reader.string("META_BUILDER_DATABASE_URL") ?? reader.string("DATABASE_URL") else {
            throw ConfigError(key: "META_BUILDER_DATABASE_URL", reason: "is required")
        }
        self.init(
            url: url,
            migrationURL: reader.string("META_BUILDER_MIGRATION_DATABASE_URL"),
            poolSize: try reader.int("META_BUILDER_DB_POOL_SIZE", default: 8, range: 1...256),
            connectTimeoutSeconds: try reader.int("META_BUILDER_DB_CONNECT_TIMEOUT", default: 5, range: 1...300),
            idleInTransactionTimeoutMilliseconds: try reader.int("META_BUILDER_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", default: 10_000, range: 100...600_000)
        )
    }
}
