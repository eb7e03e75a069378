import Foundation
import MeshTestSupport
import Shared
import Testing

extension RedisBackedTests {
    /// Per-tenant, per-action fixed windows in Redis: exact under concurrency, isolated between
    /// tenants and actions, `RateLimit-*`/`Retry-After` headers, window reset (driven by the
    /// `now:` argument, not by sleeping), `enforce` → RESOURCE_EXHAUSTED, and the in-memory
    /// fail-open path with its metric when Redis is unreachable.
    @Suite struct RateLimiterTests {
        static let fallbackMetric = "meta_builder_rate_limit_fallback_total"

        /// A limiter on the test Redis with one limit for every action.
        static func limiter(limit: Int, windowSeconds: Int = 3600, redis: RedisClient? = nil, metrics: MetricsRegistry = MetricsRegistry()) throws -> RateLimiter {
            let limits = Dictionary(uniqueKeysWithValues: RateLimitedAction.allCases.map { ($0, limit) })
            return RateLimiter(
                redis: try redis ?? RedisClient(config: TestEnvironment.redis(), logger: TestEnvironment.logger),
                config: RateLimitConfig(limits: limits, windowSeconds: windowSeconds),
                logger: TestEnvironment.logger,
                metrics: metrics
            )
        }

        /// An instant `offset` seconds into a window of `windowSeconds` that contains the present.
        static func instant(offset: TimeInterval, windowSeconds: Int) -> Date {
            let start = (Int(Date().timeIntervalSince1970) / windowSeconds) * windowSeconds
            return Date(timeIntervalSince1970: TimeInterval(start) + offset)
        }

