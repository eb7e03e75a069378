import Logging
import Shared

/// A service's database as `scripts/infra` provides it (`.local/infra.env`): the URL of the
/// service's own role, which owns nothing (`META_BUILDER_<KEY>_DATABASE_URL`), and that of its
/// schema's owner, which only migrations use (`META_BUILDER_<KEY>_MIGRATION_DATABASE_URL`).
/// `key` is `SPEC`, `RUN`, `AGENT` or `APPROVAL`.
public enum ServiceDatabase {
    /// The service's environment variables for both.
    public static func environment(_ key: String) throws -> [String: String] {
        [
            "META_BUILDER_DATABASE_URL": try RequiredEnvironment.value("META_BUILDER_\(key)_DATABASE_URL"),
            "META_BUILDER_MIGRATION_DATABASE_URL": try RequiredEnvironment.value("META_BUILDER_\(key)_MIGRATION_DATABASE_URL"),
        ]
    }

    /// The settings an in-process service is built with.
    public static func config(_ key: String, poolSize: Int) throws -> DatabaseConfig {
        DatabaseConfig(
            url: try RequiredEnvironment.value("META_BUILDER_\(key)_DATABASE_URL"),
            migrationURL: try RequiredEnvironment.value("META_BUILDER_\(key)_MIGRATION_DATABASE_URL"),
            poolSize: poolSize
        )
    }

    /// Migrates the service's schema as its owner and grants the role of `pool` (the service's
    /// own) the use of it, as the service does at start.
    public static func migrate(_ key: String, _ migrations: [Migration], grantingTo pool: PostgresPool, logger: Logger) async throws {
        let owner = PostgresPool(
            config: DatabaseConfig(url: try RequiredEnvironment.value("META_BUILDER_\(key)_MIGRATION_DATABASE_URL"), poolSize: 1),
            applicationName: "test-migrations", logger: logger
        )
        defer { owner.close() }
        let role: String = try await pool.query("SELECT current_user AS role", deadline: .after(.seconds(10)))[0].decode("role")
        try await Migrator(pool: owner, logger: logger).migrate(migrations, grantingUseTo: role)
    }
}
