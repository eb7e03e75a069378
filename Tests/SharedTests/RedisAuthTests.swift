import Foundation
import Shared
import Testing

/// Redis `AUTH`: the URL's credentials are read (never dropped), sent on every new connection,
/// and the project's own Redis (`scripts/infra`) refuses clients without its password.
extension RedisBackedTests {
    @Suite struct RedisAuthTests {
        @Test func aURLCarriesItsCredentials() throws {
            let plain = try RedisConfig(url: "redis://127.0.0.1:6380")
            #expect(plain.credentials == nil)
            #expect(plain.port == 6380)
            let password = try RedisConfig(url: "redis://:s%40cr%3At@redis.internal:6381/")
            #expect(password.credentials == .init(username: nil, password: "s@cr:t"), "percent-encoding is undone")
            #expect(password.host == "redis.internal")
            let user = try RedisConfig(url: "redis://ops:pw@127.0.0.1")
            #expect(user.credentials == .init(username: "ops", password: "pw"))
            #expect(user.port == 6379)
        }

        @Test(arguments: [
            ("redis://127.0.0.1:6379/1", "database numbers and options are not supported"),
            ("redis://127.0.0.1:6379?timeout=5", "database numbers and options are not supported"),
            ("redis://ops@127.0.0.1:6379", "names a user without a password"),
            ("redis://:@127.0.0.1:6379", "has an empty password"),
            ("rediss://:pw@127.0.0.1:6379", "must look like redis://"),
            ("redis://:pw@:6379", "must look like redis://"),
        ])
        func whatTheClientWouldIgnoreIsRefused(url: String, reason: String) {
            let error = #expect(throws: ConfigError.self, "\(url)") { try RedisConfig(url: url) }
            #expect(error?.key == "META_BUILDER_REDIS_URL")
            #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
        }

        @Test func theProjectsRedisServesOnlyClientsWithItsPassword() async throws {
            let config = try TestEnvironment.redis(poolSize: 1)
            let credentials = try #require(config.credentials, "scripts/infra runs Redis with a password, in META_BUILDER_REDIS_URL")
            let key = "test:auth:\(UUID().uuidString.lowercased())"
            let authorised = RedisClient(config: config, logger: TestEnvironment.logger)
            #expect(try await authorised.command("SET", key, "1", "PX", "60000") == .status("OK"))
            #expect(await authorised.ping())

            var anonymous = config
            anonymous.credentials = nil
            let refused = await #expect(throws: RedisError.self) {
                try await RedisClient(config: anonymous, logger: TestEnvironment.logger).command("GET", key)
            }
            #expect(refused?.message.hasPrefix("NOAUTH") == true, "\(refused.map { "\($0)" } ?? "")")
            #expect(refused?.wireError.code == .internal, "a missing password is a misconfiguration, not a condition to retry")
            #expect(await !RedisClient(config: anonymous, logger: TestEnvironment.logger).ping())

            var wrong = config
            let guess = "not-the-password-\(UUID().uuidString.prefix(8))"
            wrong.credentials = .init(password: guess)
            let denied = await #expect(throws: RedisError.self) {
                try await RedisClient(config: wrong, logger: TestEnvironment.logger).command("GET", key)
            }
            let text = denied.map { "\($0)" } ?? ""
            #expect(text.contains("AUTH refused: WRONGPASS"), "\(text)")
            #expect(!text.contains(guess) && !text.contains(credentials.password), "the password never reaches an error")
            #expect(denied?.wireError.code == .internal)
            #expect(try await authorised.command("DEL", key) == .integer(1))
        }
    }
}