        /// `calls` concurrent checks of one tenant and action at one instant.
        static func concurrentChecks(_ limiter: RateLimiter, calls: Int, tenant: UUID, action: RateLimitedAction, now: Date) async -> [RateLimitDecision] {
            await withTaskGroup(of: RateLimitDecision.self) { group in
                for _ in 0..<calls {
                    group.addTask { await limiter.check(tenant: tenant, action: action, now: now) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }

        /// The value of an unlabelled metric in Prometheus text, or nil when absent.
        static func metricValue(_ name: String, in text: String) -> String? {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map { String($0.dropFirst(name.count + 1)) }
        }

        @Test func concurrentCallersGetExactlyTheLimit() async throws {
            let metrics = MetricsRegistry()
            let limiter = try Self.limiter(limit: 7, metrics: metrics)
            let tenant = UUID()
            let now = Self.instant(offset: 100, windowSeconds: 3600)

            let decisions = await Self.concurrentChecks(limiter, calls: 50, tenant: tenant, action: .specs, now: now)

            let allowed = decisions.filter(\.allowed)
            #expect(decisions.count == 50)
            #expect(allowed.count == 7)
            // Each allowed caller saw its own count: remaining 6, 5, …, 0 exactly once.
            #expect(allowed.map(\.remaining).sorted() == Array(0...6))
            #expect(decisions.filter { !$0.allowed }.allSatisfy { $0.remaining == 0 })
            #expect(decisions.allSatisfy { $0.limit == 7 && $0.resetSeconds == 3500 })
            // Counted in Redis, not in the per-instance fallback.
            #expect(Self.metricValue(Self.fallbackMetric, in: metrics.render()) == "0")
        }

        @Test func tenantsAndActionsHaveSeparateWindows() async throws {
            let limiter = try Self.limiter(limit: 3)
            let busy = UUID()
            let other = UUID()
            let now = Self.instant(offset: 10, windowSeconds: 3600)
            for _ in 0..<3 { _ = await limiter.check(tenant: busy, action: .runs, now: now) }
            let exhausted = await limiter.check(tenant: busy, action: .runs, now: now)
            #expect(!exhausted.allowed)

            let otherTenant = await limiter.check(tenant: other, action: .runs, now: now)
            #expect(otherTenant.allowed)
            #expect(otherTenant.remaining == 2)
            let otherAction = await limiter.check(tenant: busy, action: .plans, now: now)
            #expect(otherAction.allowed)
            #expect(otherAction.remaining == 2)
        }

        @Test func decisionsCarryRateLimitHeaders() async throws {
            let limiter = try Self.limiter(limit: 2)
            let tenant = UUID()
            let now = Self.instant(offset: 100, windowSeconds: 3600)

            let first = await limiter.check(tenant: tenant, action: .approvals, now: now)
            #expect(first.headers == ["RateLimit-Limit": "2", "RateLimit-Remaining": "1", "RateLimit-Reset": "3500"])
            let second = await limiter.check(tenant: tenant, action: .approvals, now: now)
            #expect(second.headers == ["RateLimit-Limit": "2", "RateLimit-Remaining": "0", "RateLimit-Reset": "3500"])
            let denied = await limiter.check(tenant: tenant, action: .approvals, now: now.addingTimeInterval(1500))
            #expect(!denied.allowed)
            #expect(denied.headers == ["RateLimit-Limit": "2", "RateLimit-Remaining": "0", "RateLimit-Reset": "2000", "Retry-After": "2000"])
        }

        @Test func nextWindowStartsAFreshCount() async throws {
            let limiter = try Self.limiter(limit: 3, windowSeconds: 2)
            let tenant = UUID()
            let start = Self.instant(offset: 0, windowSeconds: 2)

            for offset in [0.0, 0.5, 1.0] {
                #expect(await limiter.check(tenant: tenant, action: .specs, now: start.addingTimeInterval(offset)).allowed)
            }
            let denied = await limiter.check(tenant: tenant, action: .specs, now: start.addingTimeInterval(1.9))
            #expect(!denied.allowed)
            #expect(denied.resetSeconds == 1)
            #expect(denied.headers["Retry-After"] == "1")

            let next = await limiter.check(tenant: tenant, action: .specs, now: start.addingTimeInterval(2))
            #expect(next.allowed)
            #expect(next.remaining == 2)
            #expect(next.resetSeconds == 2)
        }

        @Test func countersExpireWithTheirWindow() async throws {
            // Each window's counter expires in Redis (window + 1 s), so old windows do not pile up.
            let limiter = try Self.limiter(limit: 3, windowSeconds: 60)
            let tenant = UUID()
            _ = await limiter.check(tenant: tenant, action: .specs)
            _ = await limiter.check(tenant: tenant, action: .specs, now: Date().addingTimeInterval(60))

            let redis = RedisClient(config: try TestEnvironment.redis(poolSize: 1), logger: TestEnvironment.logger)
            guard case .array(let keys) = try await redis.command("KEYS", "*\(tenant.uuidString.lowercased())*") else {
                Issue.record("KEYS did not answer an array")
                return
            }
            #expect(keys.count == 2)
            for key in keys.compactMap(\.string) {
                // -1 would mean the key never expires.
                let ttl = try #require(try await redis.command("TTL", key).integer)
                #expect((1...61).contains(ttl), "key \(key) has TTL \(ttl)")
            }
        }

        @Test func enforceThrowsResourceExhaustedWithRetryAfter() async throws {
            // `enforce` reads the clock itself; a day-long window keeps the three calls in one window.
            let limiter = try Self.limiter(limit: 2, windowSeconds: 86_400)
            let tenant = UUID()
            let first = try await limiter.enforce(tenant: tenant, action: .plans)
            #expect(first.remaining == 1)
            try await limiter.enforce(tenant: tenant, action: .plans)

            let error = await #expect(throws: WireError.self) { try await limiter.enforce(tenant: tenant, action: .plans) }
            let wire = try #require(error)
            #expect(wire.code == .resourceExhausted)
            #expect(wire.httpStatus == 429)
            let retryAfter = try #require(wire.retryAfter)
            #expect((1...86_400).contains(retryAfter))
            #expect(wire.extraHeaders["RateLimit-Limit"] == "2")
            #expect(wire.extraHeaders["RateLimit-Remaining"] == "0")
            #expect(wire.extraHeaders["RateLimit-Reset"] == String(retryAfter))
            // `Retry-After` travels as `retryAfter`, not twice.
            #expect(wire.extraHeaders["Retry-After"] == nil)

            // Another tenant is still allowed.
            #expect(try await limiter.enforce(tenant: UUID(), action: .plans).allowed)
        }

        @Test func unreachableRedisFailsOpenOntoAnInMemoryWindow() async throws {
            try await TestEnvironment.withRefusingPort { port in
                let metrics = MetricsRegistry()
                let unreachable = RedisClient(config: RedisConfig(host: "127.0.0.1", port: port, poolSize: 2, timeoutMilliseconds: 500), logger: TestEnvironment.logger)
                let limiter = try Self.limiter(limit: 3, redis: unreachable, metrics: metrics)
                let tenant = UUID()
                let now = Self.instant(offset: 100, windowSeconds: 3600)

                var decisions: [RateLimitDecision] = []
                for _ in 0..<4 {
                    decisions.append(await limiter.check(tenant: tenant, action: .specs, now: now))
                }
                #expect(decisions.map(\.allowed) == [true, true, true, false])
                #expect(decisions.map(\.remaining) == [2, 1, 0, 0])
                #expect(decisions[3].headers["Retry-After"] == "3500")
                #expect(await limiter.check(tenant: UUID(), action: .specs, now: now).allowed)

                // Still exact under concurrency.
                let concurrent = await Self.concurrentChecks(limiter, calls: 50, tenant: UUID(), action: .runs, now: now)
                #expect(concurrent.filter(\.allowed).count == 3)

                #expect(Self.metricValue(Self.fallbackMetric, in: metrics.render()) == "55")
            }
        }

        /// A Redis that takes connections and never answers holds no request past its deadline:
        /// the limiter falls back and allows, though the connection's own timeout is far away.
        @Test func aRedisThatNeverAnswersFailsOpenByTheRequestsDeadline() async throws {
            let silent = try SilentPort()
            let metrics = MetricsRegistry()
            let hanging = RedisClient(config: RedisConfig(host: "127.0.0.1", port: silent.port, poolSize: 1, timeoutMilliseconds: 30_000), logger: TestEnvironment.logger)
            let limiter = try Self.limiter(limit: 3, redis: hanging, metrics: metrics)
            let started = ContinuousClock.now
            let decisions = await RequestScope.$current.withValue(RequestScope(deadline: .after(.milliseconds(300)))) {
                await Self.concurrentChecks(limiter, calls: 5, tenant: UUID(), action: .specs, now: Date())
            }
            #expect(decisions.filter(\.allowed).count == 3, "the in-memory window still limits")
            #expect(ContinuousClock.now - started < .seconds(15), "every check ended at the 300 ms deadline, not at the 30 s timeout")
            #expect(Self.metricValue(Self.fallbackMetric, in: metrics.render()) == "5")
        }
    }
}
