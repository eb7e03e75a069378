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
            let plans = try await client.send(.get, "/api/meta/v2/specs/\(specID)/plans", token: owner)
            guard case .array(let none)? = plans.json["plans"] else { Issue.record("no plans"); return }
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
            let afterDown = try await client.send(.get, "/api/meta/v2/specs/\(specID)/plans", token: owner)
            guard case .array(let plans)? = afterDown.json["plans"] else { Issue.record("no plans"); return }
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
                let hurried = try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: owner, headers: [.grpcTimeout: "1500m"])
                #expect(hurried.status == .gatewayTimeout)
                #expect(hurried.wireError?.code == .deadlineExceeded)
                // The agent call carried what was left of the caller's 1.5 s, and was not retried past it.
                let calls = peer.requests
                #expect(calls.count == 1)
                let propagated = try #require(calls.first?[.grpcTimeout].flatMap(GRPCTimeout.parse))
                #expect(propagated > .zero && propagated <= .milliseconds(1500))
            }
            let plans = try await client.send(.get, "/api/meta/v2/specs/\(specID)/plans", token: owner)
            guard case .array(let none)? = plans.json["plans"] else { Issue.record("no plans"); return }
            #expect(none.isEmpty)
            let unchanged = try await client.send(.get, "/api/meta/v2/specs/\(specID)", token: owner)
            #expect(unchanged.json.string("status") == "draft")
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
