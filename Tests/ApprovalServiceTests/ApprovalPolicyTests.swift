import Foundation
import MeshTestSupport
import Shared
import Testing
@testable import ApprovalService

/// The tenant's approval policy over HTTP: the configured default until a tenant sets its own,
/// owners and admins replace it (strict bodies, audited), every role reads it, tenants apart.
@Suite struct ApprovalPolicyTests {
    @Test func tenantsReadTheDefaultThenTheirOwnPolicy() async throws {
        try await ApprovalHarness.with(environment: ["META_BUILDER_APPROVAL_REQUIRED": "2", "META_BUILDER_APPROVAL_TTL_HOURS": "12"]) { harness in
            let (tenant, other) = (UUID(), UUID())
            let path = "/api/meta/v2/approval-policy"
            let initial = try await harness.call("GET", path, token: harness.token(tenant, .viewer))
            #expect(initial.status == 200, "\(initial.text)")
            #expect(initial.json?["source"]?.stringValue == "default")
            #expect(initial.json?["required_approvals"]?.int == 2)
            #expect(initial.json?["gate_ttl_hours"]?.int == 12)
            #expect(initial.json?["self_approval_allowed"]?.bool == false)

            // Only owners and admins replace it; bodies are strict and name the field.
            let body = #"{"required_approvals":3,"self_approval_allowed":true,"gate_ttl_hours":24}"#
            for role in [Role.member, .viewer] {
                #expect(try await harness.call("PUT", path, token: harness.token(tenant, role), body: body).status == 403)
            }
            let admin = harness.token(tenant, .admin, user: "policy-admin")
            for (bad, field) in [
                (#"{"required_approvals":0,"self_approval_allowed":true,"gate_ttl_hours":24}"#, "required_approvals"),
                (#"{"required_approvals":11,"self_approval_allowed":true,"gate_ttl_hours":24}"#, "required_approvals"),
                (#"{"required_approvals":2.5,"self_approval_allowed":true,"gate_ttl_hours":24}"#, "required_approvals"),
                (#"{"required_approvals":2,"self_approval_allowed":"yes","gate_ttl_hours":24}"#, "self_approval_allowed"),
                (#"{"required_approvals":2,"self_approval_allowed":true}"#, "gate_ttl_hours"),
                (#"{"required_approvals":2,"self_approval_allowed":true,"gate_ttl_hours":9000}"#, "gate_ttl_hours"),
                (#"{"required_approvals":2,"self_approval_allowed":true,"gate_ttl_hours":24,"quorum":1}"#, "quorum"),
            ] {
                let refused = try await harness.call("PUT", path, token: admin, body: bad)
                #expect(refused.status == 400, "\(bad): \(refused.text)")
                #expect(refused.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == field, "\(bad): \(refused.text)")
            }
            #expect(try await harness.call("GET", path, token: admin).json?["source"]?.stringValue == "default")

            let replaced = try await harness.call("PUT", path, token: admin, body: body)
            #expect(replaced.status == 200, "\(replaced.text)")
            #expect(replaced.json?["source"]?.stringValue == "tenant")
            #expect(replaced.json?["required_approvals"]?.int == 3)
            #expect(replaced.json?["self_approval_allowed"]?.bool == true)
            #expect(replaced.json?["gate_ttl_hours"]?.int == 24)
            #expect(replaced.json?["updated_at"]?.stringValue != nil)
            #expect(try await harness.call("GET", path, token: harness.token(tenant, .viewer)).json == replaced.json)
            let contract = try await harness.call("GET", "/openapi.json", token: nil).text
            #expect(try await OpenAPISchemaCheck.violations(of: replaced.text, schema: "ApprovalPolicy", document: contract).isEmpty)
            let audit = try await harness.database.audit(of: tenant, tenant: tenant)
            #expect(audit.map(\.action) == ["approval.policy.update"])
            #expect(audit.map(\.actor) == ["policy-admin"])

            // Another tenant still has the default.
            #expect(try await harness.call("GET", path, token: harness.token(other, .owner)).json?["source"]?.stringValue == "default")
        }
    }
}
