import Foundation
import HTTPTypes
import HummingbirdTesting
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

    @Test func slowPlanningHonoursTheCallersDeadline() async throws {
        let mesh = try MeshHarness()
        let owner = mesh.token(tenant: UUID(), role: .owner)
        try await mesh.withAgentService {
            try await mesh.withSpecService { client in
                let created = try await client.send(.post, "/api/meta/v2/specs", token: owner, json: SpecBodies.freeform())
                let specID = try #require(created.json.string("id"))
                let hurried = try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: owner, headers: [.grpcTimeout: "1m"])
                #expect(hurried.status == .gatewayTimeout)
                #expect(hurried.wireError?.code == .deadlineExceeded)
                let plans = try await client.send(.get, "/api/meta/v2/specs/\(specID)/plans", token: owner)
                guard case .array(let none)? = plans.json["plans"] else { Issue.record("no plans"); return }
                #expect(none.isEmpty)
            }
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
                var received: [CloudEvent] = []
                let deadline = ContinuousClock.now + .seconds(10)
                for await message in subscription.messages {
                    #expect(!message.payload.contains("jane.doe"))
                    #expect(!message.payload.contains("555 123"))
                    let event = try CloudEvent.decode(message.payload)
                    if event.tenantid == tenant.uuidString.lowercased() { received.append(event) }
                    if received.count == 2 || ContinuousClock.now > deadline { break }
                }
                #expect(received.map(\.type) == ["spec.created", "plan.generated"])
                #expect(received.allSatisfy { $0.data["spec_id"]?.stringValue == specID })
                #expect(received.last?.data["risk_score"] != nil)
            }
        }
    }
}
