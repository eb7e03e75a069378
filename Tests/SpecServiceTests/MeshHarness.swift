import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MeshTestSupport
import Synchronization
import ServiceLifecycle
import Shared
import Testing
@testable import AgentService
@testable import SpecService

/// A real agent-service on a fixed loopback port (so it can be stopped and started again at the
/// same address) and a spec-service pointed at it, both against their own schemas.
final class MeshHarness: Sendable {
    let agentPort: Int
    let jwtSecret = "mesh-tests-user-secret-0123456789abcdef"
    let logger = Logger(label: "mesh-tests") { _ in SwiftLogNoOpLogHandler() }
    let rateLimits: RateLimitConfig
    /// The services' Redis: the test Redis unless a test points them elsewhere.
    let redisURL: String

    init(rateLimits: RateLimitConfig = RateLimitConfig(windowSeconds: 3600), redisURL: String? = nil) throws {
        agentPort = try LoopbackPort.free(in: LoopbackPort.stableRange)
        self.rateLimits = rateLimits
        self.redisURL = try redisURL ?? Self.require("META_BUILDER_REDIS_URL")
    }

    /// A variable that must be set (missing fails the test loudly).
    static func require(_ key: String) throws -> String {
        try RequiredEnvironment.value(key)
    }

    private func config(name: String, databaseKey: String, port: Int) throws -> ServiceConfig {
        ServiceConfig(
            serviceName: name,
            server: ServerConfig(port: port),
            database: try ServiceDatabase.config(databaseKey, poolSize: 4),
            redis: try RedisConfig(url: redisURL),
            auth: MeshKeys.auth(jwtSecret: jwtSecret, for: name),
            rateLimits: rateLimits,
            peers: PeerConfig(agent: "http://127.0.0.1:\(agentPort)"),
            outboxPollMilliseconds: 20
        )
    }

    /// Runs the agent-service until `body` returns.
    func withAgentService<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let config = try config(name: "agent-service", databaseKey: "AGENT", port: agentPort)
        let app = try AgentService.buildApplication(config: config, logger: logger, providerConfig: try ProviderConfig(reader: ConfigReader([:])))
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        var ready = false
        for _ in 0..<400 where !ready {
            ready = (try? await SharedHTTP.status(of: "http://127.0.0.1:\(agentPort)/readyz")) == 200
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(ready, "agent-service did not start")
        do {
            let value = try await body()
            await group.triggerGracefulShutdown()
            try await running.value
            return value
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
    }

    /// Runs, on the agent-service's port, a peer slower than any deadline: it records each
    /// request's headers and holds it unanswered until `body` returns.
    func withStalledAgentService<T: Sendable>(_ body: @Sendable (StalledPeer) async throws -> T) async throws -> T {
        let peer = StalledPeer()
        let router = Router()
        router.post("internal/v1/agents/:role/execute") { request, _ -> Response in
            peer.record(request.headers)
            let giveUp = ContinuousClock.now + .seconds(30)
            while !peer.isReleased, ContinuousClock.now < giveUp { try await Task.sleep(for: .milliseconds(10)) }
            return Response(status: .serviceUnavailable)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: agentPort)), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let running = Task { try await group.run() }
        var listening = false
        for _ in 0..<400 where !listening {
            // Any HTTP answer (404 for an unknown route) means the port is served.
            listening = (try? await SharedHTTP.status(of: "http://127.0.0.1:\(agentPort)/healthz")) != nil
            if !listening { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(listening, "stalled agent-service did not start")
        defer { running.cancel() }
        let outcome: Result<T, any Error>
        do { outcome = .success(try await body(peer)) } catch { outcome = .failure(error) }
        peer.release()
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        return try outcome.get()
    }

    /// Runs the spec-service (HummingbirdTesting, live) until `body` returns.
    func withSpecService(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try SpecService.buildApplication(config: try config(name: "spec-service", databaseKey: "SPEC", port: 0), logger: logger)
        try await app.test(.live) { client in try await body(client) }
    }

    /// A user token for a tenant and role.
    func token(tenant: UUID, role: Role, user: String = "user-1") -> String {
        let jwt = JWT(secret: jwtSecret, issuer: "meta-builder", audience: "meta-builder")
        let now = Date().timeIntervalSince1970
        return jwt.sign(JWTClaims(sub: user, tid: tenant.uuidString.lowercased(), role: role.rawValue, exp: now + 600))
    }
}

/// A stand-in peer that never answers in time; it records the headers of what it received.
final class StalledPeer: Sendable {
    private let received = Mutex<[HTTPFields]>([])
    private let released = Atomic<Bool>(false)

    /// The headers of every request received so far.
    var requests: [HTTPFields] { received.withLock { $0 } }
    /// Whether held requests may finish.
    var isReleased: Bool { released.load(ordering: .sequentiallyConsistent) }

    func record(_ headers: HTTPFields) { received.withLock { $0.append(headers) } }
    func release() { released.store(true, ordering: .sequentiallyConsistent) }
}
