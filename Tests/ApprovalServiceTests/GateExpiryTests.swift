import Foundation
import MeshTestSupport
import Shared
import Testing
@testable import ApprovalService

/// Gates nobody decided in time: the sweeper closes them as `expired` (a rejection with reason
/// `expired`), also when the time ran out while no approval-service was running.
@Suite struct GateExpiryTests {
    @Test func anExpiredGateIsRejectedAsExpired() async throws {
        try await ApprovalHarness.with { harness in
            let tenant = UUID()
            let gate = try await harness.database.seedGate(tenant: tenant, expiresInSeconds: -1)
            let pending = try await harness.database.seedGate(tenant: tenant, expiresInSeconds: 3600)
            #expect(try await harness.eventually { try await harness.database.status(of: gate) == "expired" }, "\(harness.service.logTail())")

            try await Self.expectClosedAsExpired(gate, harness)
            #expect(try await harness.database.status(of: pending) == "pending")
            let shown = try await harness.call("GET", "/api/meta/v2/approvals/\(gate.id.lowercaseText)", token: harness.token(tenant, .viewer))
            #expect(shown.json?["status"]?.stringValue == "expired")
            #expect(shown.json?["decision_reason"]?.stringValue == "expired")
            #expect(shown.json?["decided_by"]?.stringValue == GateRepository.serviceActor)
            #expect(shown.json?["decisions"]?.array?.first?["actor"]?.stringValue == GateRepository.serviceActor)
            // No decision is taken on it any more.
            let late = try await harness.call("POST", "/api/meta/v2/runs/\(gate.run.lowercaseText)/reject", token: harness.token(tenant, .owner), body: #"{"comment":"late"}"#)
            #expect(late.status == 412)
        }
    }

    @Test func expiryOutlivesARestartOfTheService() async throws {
        try await ApprovalHarness.with { harness in
            let tenant = UUID()
            let gate = try await harness.database.seedGate(tenant: tenant, expiresInSeconds: 3)
            // The process dies before the gate expires, and is down when it does.
            harness.service.kill()
            try await Task.sleep(for: .seconds(4))
            try await harness.service.start()
            #expect(try await harness.eventually { try await harness.database.status(of: gate) == "expired" }, "\(harness.service.logTail())")
            try await Self.expectClosedAsExpired(gate, harness)
        }
    }

    /// The gate was closed exactly once, as expired: one `reject` by the service, one audit
    /// record, one `approval.decided` (`rejected`, reason `expired`), published.
    static func expectClosedAsExpired(_ gate: ApprovalDatabase.SeededGate, _ harness: ApprovalHarness) async throws {
        let decisions = try await harness.database.decisions(of: gate)
        #expect(decisions.map(\.actor) == [GateRepository.serviceActor])
        #expect(decisions.map(\.decision) == ["reject"])
        #expect(try await harness.database.audit(of: gate.id, tenant: gate.tenant).map(\.action) == ["approval.expire"])
        let events = try await harness.database.events(of: gate.id)
        #expect(events.map(\.type) == ["approval.decided"])
        #expect(events.first?.data["decision"]?.stringValue == "rejected")
        #expect(events.first?.data["reason"]?.stringValue == "expired")
        #expect(events.first?.data["decided_by"]?.stringValue == GateRepository.serviceActor)
        #expect(try await harness.eventually { try await harness.database.published(gate.id) }, "the relay publishes the event")
    }
}
