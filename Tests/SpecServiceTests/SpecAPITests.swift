import Foundation
import HTTPTypes
import HummingbirdTesting
import Shared
import Testing
@testable import SpecService

/// The spec-service API against the real Postgres, Redis and agent-service.
@Suite struct SpecAPITests {
    @Test func crmHappyPathCreatePlanAndFetch() async throws {
        let mesh = try MeshHarness()
        let tenant = UUID()
        let owner = mesh.token(tenant: tenant, role: .owner)
        try await mesh.withAgentService {
            try await mesh.withSpecService { client in
                let created = try await client.send(.post, "/api/meta/v2/specs", token: owner, json: SpecBodies.freeform())
                #expect(created.status == .created)
                #expect(created.headers[HTTPField.Name("RateLimit-Limit")!] == "20")
                let specID = try #require(created.json.string("id"))
                #expect(created.json.string("status") == "draft")
                #expect(created.json.string("description") == SpecBodies.crmDescription)

                let planned = try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: owner)
                #expect(planned.status == .created)
                let planID = try #require(planned.json.string("id"))
                #expect(planned.json["version"] == .number(1))

                let fetched = try await client.send(.get, "/api/meta/v2/specs/\(specID)/plans/\(planID)", token: owner)
                #expect(fetched.status == .ok)
                let plan = try JSONDecoder().decode(PlanVersionView.self, from: Data(buffer: fetched.body))
                #expect(plan.formalSpec.entities.map(\.name) == ["company", "contact", "deal"])
                // The permission matrix travels with the plan, each cell with its source clause.
                #expect(plan.formalSpec.permissionMatrix.contains(PermissionCell(role: "sales_rep", entity: "deal", action: .read, scope: .own, source: "sales reps see only their own deals")))
                #expect(plan.formalSpec.unrecognized.isEmpty)
                #expect(plan.risk.score == 40)
                #expect(plan.risk.flags.map(\.factor) == ["pii_present", "financial_data", "row_ownership_rules"])
                #expect(plan.plan.migrations.count == 5)
                #expect(plan.usage.count == 3)

                let spec = try await client.send(.get, "/api/meta/v2/specs/\(specID)", token: owner)
                #expect(spec.json.string("status") == "planned")
                #expect(spec.json["latest_plan_version"] == .number(1))
                let list = try await client.send(.get, "/api/meta/v2/specs/\(specID)/plans", token: owner)
                guard case .array(let plans)? = list.json["plans"] else { Issue.record("no plans"); return }
                #expect(plans.count == 1)
            }
        }
    }

    @Test func guidedSpecIsPlannedFromItsForm() async throws {
        let mesh = try MeshHarness()
        let admin = mesh.token(tenant: UUID(), role: .admin)
        try await mesh.withAgentService {
            try await mesh.withSpecService { client in
                let created = try await client.send(.post, "/api/meta/v2/specs", token: admin, json: SpecBodies.guided)
                #expect(created.status == .created)
                let specID = try #require(created.json.string("id"))
                let planned = try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: admin)
                #expect(planned.status == .created)
                let plan = try JSONDecoder().decode(PlanVersionView.self, from: Data(buffer: planned.body))
                #expect(plan.formalSpec.entities.map(\.name) == ["author", "book"])
                #expect(plan.formalSpec.relations.first?.kind == .oneToMany)
            }
        }
    }

    @Test func listIsNewestFirstWithPagesAndStatusFilter() async throws {
        let mesh = try MeshHarness()
        let owner = mesh.token(tenant: UUID(), role: .owner)
        try await mesh.withSpecService { client in
            var ids: [String] = []
            for index in 0..<5 {
                let created = try await client.send(.post, "/api/meta/v2/specs", token: owner, json: SpecBodies.freeform(title: "Spec \(index)"))
                ids.append(try #require(created.json.string("id")))
            }
            var seen: [String] = []
            var token: String?
            repeat {
                let uri = "/api/meta/v2/specs?page_size=2" + (token.map { "&page_token=\($0)" } ?? "")
                let page = try await client.send(.get, uri, token: owner)
                #expect(page.status == .ok)
                guard case .array(let specs)? = page.json["specs"] else { Issue.record("no specs"); return }
                #expect(specs.count <= 2)
                seen += specs.compactMap { $0.string("id") }
                token = page.json.string("next_page_token")
            } while token != nil
            #expect(seen == ids.reversed())
            let planned = try await client.send(.get, "/api/meta/v2/specs?status=planned", token: owner)
            guard case .array(let none)? = planned.json["specs"] else { Issue.record("no specs"); return }
            #expect(none.isEmpty)
            let bad = try await client.send(.get, "/api/meta/v2/specs?page_size=1000", token: owner)
            #expect(bad.wireError?.details.first?.field == "page_size")
            let badToken = try await client.send(.get, "/api/meta/v2/specs?page_token=nonsense", token: owner)
            #expect(badToken.wireError?.details.first?.field == "page_token")
        }
    }
}

/// The parts of a plan the tests read.
struct PlanVersionView: Decodable {
    let formalSpec: FormalSpec
    let plan: ScaffoldPlan
    let risk: RiskAssessment
    let usage: [AgentUsage]

    enum CodingKeys: String, CodingKey {
        case plan, risk, usage
        case formalSpec = "formal_spec"
    }
}
