import Foundation
import MeshTestSupport
import Logging
import Shared
import Testing

/// The real Postgres and Redis that `scripts/test` starts (`scripts/infra start`), read from the
/// environment. A missing variable fails the test loudly: integration tests never skip.
enum TestEnvironment {
    /// A variable that must be set (missing fails the test loudly).
    static func require(_ key: String) throws -> String {
        try RequiredEnvironment.value(key)
    }

    /// The test role's database (schema `shared_test`).
    static func database(poolSize: Int = 4) throws -> DatabaseConfig {
        DatabaseConfig(url: try require("META_BUILDER_TEST_DATABASE_URL"), poolSize: poolSize)
    }

    /// A second role with its own schema (`other_test`), to prove schema isolation.
    static func otherDatabase() throws -> DatabaseConfig {
        DatabaseConfig(url: try require("META_BUILDER_OTHER_TEST_DATABASE_URL"), poolSize: 2)
    }

    /// Redis.
    static func redis(poolSize: Int = 4) throws -> RedisConfig {
        try RedisConfig(url: try require("META_BUILDER_REDIS_URL"), poolSize: poolSize)
    }

    /// `scripts/infra`, to restart Postgres or Redis from a test.
    static func infra(_ command: String) throws {
        try InfraCommand.run(command)
    }

    /// The spec-service's auth settings with a fixed user secret and the test keys.
    static let auth = MeshKeys.auth(jwtSecret: "test-user-secret-0123456789abcdef0123456789", for: "spec-service")

    /// A logger that drops everything (tests never bootstrap logging).
    static let logger: Logger = {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        return logger
    }()

    /// A full service configuration on a free port against the test database.
    static func serviceConfig(name: String = "test-service", rateLimits: RateLimitConfig = RateLimitConfig(), maxBodyBytes: Int = 1 << 20) throws -> ServiceConfig {
        ServiceConfig(
            serviceName: name,
            server: ServerConfig(port: 0, maxBodyBytes: maxBodyBytes),
            database: try database(),
            redis: try redis(),
            auth: auth,
            rateLimits: rateLimits,
            outboxPollMilliseconds: 20
        )
    }

    /// Signs a user token with the test secret.
    static func userToken(sub: String = "user-1", tenant: UUID, role: Role, expiresIn: TimeInterval = 300) -> String {
        let jwt = JWT(secret: auth.jwtSecret, issuer: auth.issuer, audience: auth.audience)
        let now = Date().timeIntervalSince1970
        return jwt.sign(JWTClaims(sub: sub, tid: tenant.uuidString.lowercased(), role: role.rawValue, exp: now + expiresIn, iat: now))
    }
}

#if canImport(Glibc)
import Glibc
#endif

extension TestEnvironment {
    /// Runs `body` with a loopback TCP port that refuses connections: a socket is bound to
    /// 127.0.0.1 on that port (so nothing else can take it meanwhile) but never listens.
    static func withRefusingPort<T>(_ body: (Int) async throws -> T) async throws -> T {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RefusingPortUnavailable(errno: errno) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw RefusingPortUnavailable(errno: errno) }
        return try await body(Int(UInt16(bigEndian: address.sin_port)))
    }

    struct RefusingPortUnavailable: Error { let errno: Int32 }
}
