import Foundation
import Logging
import MeshTestSupport
import Shared
import Testing
@testable import ApprovalService

/// One approval-service process on loopback against the real Postgres and Redis, its peers
/// absent (their URLs lead nowhere): the gates a test needs are seeded directly in the
/// `approval` schema (`ApprovalDatabase`), and the test talks to the service over HTTP with
/// user and service tokens.
final class ApprovalHarness: Sendable {
    static let jwtSecret = "approval-tests-user-secret-0123456789abcdef"

    let service: ServiceProcess
    let client = MeshClient(jwtSecret: ApprovalHarness.jwtSecret)
    let database: ApprovalDatabase
    private let scratch: String
    /// Where the peers' URLs lead: a port that refuses connections while the harness lives.
    private let nowhere: ClosedPort

    private init(environment: [String: String], database: ApprovalDatabase) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("approval-tests-\(UUID().uuidString.prefix(8).lowercased())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        nowhere = try ClosedPort()
        service = ServiceProcess(name: "approval-service", port: try LoopbackPort.free(), environment: try ServiceDatabase.environment("APPROVAL").merging([
            "META_BUILDER_REDIS_URL": try RequiredEnvironment.value("META_BUILDER_REDIS_URL"),
            "META_BUILDER_JWT_SECRET": Self.jwtSecret,
            "META_BUILDER_RUN_URL": nowhere.url,
            "META_BUILDER_SPEC_URL": nowhere.url,
            "META_BUILDER_AGENT_URL": nowhere.url,
            "META_BUILDER_OUTBOX_POLL_MS": "20",
            "META_BUILDER_APPROVAL_SWEEP_MS": "200",
        ]) { $1 }.merging(MeshKeys.environment(for: "approval-service")) { $1 }.merging(environment) { $1 }, logPath: scratch + "/approval-service.log")
        self.database = database
    }

    /// Starts the service (`environment` added to its own), runs `body`, stops it whatever happens.
    static func with<T: Sendable>(environment: [String: String] = [:], _ body: (ApprovalHarness) async throws -> T) async throws -> T {
        try await ApprovalDatabase.with { database in
            let harness = try ApprovalHarness(environment: environment, database: database)
            defer {
                harness.service.stop()
                try? FileManager.default.removeItem(atPath: harness.scratch)
            }
            try await harness.service.start()
            return try await body(harness)
        }
    }

    /// Calls the service at `path`.
    func call(_ method: String, _ path: String, token: String?, body: String? = nil, headers: [(String, String)] = []) async throws -> MeshClient.Answer {
        try await client.call(method, service.url + path, token: token, body: body, headers: headers)
    }

    /// A user token.
    func token(_ tenant: UUID, _ role: Role, user: String = "reviewer") -> String {
        client.token(tenant: tenant, role: role, user: user)
    }

    /// A service token of `issuer` (the run-service unless named) to the approval-service,
    /// acting for `user` of `tenant`.
    func serviceToken(_ tenant: UUID, user: String = "creator", role: Role = .owner, from issuer: String = "run-service") -> String {
        client.serviceToken(for: Principal(userID: user, tenantID: tenant, role: role), from: issuer, to: "approval-service")
    }

    /// Polls `condition` every 100 ms until it holds or `timeout` passes; whether it held.
    func eventually(timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async throws -> Bool {
        let giveUp = ContinuousClock.now + timeout
        while ContinuousClock.now < giveUp {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }
}
