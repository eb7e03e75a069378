import Foundation
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// The limits a tenant meets, under pressure, over the whole mesh:
    /// - rate limits are exact under 40 parallel callers: with a limit of L, exactly L of 40
    ///   simultaneous specs, plans, run starts (spread over two run-service instances) and
    ///   decisions get past the limiter, the rest get 429 RESOURCE_EXHAUSTED with `Retry-After`
    ///   and `RateLimit-*` headers, exactly L resources exist afterwards, and another tenant is
    ///   not held back;
    /// - resource caps (`ResourceCaps`) answer with a clear 4xx and never take a service down.
    @Suite(.serialized) struct ReliabilityLimitsTests {
        /// Each action's limit in this suite, below the defaults so that 40 callers exceed it.
        static let limits: [RateLimitedAction: Int] = [.specs: 7, .plans: 5, .runs: 3, .approvals: 4]
        static let callers = 40

        @Test func rateLimitsAreExactUnderFortyParallelCallers() async throws {
            let settings = try ReliabilitySettings.current()
            var report = ReliabilityReport(suite: "rate limits", settings: settings)
            let approvalPort = try LoopbackPort.free()
            let environment = Dictionary(uniqueKeysWithValues: Self.limits.map { ($0.key.configKey, String($0.value)) })
            try await ApprovalGateTests.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)", runServices: 2, environment: environment) { mesh, approval, client, _ in
                let tenant = UUID()
                let owner = client.token(tenant: tenant, role: .owner, user: "starter")
                let reviewer = client.token(tenant: tenant, role: .owner, user: "reviewer")
                let spec = "http://127.0.0.1:\(mesh.specPort)/api/meta/v2"
                var failures: [String] = []

                let description = try Self.json(["title": "Limits", "mode": "freeform", "description": SharedRunQueue.RunLoopTests.syncedCRM])
                let specs = try await Self.burst { _ in try await client.call("POST", "\(spec)/specs", token: owner, body: description) }
                failures += Self.exact(.specs, specs, success: [201])
                let specIDs = specs.compactMap { $0.status == 201 ? $0.json?["id"]?.stringValue : nil }
                failures += try await Self.listed("\(spec)/specs?page_size=100", "specs", token: owner, client: client, expected: Self.limits[.specs]!)
                let specID = try #require(specIDs.first, "no spec was made")

                let plans = try await Self.burst { _ in try await client.call("POST", "\(spec)/specs/\(specID)/plan", token: owner, timeout: .seconds(120)) }
                failures += Self.exact(.plans, plans, success: [201])
                failures += try await Self.listed("\(spec)/specs/\(specID)/plans?page_size=100", "plans", token: owner, client: client, expected: Self.limits[.plans]!)

                let starts = try await Self.burst { index in
                    try await client.call("POST", "http://127.0.0.1:\(mesh.runPorts[index % 2])/api/meta/v2/specs/\(specID)/runs", token: owner, body: "{}", timeout: .seconds(120))
                }
                failures += Self.exact(.runs, starts, success: [202])
                let runs = starts.compactMap { $0.status == 202 ? $0.json?["id"]?.stringValue : nil }
                failures += try await Self.listed("http://127.0.0.1:\(mesh.runPorts[1])/api/meta/v2/runs?page_size=100", "runs", token: owner, client: client, expected: Self.limits[.runs]!)

                // Decisions: the limiter admits L calls on one gate (the first approves, the others
                // meet the decided gate), and refuses the rest.
                let gated = try #require(runs.first, "no run was started")
                let waiting = try await mesh.waitForRun(gated, token: owner)
                try #require(waiting["status"]?.stringValue == "awaiting_approval", "\(waiting)")
                for _ in 0..<100 where try await client.call("GET", "\(approval.url)/api/meta/v2/approvals", token: owner).json?["approvals"]?.array?.isEmpty != false {
                    try await Task.sleep(for: .milliseconds(100))
                }
                let decisions = try await Self.burst { _ in
                    try await client.call("POST", "\(approval.url)/api/meta/v2/runs/\(gated)/approve", token: reviewer, body: #"{"comment":"ok"}"#)
                }
                failures += Self.exact(.approvals, decisions, success: [200], refusedByState: [409, 412])
                if decisions.filter({ $0.status == 200 }).count != 1 { failures.append("approvals: \(decisions.filter { $0.status == 200 }.count) calls approved one gate") }

                // Another tenant is not held back by this one's spent quota.
                let stranger = client.token(tenant: UUID(), role: .owner)
                let theirs = try await client.call("POST", "\(spec)/specs", token: stranger, body: description)
                if theirs.status != 201 { failures.append("another tenant's first spec: \(theirs.status) \(theirs.text.prefix(160))") }

                for run in runs.dropFirst() { _ = try await client.call("POST", "http://127.0.0.1:\(mesh.runPorts[0])/api/meta/v2/runs/\(run)/cancel", token: owner) }
                _ = try await mesh.waitForRun(gated, token: owner) { ["succeeded", "failed", "cancelled"].contains($0["status"]?.stringValue ?? "") }

                let limited = [specs, plans, starts, decisions].joined().filter { $0.status == 429 }.count
                report.check("with limits \(Self.limits.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", ")), \(Self.callers) parallel callers get exactly the limit, the rest 429 with Retry-After and RateLimit headers", failures: failures)
                report.count("rate_limited_calls", limited)
                report.count("rate_limit_violations", failures.count)
            }
            try report.finish()
        }

        /// Checks one burst: exactly the action's limit got past the limiter (one of `success`,
        /// or one of `refusedByState` when the state, not the limiter, refused it), the others
        /// 429 RESOURCE_EXHAUSTED with `Retry-After` and the `RateLimit-*` headers.
        private static func exact(_ action: RateLimitedAction, _ answers: [MeshClient.Answer], success: Set<Int>, refusedByState: Set<Int> = []) -> [String] {
            let limit = limits[action]!
            var failures: [String] = []
            let admitted = answers.filter { success.union(refusedByState).contains($0.status) }
            let refused = answers.filter { $0.status == 429 }
            if admitted.count != limit || refused.count != callers - limit {
                let statuses = Dictionary(grouping: answers.map(\.status)) { $0 }.mapValues(\.count).sorted { $0.key < $1.key }
                failures.append("\(action.rawValue): \(admitted.count) admitted and \(refused.count) limited of \(callers) with a limit of \(limit) (statuses \(statuses))")
            }
            for answer in refused {
                let retry = answer.header("Retry-After").flatMap(Int.init) ?? 0
                if retry < 1 || answer.json?[path: "error", "code"]?.stringValue != "RESOURCE_EXHAUSTED" || answer.header("RateLimit-Limit") != "\(limit)" || answer.header("RateLimit-Remaining") != "0" || answer.header("RateLimit-Reset") == nil {
                    failures.append("\(action.rawValue): a 429 without its headers: Retry-After \(answer.header("Retry-After") ?? "none"), RateLimit-Limit \(answer.header("RateLimit-Limit") ?? "none"), RateLimit-Remaining \(answer.header("RateLimit-Remaining") ?? "none"): \(answer.text.prefix(120))")
                    break
                }
            }
            return failures
        }

        /// Fails unless the list at `url` holds `expected` items under `key`.
        private static func listed(_ url: String, _ key: String, token: String, client: MeshClient, expected: Int) async throws -> [String] {
            let answer = try await client.call("GET", url, token: token)
            let count = answer.json?[key]?.array?.count
            return count == expected ? [] : ["\(key): \(count.map(String.init) ?? "unreadable \(answer.status)") listed after the burst, \(expected) expected"]
        }

        /// `callers` calls at once, each in its own task; the answers.
        private static func burst(_ call: @escaping @Sendable (Int) async throws -> MeshClient.Answer) async throws -> [MeshClient.Answer] {
            try await withThrowingTaskGroup(of: MeshClient.Answer.self) { group in
                for index in 0..<callers { group.addTask { try await call(index) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }

        private static func json(_ object: [String: String]) throws -> String {
            String(decoding: try JSONEncoder().encode(object), as: UTF8.self)
        }
    }
}
