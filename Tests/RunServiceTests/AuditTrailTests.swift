import Foundation
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// The tenant's audit trail (`GET /api/meta/v2/audit` on the approval-service) over a full
    /// run on the real mesh: it holds the records of all four services, with the trace ids of the
    /// requests that caused them, filters and pages the merged trail without loss or duplicates,
    /// never shows another tenant's records, and refuses to answer while a service is unreachable.
    @Suite(.serialized) struct AuditTrailTests {
        /// Every record of the trail at `url` (a query without paging), read `pageSize` at a time.
        static func pages(_ client: MeshClient, _ url: String, token: String, pageSize: Int) async throws -> [JSONValue] {
            var records: [JSONValue] = []
            var pageToken: String?
            repeat {
                let separator = url.contains("?") ? "&" : "?"
                let next = pageToken.map { "&page_token=\($0)" } ?? ""
                let answer = try await client.call("GET", "\(url)\(separator)page_size=\(pageSize)\(next)", token: token)
                try #require(answer.status == 200, "\(answer.text)")
                let page = try #require(answer.json?["records"]?.array)
                #expect(page.count <= pageSize)
                records += page
                pageToken = answer.json?["next_page_token"]?.stringValue
            } while pageToken != nil
            return records
        }

        /// The trace id a service answered a request under.
        static func traceID(_ answer: MeshClient.Answer) throws -> String {
            try #require(answer.header("traceparent").flatMap(TraceContext.init(traceparent:))?.traceID)
        }

        @Test func theTrailOfAFullRunHoldsAllFourServicesAndNeverAnotherTenant() async throws {
            let approvalPort = try LoopbackPort.free()
            try await ApprovalGateTests.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)") { mesh, approval, client, _ in
                let (tenant, other) = (UUID(), UUID())
                let creator = client.token(tenant: tenant, role: .owner, user: "creator")
                let reviewer = client.token(tenant: tenant, role: .owner, user: "reviewer")
                let stranger = client.token(tenant: other, role: .owner, user: "stranger")
                let spec = "http://127.0.0.1:\(mesh.specPort)/api/meta/v2/specs"
                let body = { (title: String, text: String) in #"{"title":"\#(title)","mode":"freeform","description":"\#(text)"}"# }

                // A high-risk run, planned when it starts, parks for approval and is approved.
                let created = try await client.call("POST", spec, token: creator, body: body("Synced CRM", RunLoopTests.syncedCRM))
                try #require(created.status == 201, "\(created.text)")
                let specID = try #require(created.json?["id"]?.stringValue)
                let started = try await client.call("POST", "http://127.0.0.1:\(mesh.runPorts[0])/api/meta/v2/specs/\(specID)/runs", token: creator, body: "{}")
                try #require(started.status == 202, "\(started.text)")
                let runID = try #require(started.json?["id"]?.stringValue)
                let parked = try await mesh.waitForRun(runID, token: creator)
                try #require(parked["status"]?.stringValue == "awaiting_approval", "\(parked)")
                var gateID: String?
                let opened = try await ApprovalGateTests.eventually {
                    gateID = try await client.call("GET", "\(approval.url)/api/meta/v2/approvals", token: creator).json?["approvals"]?.array?.first?["id"]?.stringValue
                    return gateID != nil
                }
                try #require(opened, "no gate was opened:\n\(approval.logTail())")
                let approved = try await client.call("POST", "\(approval.url)/api/meta/v2/runs/\(runID)/approve", token: reviewer, body: #"{"comment":"rollback verified"}"#)
                try #require(approved.status == 200, "\(approved.text)")
                let finished = try await mesh.waitForRun(runID, token: creator) { RunMesh.isSettled($0) && $0["status"]?.stringValue != "awaiting_approval" }
                try #require(finished["status"]?.stringValue == "succeeded", "\(finished)")
                // The other tenant's own work, meanwhile.
                let theirs = try await client.call("POST", spec, token: stranger, body: body("Tasks", RunAPITests.tasks))
                try #require(theirs.status == 201, "\(theirs.text)")
                let theirSpec = try #require(theirs.json?["id"]?.stringValue)

                // The sandbox is cleaned after the run ends: wait for its record, then read the whole trail.
                let trail = "\(approval.url)/api/meta/v2/audit"
                var records: [JSONValue] = []
                let cleaned = try await ApprovalGateTests.eventually {
                    let answer = try await client.call("GET", "\(trail)?page_size=100", token: creator)
                    records = answer.json?["records"]?.array ?? []
                    return records.contains { $0["action"]?.stringValue == "agent.sandbox.clean" }
                }
                #expect(cleaned, "\(records.compactMap { $0["action"]?.stringValue })")
                #expect(records.count < 100, "the whole trail fits one page")
                let full = try await client.call("GET", "\(trail)?page_size=100", token: creator)
                let contract = try await client.call("GET", "\(approval.url)/openapi.json", token: nil).text
                let violations = try await OpenAPISchemaCheck.violations(of: full.text, schema: "AuditPage", document: contract)
                #expect(violations.isEmpty, "\(violations)")

                func action(_ name: String) -> [JSONValue] { records.filter { $0["action"]?.stringValue == name } }
                let services = Set(records.compactMap { $0["service"]?.stringValue })
                #expect(services == ["spec-service", "run-service", "agent-service", "approval-service"])
                for (name, service) in [
                    ("spec.create", "spec-service"), ("spec.plan", "spec-service"), ("run.start", "run-service"),
                    ("run.awaiting_approval", "run-service"), ("run.approved", "run-service"), ("run.succeeded", "run-service"),
                    ("agent.execute", "agent-service"), ("agent.sandbox.clean", "agent-service"),
                    ("approval.open", "approval-service"), ("approval.approve", "approval-service"),
                ] {
                    #expect(action(name).first?["service"]?.stringValue == service, "\(name): \(action(name))")
                }
                // Newest first, ties by id; times with microseconds; ids unique.
                let keys = records.map { ($0["at"]?.stringValue ?? "", $0["id"]?.stringValue ?? "") }
                #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 > $1 })
                #expect(keys.allSatisfy { $0.0.count == 27 })
                #expect(Set(keys.map(\.1)).count == records.count)

                // Trace ids: the requests' that caused the records.
                #expect(action("spec.create").first?["trace_id"]?.stringValue == (try Self.traceID(created)))
                let startTrace = try Self.traceID(started)
                #expect(action("run.start").first?["trace_id"]?.stringValue == startTrace)
                #expect(action("spec.plan").first?["trace_id"]?.stringValue == startTrace, "planned within the start")
                let planning = action("agent.execute").filter { $0[path: "details", "calling_service"]?.stringValue == "spec-service" }
                #expect(Set(planning.compactMap { $0[path: "details", "role"]?.stringValue }) == ["product_architect", "system_designer", "security_compliance"])
                #expect(planning.allSatisfy { $0["trace_id"]?.stringValue == startTrace })
                #expect(action("approval.approve").first?["trace_id"]?.stringValue == (try Self.traceID(approved)))
                #expect(action("approval.approve").first?["actor"]?.stringValue == "reviewer")
                #expect(action("agent.execute").allSatisfy { $0["actor"]?.stringValue == "creator" })

                // Nothing of the other tenant; its own trail holds only its own record.
                #expect(!records.contains { $0["resource_id"]?.stringValue == theirSpec })
                #expect(!records.contains { $0["actor"]?.stringValue == "stranger" })
                let theirTrail = try await client.call("GET", "\(trail)?page_size=100", token: stranger)
                #expect(theirTrail.status == 200, "\(theirTrail.text)")
                #expect(theirTrail.json?["records"]?.array?.map { "\($0["action"]?.stringValue ?? "")/\($0["resource_id"]?.stringValue ?? "")" } == ["spec.create/\(theirSpec)"])
                let byID = try await client.call("GET", "\(trail)?resource_id=\(runID)", token: stranger)
                #expect(byID.json?["records"]?.array?.isEmpty == true, "\(byID.text)")

                // Paging over the merged trail, 3 at a time: the same records, none twice.
                let paged = try await Self.pages(client, trail, token: creator, pageSize: 3)
                #expect(paged.compactMap { $0["id"]?.stringValue } == records.compactMap { $0["id"]?.stringValue })

                // Filters: a resource, an actor, a service, a time window.
                let ofRun = try await Self.pages(client, "\(trail)?resource_type=run&resource_id=\(runID)", token: creator, pageSize: 2)
                #expect(!ofRun.isEmpty && ofRun.allSatisfy { $0["resource_id"]?.stringValue == runID && $0["resource_type"]?.stringValue == "run" })
                #expect(ofRun.map { $0["id"] } == records.filter { $0["resource_type"]?.stringValue == "run" && $0["resource_id"]?.stringValue == runID }.map { $0["id"] })
                let byReviewer = try await Self.pages(client, "\(trail)?actor=reviewer", token: creator, pageSize: 50)
                #expect(Set(byReviewer.compactMap { $0["action"]?.stringValue }) == ["approval.approve", "run.approved"], "\(byReviewer)")
                let ofAgents = try await Self.pages(client, "\(trail)?service=agent-service", token: creator, pageSize: 4)
                #expect(ofAgents.map { $0["id"] } == records.filter { $0["service"]?.stringValue == "agent-service" }.map { $0["id"] })
                let middle = try #require(records[records.count / 2]["at"]?.stringValue)
                let since = try await Self.pages(client, "\(trail)?since=\(middle)", token: creator, pageSize: 100)
                #expect(since.map { $0["id"] } == records.filter { ($0["at"]?.stringValue ?? "") >= middle }.map { $0["id"] })
                let until = try await Self.pages(client, "\(trail)?until=\(middle)", token: creator, pageSize: 100)
                #expect(until.count + since.count == records.count)
                let badFilter = try await client.call("GET", "\(trail)?since=yesterday", token: creator)
                #expect(badFilter.status == 400 && badFilter.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == "since", "\(badFilter.text)")

                // With the agent-service unreachable, an approval-service answers 503 naming it, never a partial trail.
                let nowhere = try ClosedPort()
                var environment = try ApprovalGateTests.approvalEnvironment(mesh)
                environment["META_BUILDER_AGENT_URL"] = nowhere.url
                let blind = ServiceProcess(name: "approval-service", port: try LoopbackPort.free(), environment: environment, logPath: "\(mesh.logDirectory)/approval-service-blind.log")
                defer {
                    blind.stop()
                    withExtendedLifetime(nowhere) {}
                }
                try await blind.start()
                let down = try await client.call("GET", "\(blind.url)/api/meta/v2/audit", token: creator)
                #expect(down.status == 503, "\(down.text)")
                #expect(down.header("Retry-After") != nil)
                #expect(down.json?[path: "error", "message"]?.stringValue?.contains("agent-service") == true, "\(down.text)")
                let rest = try await client.call("GET", "\(blind.url)/api/meta/v2/audit?service=run-service&page_size=100", token: creator)
                #expect(rest.json?["records"]?.array?.map { $0["id"] } == records.filter { $0["service"]?.stringValue == "run-service" }.map { $0["id"] })
            }
        }
    }
}
