import Foundation
import MeshTestSupport
import Shared
import Testing
@testable import ApprovalService

/// The approval-service's API on a real process, with gates seeded in its schema: roles,
/// tenant isolation on every route, strict bodies, the decision rules, idempotency, the hourly
/// limit, the list's order and pages, and the internal routes.
@Suite struct ApprovalAPITests {
    @Test func rolesAndTenantsGetClearErrorsOnEveryRoute() async throws {
        try await ApprovalHarness.with { harness in
            let (tenant, other) = (UUID(), UUID())
            let gate = try await harness.database.seedGate(tenant: tenant)
            let (approve, reject) = ("/api/meta/v2/runs/\(gate.run.lowercaseText)/approve", "/api/meta/v2/runs/\(gate.run.lowercaseText)/reject")
            let comment = #"{"comment":"not now"}"#

            // Only owners and admins decide; everybody reads.
            for role in [Role.member, .viewer] {
                for path in [approve, reject] {
                    let refused = try await harness.call("POST", path, token: harness.token(tenant, role), body: comment)
                    #expect(refused.status == 403, "\(role) \(path): \(refused.text)")
                    #expect(refused.json?[path: "error", "code"]?.stringValue == "PERMISSION_DENIED")
                }
                #expect(try await harness.call("GET", "/api/meta/v2/approvals", token: harness.token(tenant, role)).status == 200)
                #expect(try await harness.call("GET", "/api/meta/v2/approvals/\(gate.id.lowercaseText)", token: harness.token(tenant, role)).status == 200)
            }
            #expect(try await harness.call("GET", "/api/meta/v2/approvals", token: nil).status == 401)

            // Another tenant's ids are 404 on every route; its lists are empty.
            let stranger = harness.token(other, .owner)
            #expect(try await harness.call("POST", approve, token: stranger).status == 404)
            #expect(try await harness.call("POST", reject, token: stranger, body: comment).status == 404)
            #expect(try await harness.call("GET", "/api/meta/v2/approvals/\(gate.id.lowercaseText)", token: stranger).status == 404)
            #expect(try await harness.call("GET", "/api/meta/v2/approvals", token: stranger).json?["approvals"]?.array?.isEmpty == true)
            let theirGates = try await harness.call("GET", "/internal/v1/gates?run_id=\(gate.run.lowercaseText)", token: harness.serviceToken(other))
            #expect(theirGates.status == 200)
            #expect(theirGates.json?["gates"]?.array?.isEmpty == true)
            let theirs = try await harness.call("POST", "/internal/v1/gates", token: harness.serviceToken(other), body: #"{"run_id":"\#(gate.run.lowercaseText)","iteration":1}"#)
            #expect(theirs.status == 503, "the run-service (unreachable here) is asked, not this tenant's gate: \(theirs.text)")
            // Malformed and unknown ids are 404 as well; a run without a gate too.
            let owner = harness.token(tenant, .owner)
            #expect(try await harness.call("GET", "/api/meta/v2/approvals/not-a-uuid", token: owner).status == 404)
            #expect(try await harness.call("POST", "/api/meta/v2/runs/not-a-uuid/approve", token: owner).status == 404)
            let noGate = try await harness.call("POST", "/api/meta/v2/runs/\(UUID().lowercaseText)/approve", token: owner)
            #expect(noGate.status == 404)
            #expect(noGate.json?[path: "error", "message"]?.stringValue?.contains("has no approval gate") == true)

            // The internal routes take service tokens only, of the services their contract lists,
            // addressed to this service: everything else is 401 with a Bearer challenge.
            let gatesPath = "/internal/v1/gates?run_id=\(gate.run.lowercaseText)"
            let principal = Principal(userID: "creator", tenantID: tenant, role: .owner)
            let refused: [(String, String)] = [
                ("a user token", owner),
                ("a token of the spec-service, which may not call this route", harness.serviceToken(tenant, from: "spec-service")),
                ("a token of the agent-service", harness.serviceToken(tenant, from: "agent-service")),
                ("a run-service token addressed to the spec-service", harness.client.serviceToken(for: principal, from: "run-service", to: "spec-service")),
            ]
            for (name, token) in refused {
                let answer = try await harness.call("GET", gatesPath, token: token)
                #expect(answer.status == 401, "\(name): \(answer.text)")
                #expect(answer.header("WWW-Authenticate")?.hasPrefix("Bearer ") == true, "\(name)")
                #expect(try await harness.call("POST", "/internal/v1/gates", token: token, body: #"{"run_id":"\#(gate.run.lowercaseText)","iteration":1}"#).status == 401, "\(name)")
            }
            // A service token on a public route its contract does not open to services is refused too.
            #expect(try await harness.call("GET", "/api/meta/v2/approvals", token: harness.serviceToken(tenant)).status == 401)
            #expect(try await harness.call("GET", gatesPath, token: harness.serviceToken(tenant)).status == 200)
            #expect(try await harness.database.status(of: gate) == "pending")
        }
    }

    @Test func decisionsFollowThePolicyAndTheEvidence() async throws {
        try await ApprovalHarness.with { harness in
            let tenant = UUID()
            let owner = harness.token(tenant, .owner, user: "reviewer")
            let gate = try await harness.database.seedGate(tenant: tenant, createdBy: "creator")
            let path = "/api/meta/v2/runs/\(gate.run.lowercaseText)"

            // Bad bodies name the field.
            for (verb, body, field) in [
                ("reject", "", "comment"), ("reject", #"{"comment":" "}"#, "comment"), ("approve", #"{"comment":"ok","vote":1}"#, "vote"),
                ("reject", #"{"comment":"\#(String(repeating: "n", count: 2001))"}"#, "comment"), ("approve", #"{"comment":"a\u0000b"}"#, "comment"),
            ] {
                let answer = try await harness.call("POST", "\(path)/\(verb)", token: owner, body: body.isEmpty ? nil : body)
                #expect(answer.status == 400, "\(verb) \(body.prefix(40)): \(answer.text)")
                #expect(answer.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == field)
            }

            // The creator may not approve their own run; the refusal says why.
            let own = try await harness.call("POST", "\(path)/approve", token: harness.token(tenant, .admin, user: "creator"))
            #expect(own.status == 403)
            #expect(own.json?[path: "error", "message"]?.stringValue?.contains("self_approval_allowed") == true, "\(own.text)")

            // Another owner approves: the gate is approved in one transaction with its decision,
            // audit record and event.
            let approved = try await harness.call("POST", "\(path)/approve", token: owner, body: #"{"comment":"looks right"}"#)
            #expect(approved.status == 200, "\(approved.text)")
            #expect(approved.json?["status"]?.stringValue == "approved")
            #expect(approved.json?["approvals"]?.int == 1)
            #expect(approved.json?["decided_at"]?.stringValue != nil)
            #expect(approved.json?["decided_by"]?.stringValue == "reviewer")
            #expect(approved.json?["decisions"]?.array?.map { $0["actor"]?.stringValue } == ["reviewer"])
            #expect(approved.header("RateLimit-Limit") == "50")
            #expect(try await harness.database.decisions(of: gate).map(\.decision) == ["approve"])
            #expect(try await harness.database.audit(of: gate.id, tenant: tenant).map(\.action) == ["approval.approve"])
            let events = try await harness.database.events(of: gate.id)
            #expect(events.map(\.type) == ["approval.decided"])
            #expect(events.first?.data == .object([
                "gate_id": .string(gate.id.lowercaseText), "run_id": .string(gate.run.lowercaseText), "iteration": .number(1),
                "decision": .string("approved"), "decided_by": .string("reviewer"),
            ]))
            #expect(events.first?.tenantid == tenant.lowercaseText)

            // The answers are what the contract says.
            let contract = try await harness.call("GET", "/openapi.json", token: nil).text
            for (answer, schema) in [
                (approved.text, "Gate"), (try await harness.call("GET", "/api/meta/v2/approvals", token: owner).text, "GatePage"),
                (try await harness.call("GET", "/internal/v1/gates?run_id=\(gate.run.lowercaseText)", token: harness.serviceToken(tenant)).text, "RunGates"),
            ] {
                let violations = try await OpenAPISchemaCheck.violations(of: answer, schema: schema, document: contract)
                #expect(violations.isEmpty, "\(schema): \(violations)")
            }

            // A second decision on a decided gate is refused.
            for verb in ["approve", "reject"] {
                let late = try await harness.call("POST", "\(path)/\(verb)", token: harness.token(tenant, .admin, user: "late"), body: #"{"comment":"too late"}"#)
                #expect(late.status == 412, "\(late.text)")
                #expect(late.json?[path: "error", "code"]?.stringValue == "FAILED_PRECONDITION")
            }

            // Without passing rollback evidence there is no approval, but a rejection.
            for evidence in [RollbackEvidence.Status.failed, .missing] {
                let unproven = try await harness.database.seedGate(tenant: tenant, rollback: evidence)
                let refused = try await harness.call("POST", "/api/meta/v2/runs/\(unproven.run.lowercaseText)/approve", token: owner)
                #expect(refused.status == 412, "\(refused.text)")
                #expect(refused.json?[path: "error", "message"]?.stringValue?.contains("rollback evidence is '\(evidence.rawValue)'") == true)
                let rejected = try await harness.call("POST", "/api/meta/v2/runs/\(unproven.run.lowercaseText)/reject", token: owner, body: #"{"comment":"the down migration fails"}"#)
                #expect(rejected.status == 200)
                #expect(rejected.json?["status"]?.stringValue == "rejected")
                #expect(rejected.json?["decision_reason"]?.stringValue == "rejected")
                #expect(try await harness.database.events(of: unproven.id).first?.data["reason"]?.stringValue == "rejected")
                #expect(try await harness.database.decisions(of: unproven).first?.comment == "the down migration fails")
            }
        }
    }

    @Test func severalApprovalsAndSelfApprovalUnderTheGatesPolicy() async throws {
        try await ApprovalHarness.with { harness in
            let tenant = UUID()
            let gate = try await harness.database.seedGate(tenant: tenant, createdBy: "creator", requiredApprovals: 2, selfApprovalAllowed: true)
            let path = "/api/meta/v2/runs/\(gate.run.lowercaseText)/approve"

            let first = try await harness.call("POST", path, token: harness.token(tenant, .owner, user: "creator"))
            #expect(first.status == 200, "\(first.text)")
            #expect(first.json?["status"]?.stringValue == "pending")
            #expect(first.json?["approvals"]?.int == 1)
            #expect(first.json?["required_approvals"]?.int == 2)
            #expect(first.json?["self_approval_allowed"]?.bool == true)
            #expect(first.json?["decided_by"] == nil, "a pending gate has not been decided by anyone")
            #expect(try await harness.database.events(of: gate.id).isEmpty, "an approval that is not the last emits nothing")

            let again = try await harness.call("POST", path, token: harness.token(tenant, .owner, user: "creator"))
            #expect(again.status == 409)
            #expect(again.json?[path: "error", "code"]?.stringValue == "ALREADY_EXISTS")

            let second = try await harness.call("POST", path, token: harness.token(tenant, .admin, user: "second"))
            #expect(second.json?["status"]?.stringValue == "approved")
            #expect(second.json?["approvals"]?.int == 2)
            #expect(try await harness.database.events(of: gate.id).map { $0.data["decided_by"]?.stringValue } == ["second"])
            #expect(try await harness.database.audit(of: gate.id, tenant: tenant).map(\.actor) == ["creator", "second"])
        }
    }

    @Test func decisionsAreIdempotentAndLimitedPerHour() async throws {
        try await ApprovalHarness.with { harness in
            let tenant = UUID()
            let owner = harness.token(tenant, .owner)
            var gates: [ApprovalDatabase.SeededGate] = []
            for _ in 0..<51 { gates.append(try await harness.database.seedGate(tenant: tenant)) }

            // The same key and body replay the answer (and spend no quota); another body is a conflict.
            let key = [("Idempotency-Key", "decide-\(UUID().lowercaseText)")]
            let first = try await harness.call("POST", "/api/meta/v2/runs/\(gates[0].run.lowercaseText)/approve", token: owner, body: #"{"comment":"ok"}"#, headers: key)
            #expect(first.status == 200)
            let replay = try await harness.call("POST", "/api/meta/v2/runs/\(gates[0].run.lowercaseText)/approve", token: owner, body: #"{ "comment" : "ok" }"#, headers: key)
            #expect(replay.status == 200)
            #expect(replay.header("Idempotent-Replayed") == "true")
            #expect(replay.json == first.json)
            let reused = try await harness.call("POST", "/api/meta/v2/runs/\(gates[0].run.lowercaseText)/approve", token: owner, body: #"{"comment":"other"}"#, headers: key)
            #expect(reused.status == 409)
            #expect(reused.json?[path: "error", "code"]?.stringValue == "ALREADY_EXISTS")
            #expect(try await harness.database.decisions(of: gates[0]).count == 1)

            // 50 decisions an hour per tenant: the 51st is refused with Retry-After.
            for gate in gates[1..<50] {
                let answer = try await harness.call("POST", "/api/meta/v2/runs/\(gate.run.lowercaseText)/approve", token: owner)
                #expect(answer.status == 200, "\(answer.text)")
            }
            let over = try await harness.call("POST", "/api/meta/v2/runs/\(gates[50].run.lowercaseText)/reject", token: owner, body: #"{"comment":"no"}"#)
            #expect(over.status == 429, "\(over.text)")
            #expect(over.json?[path: "error", "code"]?.stringValue == "RESOURCE_EXHAUSTED")
            #expect(Int(over.header("Retry-After") ?? "") ?? 0 > 0)
            #expect(try await harness.database.status(of: gates[50]) == "pending")
            // A replay still answers; another tenant has its own hour.
            #expect(try await harness.call("POST", "/api/meta/v2/runs/\(gates[0].run.lowercaseText)/approve", token: owner, body: #"{"comment":"ok"}"#, headers: key).status == 200)
            let other = UUID()
            let theirs = try await harness.database.seedGate(tenant: other)
            #expect(try await harness.call("POST", "/api/meta/v2/runs/\(theirs.run.lowercaseText)/approve", token: harness.token(other, .owner)).status == 200)
        }
    }

    @Test func theListShowsPendingGatesFirstThenTheNewestInPages() async throws {
        try await ApprovalHarness.with { harness in
            let tenant = UUID()
            let viewer = harness.token(tenant, .viewer)
            var seeded: [ApprovalDatabase.SeededGate] = []
            for _ in 0..<5 { seeded.append(try await harness.database.seedGate(tenant: tenant)) }
            // Decide the newest and the oldest.
            for gate in [seeded[4], seeded[0]] {
                #expect(try await harness.call("POST", "/api/meta/v2/runs/\(gate.run.lowercaseText)/reject", token: harness.token(tenant, .owner), body: #"{"comment":"no"}"#).status == 200)
            }
            let expected = [seeded[3], seeded[2], seeded[1], seeded[4], seeded[0]].map(\.id.lowercaseText)

            var listed: [String] = []
            var token: String?
            repeat {
                let page = try await harness.call("GET", "/api/meta/v2/approvals?page_size=2" + (token.map { "&page_token=\($0)" } ?? ""), token: viewer)
                #expect(page.status == 200, "\(page.text)")
                listed += page.json?["approvals"]?.array?.compactMap { $0["id"]?.stringValue } ?? []
                token = page.json?["next_page_token"]?.stringValue
            } while token != nil && listed.count < 10
            #expect(listed == expected)

            let rejected = try await harness.call("GET", "/api/meta/v2/approvals?status=rejected", token: viewer)
            #expect(rejected.json?["approvals"]?.array?.compactMap { $0["id"]?.stringValue } == [seeded[4], seeded[0]].map(\.id.lowercaseText))
            let item = try #require(rejected.json?["approvals"]?.array?.first)
            #expect(item["title"]?.stringValue == "Add CRM")
            #expect(item["rollback"]?["status"]?.stringValue == "passed")
            #expect(item["decisions"] == nil, "list items leave out the evidence")

            for (query, field) in [("status=done", "status"), ("page_size=0", "page_size"), ("page_token=nope", "page_token")] {
                let bad = try await harness.call("GET", "/api/meta/v2/approvals?\(query)", token: viewer)
                #expect(bad.status == 400, "\(query)")
                #expect(bad.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == field)
            }
        }
    }

    @Test func theInternalRoutesAnswerARunsGatesAndNeverOpenOneTwice() async throws {
        try await ApprovalHarness.with { harness in
            let tenant = UUID()
            let service = harness.serviceToken(tenant)
            let gate = try await harness.database.seedGate(tenant: tenant, iteration: 2)

            let listed = try await harness.call("GET", "/internal/v1/gates?run_id=\(gate.run.lowercaseText)", token: service)
            #expect(listed.json?["gates"]?.array?.map { $0["id"]?.stringValue } == [gate.id.lowercaseText])
            #expect(listed.json?[path: "gates"]?.array?.first?["iteration"]?.int == 2)
            #expect(listed.json?[path: "gates"]?.array?.first?["status"]?.stringValue == "pending")

            // Asking again for an open gate answers it (200) without asking the run-service.
            let again = try await harness.call("POST", "/internal/v1/gates", token: service, body: #"{"run_id":"\#(gate.run.lowercaseText)","iteration":2}"#)
            #expect(again.status == 200, "\(again.text)")
            #expect(again.json?["id"]?.stringValue == gate.id.lowercaseText)
            #expect(try await harness.database.gates(of: gate.run, tenant: tenant) == [gate.id])

            // A gate that needs the run-service while it is down: 503 with Retry-After, nothing stored.
            let unreachable = try await harness.call("POST", "/internal/v1/gates", token: service, body: #"{"run_id":"\#(gate.run.lowercaseText)","iteration":3}"#)
            #expect(unreachable.status == 503, "\(unreachable.text)")
            #expect(unreachable.header("Retry-After") != nil)
            #expect(try await harness.database.gates(of: gate.run, tenant: tenant) == [gate.id])

            for (query, field) in [("", "run_id"), ("?run_id=nope", "run_id")] {
                let bad = try await harness.call("GET", "/internal/v1/gates\(query)", token: service)
                #expect(bad.status == 400)
                #expect(bad.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == field)
            }
            let badBody = try await harness.call("POST", "/internal/v1/gates", token: service, body: #"{"run_id":"\#(gate.run.lowercaseText)","iteration":0}"#)
            #expect(badBody.status == 400)
            #expect(badBody.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == "iteration")
        }
    }
}
