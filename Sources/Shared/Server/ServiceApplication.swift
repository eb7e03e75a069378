import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The three places a service adds routes to.
public struct ServiceRoutes {
    /// Public, unauthenticated routes.
    public let router: Router<AppRequestContext>
    /// `/api/meta/v2`: bearer token required (a user's, or a service's where the contract lists it).
    public let api: RouterGroup<TenantRequestContext>
    /// `/internal/v1`: service tokens only, of the services each operation's contract lists.
    public let internalAPI: RouterGroup<TenantRequestContext>
}

/// Builds one service of the mesh: the common middleware stack, the common endpoints
/// (`/healthz`, `/readyz`, `/metrics`, `/openapi.json`), its audit feed
/// (`GET /internal/v1/audit`), the service's own routes, migrations
/// before the server starts, and the background services (pool, curl loop, outbox relay, and
/// whatever the service adds), all stopped gracefully on SIGTERM.
public enum ServiceApplication {
    /// Assembles the application.
    /// - Parameters:
    ///   - routes: adds the service's routes: public ones on the router, authenticated ones on
    ///     the `TenantRequestContext` group under `/api/meta/v2`, internal ones (service tokens
    ///     only) on the group under `/internal/v1`.
    ///   - services: extra background services (e.g. a run worker).
    public static func build(
        descriptor: ServiceDescriptor,
        runtime: ServiceRuntime,
        services: [any Service] = [],
        routes: (ServiceRoutes) throws -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let config = runtime.config
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestScopeMiddleware(config: config.server))
        router.add(middleware: HTTPMetricsMiddleware(metrics: runtime.metrics))
        let contract = try ContractRoutes(openAPI: descriptor.openAPIDocument)
        router.add(middleware: ErrorMiddleware(contract: contract))
        try CommonRoutes(descriptor: descriptor, runtime: runtime).register(on: router)
        let authenticated = AuthMiddleware(authenticator: runtime.authenticator, callers: try ServiceCallerPolicy(contract: contract))
        let api = router.group("api/meta/v2").add(middleware: authenticated).group(context: TenantRequestContext.self)
        let internalAPI = router.group("internal/v1").add(middleware: authenticated).group(context: TenantRequestContext.self)
            .add(middleware: ServiceCallerMiddleware())
        AuditFeed(pool: runtime.pool, service: descriptor.name).register(on: internalAPI)
        try routes(ServiceRoutes(router: router, api: api, internalAPI: internalAPI))
        try ContractCheck.verify(router, against: contract, service: descriptor.name)

        let migrations = try descriptor.allMigrations
        let migrated = runtime.migrated
        let relay = OutboxRelay(pool: runtime.pool, redis: runtime.redis, logger: runtime.logger, metrics: runtime.metrics, gate: migrated, pollInterval: .milliseconds(config.outboxPollMilliseconds))
        var app = Application(
            router: router,
            configuration: .init(address: .hostname(config.server.host, port: config.server.port), serverName: descriptor.name),
            services: [runtime.pool, runtime.curlLoop, relay] + services,
            logger: runtime.logger
        )
        app.beforeServerStarts {
            try await migrateWithRetry(migrations, runtime: runtime)
            migrated.openGate()
        }
        return app
    }

    /// Applies migrations, waiting up to 60 s for Postgres to accept connections: as the
    /// schema's owner when `META_BUILDER_MIGRATION_DATABASE_URL` names one (then granting the
    /// service's own role the use of what they made), else as the service's own role.
    static func migrateWithRetry(_ migrations: [Migration], runtime: ServiceRuntime) async throws {
        let database = runtime.config.database
        let owner = database.migrationURL.map { url in
            PostgresPool(
                config: DatabaseConfig(url: url, poolSize: 1, connectTimeoutSeconds: database.connectTimeoutSeconds),
                applicationName: "\(runtime.config.serviceName)-migrations", logger: runtime.logger
            )
        }
        defer { owner?.close() }
        let migrator = Migrator(pool: owner ?? runtime.pool, logger: runtime.logger)
        var delay = Duration.milliseconds(250)
        let giveUp = ContinuousClock.now + .seconds(60)
        while true {
            do {
                let role: String? = owner == nil ? nil : try await runtime.pool.query("SELECT current_user AS role", deadline: .after(.seconds(10)))[0].decode("role")
                try await migrator.migrate(migrations, grantingUseTo: role)
                return
            } catch let error as PostgresError where error.kind == .connection && ContinuousClock.now < giveUp {
                runtime.logger.warning("postgres not reachable yet, retrying migrations", metadata: ["error": "\(error)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
