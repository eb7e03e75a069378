import Foundation
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// Who may change what, over the whole mesh, held to DESIGN.md's role table (`AccessWalk`):
    /// - every mutating route the four services serve is in the design, and its contract's
    ///   `x-roles` (every `/api/` operation states them) is the design's;
    /// - every role of the tenant calls every mutating route on real resources: a role the design
    ///   denies gets 403 PERMISSION_DENIED and nothing changes (no spec, plan or run made, the
    ///   gate pending, the run going, the policy as it was); an admitted role succeeds, or meets
    ///   the state another admitted role left (a decided gate), never 401 or 403;
    /// - mass assignment: `tenant_id`, `id`, `status`, `created_by` and `risk_score` added to
    ///   each route's valid body are refused (400 naming the field, nothing changed) or ignored
    ///   (the answer does not carry them).
    @Suite(.serialized) struct ReliabilityAccessTests {
        @Test func everyMutatingRouteAdmitsTheDesignsRolesAndNoBodySetsWhatTheServerOwns() async throws {
            let settings = try ReliabilitySettings.current()
            var report = ReliabilityReport(suite: "access", settings: settings)
            let approvalPort = try LoopbackPort.free()
            try await ApprovalGateTests.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)") { mesh, approval, client, _ in
                let ports = mesh.services(approvalPort: approvalPort).map(\.port)
                report.check("the contracts' mutating routes and x-roles are the design's", failures: try await Self.contractRoles(ports: ports, client: client))

                let walk = AccessWalk(mesh: mesh, approvalURL: approval.url, client: client)
                let spec = try await walk.createSpecs()
                try await walk.plan(spec)
                let runs = try await walk.startRuns(spec, count: 5)
                try #require(runs.count == 5, "the owner and the admin could not start runs: \(walk.rbac)")
                try await walk.cancel(runs[4])
                try await walk.extend(spec)
                for run in runs.prefix(4) {
                    let waiting = try await mesh.waitForRun(run, token: walk.token(.viewer))
                    try #require(waiting["status"]?.stringValue == "awaiting_approval", "\(waiting)")
                    for _ in 0..<100 where try await walk.gateStatus(run) != "pending" { try await Task.sleep(for: .milliseconds(100)) }
                }
                try await walk.decide("approve", run: runs[0], first: .owner)
                try await walk.decide("reject", run: runs[1], first: .admin)
                try await walk.decideOnPage("approve", run: runs[2], first: .admin)
                try await walk.decideOnPage("reject", run: runs[3], first: .owner)
                try await walk.replacePolicy()
                try await walk.setBudget()
                // The approved runs finish, so that no run of this suite is left in the queue.
                for run in [runs[0], runs[2]] {
                    _ = try await mesh.waitForRun(run, token: walk.token(.viewer)) { ["succeeded", "failed", "cancelled"].contains($0["status"]?.stringValue ?? "") }
                }
                try await walk.regenerate(runs[0])
                try await walk.replay(runs[0])

                report.check("every role gets from every mutating route what the design gives it (\(walk.calls) calls)", failures: walk.rbac)
                report.check("no body sets tenant_id, id, status, created_by or risk_score", failures: walk.assignments)
                report.count("rbac_calls", walk.calls)
                report.count("rbac_violations", walk.rbac.count)
                report.count("mass_assignments_taken", walk.assignments.count)
                report.count("mass_assignments_refused", walk.assignmentsRefused)
                report.count("mass_assignments_ignored", walk.assignmentsIgnored)
            }
            try report.finish()
        }

        /// Every mutating route the services serve is in the design (or changes only the caller's
        /// session), with the design's roles in its `x-roles`; every `/api/` operation states
        /// its roles.
        private static func contractRoles(ports: [Int], client: MeshClient) async throws -> [String] {
            var failures: [String] = []
            var served: Set<String> = []
            for port in ports {
                let contract = try await client.call("GET", "http://127.0.0.1:\(port)/openapi.json", token: nil)
                for route in RouteContract.operations(in: contract.json ?? .null) where !route.isInternal {
                    let key = route.description
                    if route.template.hasPrefix("/api/"), route.roles == nil { failures.append("\(key) states no x-roles") }
                    guard route.method != "GET", !AccessWalk.sessionRoutes.contains(key) else { continue }
                    served.insert(key)
                    guard let design = AccessWalk.design[key] else {
                        failures.append("\(key) is served but the design says nothing of who may call it")
                        continue
                    }
                    if route.roles != Set(design.map(\.rawValue)) {
                        failures.append("\(key): x-roles \(route.roles?.sorted() ?? []) but the design admits \(design.map(\.rawValue).sorted())")
                    }
                }
            }
            for key in Set(AccessWalk.design.keys).subtracting(served) { failures.append("\(key) is in the design but no service serves it") }
            return failures
        }
    }
}
