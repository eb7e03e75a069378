import Foundation
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// Tenant isolation over the whole mesh, with real data of tenant A in every service: a
    /// spec, its plan, a run that went through an approval gate and built its artifacts.
    /// - Over HTTP: every route of every served contract that takes an id, called by each role of
    ///   tenant B with A's ids, answers exactly as it answers for random ids (a 404, or the same
    ///   403 a role gets anyway), body included; B's lists, analytics and audit never name A's ids.
    /// - Behind the code: as each service's own role, with B's tenant set, an empty setting and
    ///   none, every tenant table shows 0 of A's rows without an error, and a row of A's tenant
    ///   cannot be written (row-level security's WITH CHECK).
    @Suite(.serialized) struct ReliabilityTenantIsolationTests {
        static let databases = ["spec": "META_BUILDER_SPEC_DATABASE_URL", "run": "META_BUILDER_RUN_DATABASE_URL", "agent": "META_BUILDER_AGENT_DATABASE_URL", "approval": "META_BUILDER_APPROVAL_DATABASE_URL"]

        @Test func anotherTenantSeesNothingOfATenantThroughAnyRouteOrTable() async throws {
            let settings = try ReliabilitySettings.current()
            var report = ReliabilityReport(suite: "tenant isolation", settings: settings)
            let approvalPort = try LoopbackPort.free()
            try await ApprovalGateTests.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)") { mesh, approval, client, _ in
                let tenantA = UUID()
                let a = try await Self.tenantData(tenantA, mesh: mesh, approval: approval, client: client)
                let services = mesh.services(approvalPort: approvalPort)
                var leaks: [String] = []
                var differences: [String] = []
                var calls = 0
                for role in Role.allCases {
                    let other = client.token(tenant: UUID(), role: role, user: "stranger-\(role.rawValue)")
                    for (service, port) in services {
                        let contract = try await client.call("GET", "http://127.0.0.1:\(port)/openapi.json", token: nil)
                        for route in RouteContract.all(in: contract.json ?? .null) where !route.isInternal {
                            let body = Self.body(for: route)
                            if route.template.contains("{") {
                                let random = UUID().lowercaseText
                                let path = route.path { a.id(for: route.template, parameter: $0) }
                                let theirs = try await client.call(route.method, "http://127.0.0.1:\(port)" + path, token: other, body: body)
                                let unknown = try await client.call(route.method, "http://127.0.0.1:\(port)" + route.path { _ in random }, token: other, body: body)
                                calls += 2
                                let seen = Self.normalized(theirs.text, hiding: a.ids)
                                let baseline = Self.normalized(unknown.text, hiding: [random])
                                if (200..<300).contains(theirs.status) || Self.namesAny(theirs.text, of: a, besides: path) {
                                    leaks.append("\(role.rawValue) of another tenant: \(service) \(route) answered \(theirs.status): \(theirs.text.prefix(160))")
                                } else if theirs.status != unknown.status || seen != baseline || ![403, 404].contains(theirs.status) {
                                    differences.append("\(role.rawValue): \(service) \(route): \(theirs.status) \(seen.prefix(120)) vs a random id's \(unknown.status) \(baseline.prefix(120))")
                                }
                            } else if route.method == "GET" {
                                let listed = try await client.call("GET", "http://127.0.0.1:\(port)\(route.template)", token: other)
                                calls += 1
                                if Self.namesAny(listed.text, of: a, besides: "") { leaks.append("\(role.rawValue) of another tenant: \(service) \(route) shows tenant A: \(listed.text.prefix(160))") }
                            }
                        }
                    }
                }
                report.check("another tenant's ids answer exactly as random ids, on every route with an id (\(calls) calls)", failures: differences)
                report.check("no route, list, analytics or audit shows another tenant's rows", failures: leaks)
                let database = try await Self.rowLevelSecurity(hiding: tenantA)
                report.check("as each service role, another tenant, an empty setting and none read 0 of a tenant's rows (\(database.tables) tables)", failures: database.visible)
                report.check("as each service role, a row of another tenant cannot be written", failures: database.written)
                report.count("cross_tenant_leaks", leaks.count + database.visible.count + database.written.count)
                report.count("cross_tenant_calls", calls)
            }
            try report.finish()
        }

        /// Tenant A's ids, by the resource a path segment names.
        struct TenantData: Sendable {
            let tenant: UUID
            let spec: String
            let plan: String
            let run: String
            let gate: String
            let artifact: String

            var ids: [String] { [tenant.lowercaseText, spec, plan, run, gate, artifact] }

            /// The id for parameter `name` of `template`: what the segment before it names.
            func id(for template: String, parameter name: String) -> String {
                let segments = template.split(separator: "/")
                let index = segments.firstIndex { $0 == "{\(name)}" } ?? segments.startIndex
                switch index > segments.startIndex ? segments[index - 1] : "" {
                case "specs": return spec
                case "plans": return plan
                case "approvals": return gate
                case "artifacts": return artifact
                default: return run
                }
            }
        }

        /// A spec of tenant A, a run that waits for approval, is approved by another owner and
        /// finishes with its artifacts.
        private static func tenantData(_ tenant: UUID, mesh: RunMesh, approval: ServiceProcess, client: MeshClient) async throws -> TenantData {
            let creator = RunMesh.token(tenant: tenant, role: .owner, user: "creator")
            let spec = try await mesh.createSpec(token: creator, title: "Synced CRM", description: RunLoopTests.syncedCRM)
            let run = try #require(try await mesh.startRun(spec: spec, token: creator).json?["id"]?.stringValue)
            let waiting = try await mesh.waitForRun(run, token: creator)
            try #require(waiting["status"]?.stringValue == "awaiting_approval", "\(waiting)")
            var gate: String?
            for _ in 0..<150 where gate == nil {
                gate = try await client.call("GET", "\(approval.url)/api/meta/v2/approvals", token: creator).json?["approvals"]?.array?.first?["id"]?.stringValue
                if gate == nil { try await Task.sleep(for: .milliseconds(200)) }
            }
            let reviewer = client.token(tenant: tenant, role: .owner, user: "reviewer")
            let approved = try await client.call("POST", "\(approval.url)/api/meta/v2/runs/\(run)/approve", token: reviewer, body: #"{"comment":"ok"}"#)
            try #require(approved.status == 200, "\(approved.text)")
            let finished = try await mesh.waitForRun(run, token: creator) { RunMesh.isSettled($0) && $0["status"]?.stringValue != "awaiting_approval" }
            try #require(finished["status"]?.stringValue == "succeeded", "\(finished)")
            let artifacts = try await mesh.call("GET", "/api/meta/v2/runs/\(run)/artifacts", token: creator)
            return TenantData(
                tenant: tenant, spec: spec,
                plan: try #require(finished["plan_id"]?.stringValue, "\(finished)"),
                run: run, gate: try #require(gate, "no gate was opened"),
                artifact: try #require(artifacts.json?["artifacts"]?.array?.first?["id"]?.stringValue, "\(artifacts.text)")
            )
        }

        /// A body the route accepts in shape, so that only the id decides the answer.
        private static func body(for route: RouteContract) -> String? {
            guard ["POST", "PUT", "PATCH"].contains(route.method) else { return nil }
            if route.template.hasSuffix("/approve") || route.template.hasSuffix("/reject") { return #"{"comment":"looks fine"}"# }
            if route.template.hasSuffix("/extend") { return #"{"token_budget":3000000}"# }
            return "{}"
        }

        /// An answer with the given ids replaced by `{id}`, so answers about different ids compare.
        private static func normalized(_ text: String, hiding ids: [String]) -> String {
            ids.reduce(text) { $0.replacingOccurrences(of: $1, with: "{id}") }
        }

        /// Whether a text names any of A's ids besides those in `path` (an answer may echo the
        /// id it was asked about: the caller knows it already).
        private static func namesAny(_ text: String, of a: TenantData, besides path: String) -> Bool {
            a.ids.contains { !path.contains($0) && text.contains($0) }
        }

        /// Reads and writes every tenant table of each service's schema as that service's role
        /// under another tenant's setting, an empty one and none.
        private static func rowLevelSecurity(hiding tenant: UUID) async throws -> (tables: Int, visible: [String], written: [String]) {
            var visible: [String] = []
            var written: [String] = []
            var tables = 0
            var seenOwnRows = 0
            for (service, variable) in databases.sorted(by: { $0.key < $1.key }) {
                let pool = PostgresPool(config: DatabaseConfig(url: try RequiredEnvironment.value(variable), poolSize: 1), applicationName: "reliability-rls", logger: RunTestDatabase.logger)
                defer { pool.close() }
                let names = try await pool.query("""
                    SELECT c.relname AS name FROM pg_class c
                    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
                    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
                    WHERE c.relkind IN ('r', 'p') ORDER BY 1
                    """, deadline: .after(.seconds(10))).map { try $0.decode("name", as: String.self) }
                tables += names.count
                for name in names {
                    let count: SQL = "SELECT count(*) AS n FROM \(unsafeSQL: name) WHERE tenant_id = \(tenant)"
                    // None: a fresh connection that never set the variable (this pool's first use).
                    let unset: Int = try await pool.query(count, deadline: .after(.seconds(10)))[0].decode("n")
                    let empty: Int = try await pool.withSession(deadline: .after(.seconds(10))) { session in
                        try await session.transaction(prelude: ["SELECT set_config('app.tenant_id', '', true)"]) { try await $0.query(count)[0].decode("n") }
                    }
                    let other: Int = try await pool.batch(tenant: UUID(), deadline: .after(.seconds(10)), [count])[0][0].decode("n")
                    seenOwnRows += try await pool.batch(tenant: tenant, deadline: .after(.seconds(10)), [count])[0][0].decode("n", as: Int.self)
                    for (setting, n) in [("no setting", unset), ("an empty setting", empty), ("another tenant", other)] where n != 0 {
                        visible.append("\(service).\(name): \(n) rows of the tenant under \(setting)")
                    }
                    do {
                        _ = try await pool.batch(tenant: UUID(), deadline: .after(.seconds(10)), ["INSERT INTO \(unsafeSQL: name) (tenant_id) VALUES (\(tenant))"])
                        written.append("\(service).\(name): a row of another tenant was written")
                    } catch let error as PostgresError where error.sqlState == "42501" {
                        // new row violates row-level security policy: refused as it must be
                    } catch {
                        written.append("\(service).\(name): writing another tenant's row failed otherwise than by row-level security: \(error)")
                    }
                }
            }
            if seenOwnRows == 0 { visible.append("the tenant's own rows were not found either: the check proves nothing") }
            return (tables, visible, written)
        }
    }
}
