import Foundation
import HTTPTypes
import HummingbirdTesting
import MeshTestSupport
import Shared
import Testing
@testable import SpecService

/// Planning when the agent-service is down, and the events the spec-service publishes.
@Suite struct SpecResilienceTests {
    @Test func agentServiceDownIsUnavailableAndLeavesNothingHalfWritten() async throws {
        let mesh = try MeshHarness()
        let owner = mesh.token(tenant: UUID(), role: .owner)
        try await mesh.withSpecService { client in
            let created = try await client.send(.post, "/api/meta/v2/specs", token: owner, json: SpecBodies.freeform())
            let specID = try #require(created.json.string("id"))
            // Nothing listens on the agent-service port.
            let down = try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: owner)
            #expect(down.status == .serviceUnavailable)
            #expect(down.wireError?.code == .unavailable)
            #expect(down.headers[.retryAfter] != nil)
            let none = try await client.plans(of: specID, token: owner)
            #expect(none.isEmpty)
            let unchanged = try await client.send(.get, "/api/meta/v2/specs/\(specID)", token: owner)
            #expect(unchanged.json.string("status") == "draft")
            #expect(unchanged.json.string("updated_at") == created.json.string("updated_at"))
            // Back up: the same request succeeds.
            try await mesh.withAgentService {
                let retried = try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: owner)
                #expect(retried.status == .created)
                #expect(retried.json["version"] == .number(1))
            }
        }
    }

    /// A Redis that takes connections and never answers: what needs only Postgres keeps serving,
    /// a rate-limited create fails open (the limiter gives up on Redis by its timeout and the
    /// request's deadline), and readiness says Redis is not there.
    @Test func aRedisThatNeverAnswersLeavesPostgresEndpointsServing() async throws {
        let silent = try SilentPort()
        let mesh = try MeshHarness(redisURL: silent.redisURL)
        let owner = mesh.token(tenant: UUID(), role: .owner)
        try await mesh.withSpecService { client in
            var ids: [String] = []
            for _ in 0..<3 {
                let created = try await client.send(.post, "/api/meta/v2/specs", token: owner, json: SpecBodies.freeform())
                #expect(created.status == .created, "\(created.wireError.map { "\($0)" } ?? "")")
                ids += [created.json.string("id")].compactMap { $0 }
            }
            #expect(ids.count == 3)
            for id in ids {
                #expect(try await client.send(.get, "/api/meta/v2/specs/\(id)", token: owner).status == .ok)
            }
            let listed = try await client.send(.get, "/api/meta/v2/specs", token: owner)
            #expect(listed.status == .ok)
            let ready = try await client.send(.get, "/readyz", token: nil)
            #expect(ready.status == .serviceUnavailable)
        }
    }

    @Test func agentServiceStoppedBetweenPlansIsUnavailableThenHeals() async throws {
        let mesh = try MeshHarness()
        let owner = mesh.token(tenant: UUID(), role: .owner)
        try await mesh.withSpecService { client in
            let created = try await client.send(.post, "/api/meta/v2/specs", token: owner, json: SpecBodies.freeform())
            let specID = try #require(created.json.string("id"))
            let first = try await mesh.withAgentService {
                try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: owner)
            }
            #expect(first.status == .created)
            // Stopped after serving (the client may hold kept-alive connections to it).
            let down = try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: owner)
            #expect(down.status == .serviceUnavailable)
            #expect(down.headers[.retryAfter] != nil)
            let plans = try await client.plans(of: specID, token: owner)
            #expect(plans.count == 1)
            try await mesh.withAgentService {
                let again = try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: owner)
                #expect(again.status == .created)
                #expect(again.json["version"] == .number(2))
            }
        }
    }

    @Test func agentSlowerThanTheDeadlineIsDeadlineExceededWithTheDeadlinePropagated() async throws {
        let mesh = try MeshHarness()
        let owner = mesh.token(tenant: UUID(), role: .owner)
        try await mesh.withSpecService { client in
            let created = try await client.send(.post, "/api/meta/v2/specs", token: owner, json: SpecBodies.freeform())
            let specID = try #require(created.json.string("id"))
            try await mesh.withStalledAgentService { peer in
                // The request's own trace tells its agent calls from any other the port gets.
                let trace = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())
                let hurried = try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: owner, headers: [.grpcTimeout: "5S", .traceparent: "00-\(trace)-00f067aa0ba902b7-01"])
                #expect(hurried.status == .gatewayTimeout)
                #expect(hurried.wireError?.code == .deadlineExceeded)
                // The agent call carried what was left of the caller's 5 s, and was not retried past it.
                let calls = peer.requests.filter { $0[.traceparent]?.contains(trace) == true }
                #expect(calls.count == 1)
                let propagated = try #require(calls.first?[.grpcTimeout].flatMap(GRPCTimeout.parse))
                #expect(propagated > .zero && propagated <= .seconds(5))
            }
            let none = try await client.plans(of: specID, token: owner)
            #expect(none.isEmpty)
            let unchanged = try await client.send(.get, "/api/meta/v2/specs/\(specID)", token: owner)
            #expect(unchanged.json.string("status") == "draft")
        }
    }

    @Test func planRetriedWithItsIdempotencyKeyMakesOnePlan() async throws {
        let mesh = try MeshHarness()
        let owner = mesh.token(tenant: UUID(), role: .owner)
        try await mesh.withSpecService { client in
            let specID = try #require(try await client.send(.post, "/api/meta/v2/specs", token: owner, json: SpecBodies.freeform()).json.string("id"))
            let otherSpecID = try #require(try await client.send(.post, "/api/meta/v2/specs", token: owner, json: SpecBodies.freeform(title: "Other")).json.string("id"))
            let key = UUID().uuidString
            // First try: the agent-service holds it, then fails it. While it is held, the same key
            // is in progress; after it failed, nothing is stored under the key.
            try await mesh.withStalledAgentService { peer in
                try await ParallelClient.with(client) { parallel in
                    let path = "/api/meta/v2/specs/\(specID)/plan"
                    async let held = parallel.send("POST", path, token: owner, headers: [("Idempotency-Key", key)])
                    // Once the held request reached the agents, it has claimed the key.
                    for _ in 0..<1500 where peer.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
                    try #require(!peer.requests.isEmpty, "the first plan request never reached the agent-service")
                    let concurrent = try await parallel.send("POST", path, token: owner, headers: [("Idempotency-Key", key)])
                    #expect(concurrent.status == 409)
                    #expect(concurrent.wireError?.code == .aborted)
                    #expect(concurrent.header("Retry-After") == "1")
                    // The peer now answers its held call with 503: the first request fails.
                    peer.release()
                    #expect(try await held.status == 503)
                }
            }
            try await mesh.withAgentService {
                // The retry with the same key plans; retrying again replays that plan.
                let retried = try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: owner, headers: [.idempotencyKey: key])
                #expect(retried.status == .created)
                #expect(retried.json["version"] == .number(1))
                let replayed = try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: owner, headers: [.idempotencyKey: key])
                #expect(replayed.status == .created)
                #expect(replayed.headers[.idempotentReplayed] == "true")
                #expect(replayed.json.string("id") == retried.json.string("id"))
                // The same key for another spec is another request.
                let misused = try await client.send(.post, "/api/meta/v2/specs/\(otherSpecID)/plan", token: owner, headers: [.idempotencyKey: key])
                #expect(misused.status == .conflict)
                #expect(misused.wireError?.code == .alreadyExists)
            }
            let stored = try await client.plans(of: specID, token: owner)
            #expect(stored.count == 1)
        }
    }

    @Test func eventsAreDeliveredWithoutPII() async throws {
        let mesh = try MeshHarness()
        let tenant = UUID()
        let owner = mesh.token(tenant: tenant, role: .owner)
        let redis = try RedisConfig(url: try MeshHarness.require("META_BUILDER_REDIS_URL"))
        let subscription = await RedisSubscription.open(channels: [CloudEvent.channel(for: "spec.created"), CloudEvent.channel(for: "plan.generated")], config: redis, logger: mesh.logger)
        defer { subscription.close() }
        let description = "A CRM for jane.doe@example.com (call +1 555 123 4567) with contacts that have a name and email"
        try await mesh.withAgentService {
            try await mesh.withSpecService { client in
                let created = try await client.send(.post, "/api/meta/v2/specs", token: owner, json: SpecBodies.freeform(title: "CRM for jane.doe@example.com", description: description))
                let specID = try #require(created.json.string("id"))
                #expect(created.json.string("description") == description, "PII is kept in the spec itself")
                let planned = try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: owner)
                #expect(planned.status == .created)
                // Other tests publish too: read until this tenant's two events arrived, bounded in time.
                let tenantID = tenant.uuidString.lowercased()
                let ours: @Sendable ([RedisMessage]) -> [CloudEvent] = { messages in
                    messages.compactMap { try? CloudEvent.decode($0.payload) }.filter { $0.tenantid == tenantID }
                }
                let messages = await MessageCollector.collect(subscription, timeout: .seconds(15)) { ours($0).count >= 2 }
                for message in messages {
                    #expect(!message.payload.contains("jane.doe"))
                    #expect(!message.payload.contains("555 123"))
                }
                let received = ours(messages)
                #expect(received.map(\.type) == ["spec.created", "plan.generated"])
                #expect(received.allSatisfy { $0.data["spec_id"]?.stringValue == specID })
                #expect(received.last?.data["risk_score"] != nil)
            }
        }
    }
}
