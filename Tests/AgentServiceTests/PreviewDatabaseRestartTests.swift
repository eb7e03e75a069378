import Foundation
import MeshTestSupport
import Shared
import Testing
@testable import AgentService

/// A failed step is a verdict on the scaffold only when the database stayed up while it ran: a
/// failure across a restart of the server is UNAVAILABLE, which the run-service retries; a
/// failure without one, and any success, are the step's own. Named `*RestartTests`: it restarts
/// Postgres, so scripts/test runs it in the pass of its own.
@Suite(.serialized) struct PreviewDatabaseRestartTests {
    static func connect<T: Sendable>(_ body: (PreviewDatabase) async throws -> T) async throws -> T {
        try await PreviewDatabase.connect(url: try AgentTestEnvironment.require("META_BUILDER_PREVIEW_DATABASE_URL"), name: "agent-tests-restart", logger: AgentTestEnvironment.logger, body)
    }

    @Test func aFailureAcrossARestartIsUnavailable() async throws {
        let error = await #expect(throws: WireError.self) {
            try await Self.connect { database in
                try await database.unlessRestarted(failed: { (passed: Bool) in !passed }) {
                    try InfraCommand.run("restart-postgres")
                    return false
                }
            }
        }
        #expect(error?.code == .unavailable)
        #expect(error?.retryAfter != nil)
    }

    @Test func aSuccessAcrossARestartAndAFailureWithoutOneAreTheStepsOwn() async throws {
        let passed = try await Self.connect { database in
            try await database.unlessRestarted(failed: { (passed: Bool) in !passed }) {
                try InfraCommand.run("restart-postgres")
                return true
            }
        }
        #expect(passed)
        let failed = try await Self.connect { database in
            try await database.unlessRestarted(failed: { (passed: Bool) in !passed }) { false }
        }
        #expect(!failed)
    }
}
