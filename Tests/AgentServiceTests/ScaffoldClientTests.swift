import Foundation
import Shared
import Testing
@testable import AgentService

/// How the QA Evaluator's client reads a spec's roles and owners (no HTTP involved): scopes come
/// from every permission a role has for an entity, and owners that are rows are found along paths.
@Suite struct ScaffoldClientTests {
    private func client(_ spec: FormalSpec) throws -> ScaffoldClient {
        let http = HTTPClient.external(loop: CurlLoop(logger: AgentTestEnvironment.logger), logger: AgentTestEnvironment.logger)
        return ScaffoldClient(http: http, baseURL: "http://127.0.0.1:9", plan: try SystemDesigner().design(DesignerInput(spec: spec)), jwtSecret: "unused", deadline: .after(.seconds(5)))
    }

    @Test func aRoleScopeComesFromEveryPermissionItHasForTheEntity() throws {
        var spec = CRMFixture.spec
        spec.roles = [
            RoleSpec(name: "sales_rep", permissions: [
                .init(entity: "deal", actions: [.create, .update], scope: .own),
                .init(entity: "deal", actions: [.read], scope: .all),
                .init(entity: "company", actions: [.read]),
            ]),
            RoleSpec(name: "auditor", permissions: [
                .init(entity: "deal", actions: [.read], scope: .own),
                .init(entity: "deal", actions: [.read, .update], scope: .all),
            ]),
        ]
        let client = try client(spec)
        #expect(client.scope(of: "sales_rep", .read, on: "deal") == .all, "the second entry grants reading all deals")
        #expect(client.scope(of: "sales_rep", .create, on: "deal") == .own)
        #expect(client.scope(of: "sales_rep", .delete, on: "deal") == nil)
        #expect(client.scope(of: "auditor", .read, on: "deal") == .all, "all wins over own")
        #expect(client.scope(of: "nobody", .read, on: "deal") == nil)
        // sales_rep has an entry with scope all for deals, but not for updating them.
        #expect(client.role(allowing: .update, on: "deal") == "auditor")
        #expect(client.role(allowing: .create, on: "deal") == "sales_rep")
        #expect(client.role(allowing: .delete, on: "deal") == nil)
    }

    @Test func ownersThatAreRowsAreFoundAlongPaths() throws {
        let clinic = try ProductArchitect().design(ClinicFixture.input(ClinicFixture.form(doses: true)))
        for name in ["appointment", "prescription", "dose"] {
            #expect(clinic.ownerRowEntity(of: try #require(clinic.entity(named: name)))?.name == "patient", "\(name)")
        }
        #expect(clinic.ownerRowEntity(of: try #require(clinic.entity(named: "patient"))) == nil)
        #expect(CRMFixture.spec.ownerRowEntity(of: CRMFixture.spec.entities[2]) == nil, "deal.owner holds a user id")
    }
}
