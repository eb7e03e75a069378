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
    /// - resource caps (oversized and deeply nested bodies, page sizes, event streams) answer
    ///   with a clear 4xx (or 503 with Retry-After) and never take a service down.
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

        /// Resource caps on every service: a 2 MiB body on every operation that takes one is 413
        /// (JSON bodies 400 when deeply nested instead, 100,000 levels); every `page_size` out
        /// of its documented range, or no number, is 400 naming it; 500 event streams of one tenant are held
        /// and the 501st is 429, an instance's last stream past its total cap is 503, both with
        /// Retry-After; and afterwards every service still answers.
        @Test func resourceCapsAnswerWithAClearErrorAndNoServiceFalls() async throws {
            let settings = try ReliabilitySettings.current()
            var report = ReliabilityReport(suite: "resource caps", settings: settings)
            let approvalPort = try LoopbackPort.free()
            // No workers: runs stay queued and their streams stay open.
            let environment = ["META_BUILDER_RUN_WORKERS": "0", "META_BUILDER_SSE_HEARTBEAT_SECONDS": "2", "META_BUILDER_SSE_MAX_STREAMS": "505"]
            try await ApprovalGateTests.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)", environment: environment) { mesh, _, client, _ in
                let services = mesh.services(approvalPort: approvalPort)
                let tenant = UUID()
                var bodies: [String] = []
                var pages: [String] = []
                var probes = 0
                for (service, port) in services {
                    let contract = try await client.call("GET", "http://127.0.0.1:\(port)/openapi.json", token: nil).json ?? .null
                    for route in RouteContract.operations(in: contract) {
                        let credential = ForgedCredentials.valid(userSecret: RunMesh.jwtSecret, tenant: tenant, receiver: service, route: route)
                        let authorization = credential?.authorization.map { [("Authorization", $0)] } ?? []
                        let parameters = Self.parameters(of: route, in: contract)
                        // A path parameter with listed values takes the first (the agent's role), others an unknown id.
                        let url = "http://127.0.0.1:\(port)" + route.path { name in
                            parameters.first { $0["name"]?.stringValue == name }?[path: "schema", "enum"]?.array?.first?.stringValue ?? UUID().lowercaseText
                        }
                        if ["POST", "PUT"].contains(route.method), Self.takesBody(route, in: contract) {
                            let form = route.template.hasPrefix("/ui/")
                            // The review page's forms need a session: an owner signed in (the form is read before its CSRF token is checked).
                            let visitor = PageVisitor(base: "http://127.0.0.1:\(port)", client: client)
                            if form, route.template.contains("{") { try await visitor.signIn(token: client.token(tenant: tenant, role: .owner)) }
                            let session = visitor.cookies.isEmpty ? [] : [("Cookie", visitor.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))]
                            for (name, body, expected) in Self.hostileBodies(form: form) {
                                let type = form ? "application/x-www-form-urlencoded" : "application/json"
                                let answer = try await client.exchange(route.method, url, headers: authorization + session + [("Content-Type", type)], body: body, timeout: .seconds(60))
                                probes += 1
                                if answer.status != expected || (type == "application/json" && answer.json?[path: "error", "status"]?.int != expected) {
                                    bodies.append("\(service) \(route) with \(name): \(answer.status) \(answer.text.prefix(160))")
                                }
                            }
                        }
                        if route.method == "GET", let pageSize = parameters.first(where: { $0["name"]?.stringValue == "page_size" }) {
                            let (least, most) = (pageSize[path: "schema", "minimum"]?.int ?? 1, pageSize[path: "schema", "maximum"]?.int ?? 100)
                            for value in ["\(least - 1)", "\(most + 1)", "1000000", "-1", "99999999999999999999", "1e3", "abc", ""] {
                                let answer = try await client.exchange("GET", url + "?page_size=\(value)", headers: authorization, body: nil)
                                probes += 1
                                let field = answer.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue
                                if answer.status != 400 || field != "page_size" { pages.append("\(service) \(route) with page_size=\(value): \(answer.status) \(answer.text.prefix(160))") }
                            }
                            let fine = try await client.exchange("GET", url + "?page_size=\(most)", headers: authorization, body: nil)
                            if fine.status >= 500 || fine.status == 400 { pages.append("\(service) \(route) with page_size=\(most): \(fine.status) \(fine.text.prefix(160))") }
                        }
                    }
                }
                report.check("a 2 MiB body is 413 and 100,000 levels of JSON 400 on every operation with a body", failures: bodies)
                report.check("page_size out of its documented range or not a number is 400 naming it on every list", failures: pages)
                let streams = try await Self.streamCaps(mesh: mesh, tenant: tenant)
                report.check("500 event streams of one tenant are held, the 501st is 429 and the instance's cap 503, with Retry-After; all see their run's end", failures: streams)
                var down: [String] = []
                for (service, port) in services where (try? await SharedHTTP.status(of: "http://127.0.0.1:\(port)/readyz")) != 200 {
                    down.append("\(service) is not ready after the probes")
                }
                report.check("every service still answers after the probes", failures: down)
                report.count("cap_probes", probes)
                report.count("cap_violations", bodies.count + pages.count + streams.count + down.count)
            }
            try report.finish()
        }

        /// Bodies over the caps, and the status each must get: 2 MiB (a JSON object, or a form),
        /// and for JSON 100,000 nested arrays and objects.
        private static func hostileBodies(form: Bool) -> [(String, Data, Int)] {
            let large = String(repeating: "a", count: 2 << 20)
            if form { return [("a 2 MiB form", Data("comment=\(large)".utf8), 413)] }
            return [
                ("a 2 MiB body", Data(#"{"title":"\#(large)"}"#.utf8), 413),
                ("100,000 nested arrays", Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8), 400),
                ("100,000 nested objects", Data((String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)).utf8), 400),
            ]
        }

        /// Whether an operation states a request body.
        private static func takesBody(_ route: RouteContract, in contract: JSONValue) -> Bool {
            contract[path: "paths", route.template, route.method.lowercased(), "requestBody"] != nil
        }

        /// An operation's parameters, references resolved.
        private static func parameters(of route: RouteContract, in contract: JSONValue) -> [JSONValue] {
            let listed = contract[path: "paths", route.template, route.method.lowercased(), "parameters"]?.array ?? []
            return listed.compactMap { parameter in
                guard let reference = parameter["$ref"]?.stringValue else { return parameter }
                return contract[path: "components", "parameters", reference.split(separator: "/").last.map(String.init) ?? ""]
            }
        }

        /// 500 streams of one tenant's queued run, then its 501st; 5 streams of another tenant
        /// fill the instance's cap of 505 and a 6th is refused; the run's cancellation ends all.
        private static func streamCaps(mesh: RunMesh, tenant: UUID) async throws -> [String] {
            var failures: [String] = []
            let owner = RunMesh.token(tenant: tenant, role: .owner)
            let other = RunMesh.token(tenant: UUID(), role: .owner)
            let spec = try await mesh.createSpec(token: owner, title: "Tasks", description: SharedRunQueue.RunAPITests.tasks)
            let run = try #require(try await mesh.startRun(spec: spec, token: owner).json?["id"]?.stringValue)
            let theirSpec = try await mesh.createSpec(token: other, title: "Tasks", description: SharedRunQueue.RunAPITests.tasks)
            let theirRun = try #require(try await mesh.startRun(spec: theirSpec, token: other).json?["id"]?.stringValue)
            func open(_ count: Int, run: String, token: String) -> Task<[String], any Error> {
                Task {
                    try await withThrowingTaskGroup(of: String.self) { group in
                        for _ in 0..<count {
                            group.addTask { try await mesh.call("GET", "/api/meta/v2/runs/\(run)/events", token: token, timeout: .seconds(180)).text }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                }
            }
            let ours = open(500, run: run, token: owner)
            let held = try await mesh.waitForEventStreams(500, timeout: .seconds(30))
            if held != 500 { failures.append("\(held) of 500 streams of one tenant are open") }
            let tenantFull = try await mesh.call("GET", "/api/meta/v2/runs/\(run)/events", token: owner)
            if tenantFull.status != 429 || tenantFull.header("Retry-After") == nil { failures.append("the tenant's 501st stream: \(tenantFull.status) \(tenantFull.text.prefix(160))") }
            let theirs = open(5, run: theirRun, token: other)
            if try await mesh.waitForEventStreams(505, timeout: .seconds(30)) != 505 { failures.append("another tenant could not open its streams beside the 500") }
            let instanceFull = try await mesh.call("GET", "/api/meta/v2/runs/\(theirRun)/events", token: other)
            if instanceFull.status != 503 || instanceFull.header("Retry-After") == nil { failures.append("the stream past the instance's cap: \(instanceFull.status) \(instanceFull.text.prefix(160))") }
            if try await mesh.call("GET", "/api/meta/v2/runs/\(run)", token: owner, timeout: .seconds(5)).status != 200 { failures.append("a read did not answer beside 505 streams") }
            for (id, token) in [(run, owner), (theirRun, other)] { _ = try await mesh.call("POST", "/api/meta/v2/runs/\(id)/cancel", token: token) }
            let texts = try await ours.value + theirs.value
            let ended = texts.filter { $0.contains("event: run.cancelled") }.count
            if ended != 505 { failures.append("\(ended) of 505 streams saw their run's end") }
            let again = try await mesh.call("GET", "/api/meta/v2/runs/\(run)/events", token: owner)
            if again.status != 200 { failures.append("a stream after the others closed: \(again.status) \(again.text.prefix(160))") }
            return failures
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
