import Foundation
import MeshTestSupport
import Shared
import Testing

/// Walks every mutating route of the mesh with every role of one tenant, held to DESIGN.md's
/// role table rather than to the code's own (`RBAC.table`), and sends every body with the fields
/// the server owns added. It keeps what broke the design (`rbac`) and what let a body set a
/// server-owned field (`assignments`).
///
/// Runs are started and decided by different people, so the default policy's ban on approving
/// one's own run never stands in for a role check.
final class AccessWalk {
    /// DESIGN.md: "owner/admin create specs and start/cancel runs; member also plans; viewer
    /// reads only; approve/reject needs owner/admin" — in the API and on the review page — the
    /// approval policy is the owners' and admins' to set, and so are raising a paused run's cap
    /// and the tenant's monthly budgets (the issue of budgets that pause).
    static let design: [String: Set<Role>] = [
        "POST /api/meta/v2/specs": [.owner, .admin],
        "POST /api/meta/v2/specs/{id}/plan": [.owner, .admin, .member],
        "POST /api/meta/v2/specs/{id}/runs": [.owner, .admin],
        "POST /api/meta/v2/runs/{id}/cancel": [.owner, .admin],
        "POST /api/meta/v2/runs/{id}/extend": [.owner, .admin],
        "POST /api/meta/v2/runs/{id}/regenerate": [.owner, .admin],
        "POST /api/meta/v2/runs/{id}/replay": [.owner, .admin],
        "POST /api/meta/v2/runs/{id}/approve": [.owner, .admin],
        "POST /api/meta/v2/runs/{id}/reject": [.owner, .admin],
        "POST /ui/runs/{id}/approve": [.owner, .admin],
        "POST /ui/runs/{id}/reject": [.owner, .admin],
        "PUT /api/meta/v2/approval-policy": [.owner, .admin],
        "PUT /api/meta/v2/budget": [.owner, .admin],
    ]

    /// Mutating routes that change only the caller's own browser session, outside the role table.
    static let sessionRoutes: Set<String> = ["POST /ui/sign-in", "POST /ui/sign-out"]

    let mesh: RunMesh
    let approvalURL: String
    let client: MeshClient
    let tenant = UUID()
    private(set) var rbac: [String] = []
    private(set) var assignments: [String] = []
    private(set) var calls = 0
    /// Bodies with a server-owned field that were refused, and that were taken without it.
    private(set) var assignmentsRefused = 0
    private(set) var assignmentsIgnored = 0

    init(mesh: RunMesh, approvalURL: String, client: MeshClient) {
        self.mesh = mesh
        self.approvalURL = approvalURL
        self.client = client
    }

    /// A person of the tenant with `role`; `who` tells apart people of one role.
    func token(_ role: Role, _ who: String = "caller") -> String {
        client.token(tenant: tenant, role: role, user: "\(role.rawValue)-\(who)")
    }

    // MARK: - Routes

    /// `POST /specs`: only owners and admins make specs. The owner's spec (a CRM whose runs wait
    /// for approval) is what the other routes work on; its id.
    func createSpecs() async throws -> String {
        let route = "POST /api/meta/v2/specs"
        let url = "\(specBase)/api/meta/v2/specs"
        let body: [String: JSONValue] = ["title": .string("Access matrix"), "mode": .string("freeform"), "description": .string(SharedRunQueue.RunLoopTests.syncedCRM)]
        let specs = { try await self.listed("\(self.specBase)/api/meta/v2/specs?page_size=100", "specs") }
        try await massAssign(route, url: url, body: body, state: specs)
        var made: [Role: String] = [:]
        for role in Role.allCases {
            let answer = try await call("POST", url, token(role), body)
            if expect(route, role, answer, success: [201]) { made[role] = answer.json?["id"]?.stringValue }
        }
        let count = try await specs()
        if count != "\(made.count)" { rbac.append("\(route): \(count) specs listed after \(made.count) admitted creates") }
        return try #require(made[.owner], "the owner could not create a spec")
    }

    /// `POST /specs/{id}/plan`: owners, admins and members plan; viewers do not. The route reads
    /// no body: server-owned fields sent anyway must not reach the plan.
    func plan(_ spec: String) async throws {
        let route = "POST /api/meta/v2/specs/{id}/plan"
        let url = "\(specBase)/api/meta/v2/specs/\(spec)/plan"
        let plans = { try await self.listed("\(self.specBase)/api/meta/v2/specs/\(spec)/plans?page_size=100", "plans") }
        try await massAssign(route, url: url, body: [:], state: plans)
        let before = try await plans()
        var admitted = 0
        for role in Role.allCases where expect(route, role, try await call("POST", url, token(role), [:]), success: [201]) {
            admitted += 1
        }
        let after = try await plans()
        if Int(after) != (Int(before) ?? 0) + admitted { rbac.append("\(route): \(before) plans became \(after) after \(admitted) admitted plans") }
    }

    /// `POST /specs/{id}/runs`: only owners and admins start runs. Starts `count` runs (by the
    /// owner and the admin in turn) and returns their ids.
    func startRuns(_ spec: String, count: Int) async throws -> [String] {
        let route = "POST /api/meta/v2/specs/{id}/runs"
        let url = "\(runBase)/api/meta/v2/specs/\(spec)/runs"
        let runs = { try await self.listed("\(self.runBase)/api/meta/v2/runs?page_size=100", "runs") }
        try await massAssign(route, url: url, body: [:], state: runs)
        for role in Role.allCases where !Self.allows(route, role) {
            expect(route, role, try await call("POST", url, token(role), [:]), success: [202])
        }
        if try await runs() != "0" { rbac.append("\(route): runs were made by roles the design denies") }
        var started: [String] = []
        for index in 0..<count {
            let role: Role = index.isMultiple(of: 2) ? .owner : .admin
            let answer = try await call("POST", url, token(role), [:])
            if expect(route, role, answer, success: [202]), let id = answer.json?["id"]?.stringValue { started.append(id) }
        }
        return started
    }

    /// `POST /runs/{id}/cancel`: only owners and admins cancel; a denied cancel leaves the run
    /// going. The owner cancels; the admin's cancel of the cancelled run is admitted too.
    func cancel(_ run: String) async throws {
        let route = "POST /api/meta/v2/runs/{id}/cancel"
        let url = "\(runBase)/api/meta/v2/runs/\(run)/cancel"
        for role in [Role.member, .viewer, .owner, .admin] {
            expect(route, role, try await call("POST", url, token(role), nil), success: [200], refusedByState: [412])
            let status = try await call("GET", "\(runBase)/api/meta/v2/runs/\(run)", token(.viewer), nil).json?["status"]?.stringValue
            if !Self.allows(route, role), status == "cancelled" { rbac.append("\(route): the \(role.rawValue)'s refused cancel cancelled the run") }
            if role == .owner, status != "cancelled" { rbac.append("\(route): the owner's cancel left the run \(status ?? "unreadable")") }
        }
    }

    /// `POST /runs/{id}/extend`: only owners and admins raise the cap of a run paused at one
    /// (started here with a budget too small for one call); a denied extension leaves it paused.
    /// The owner extends; the admin's extension of the running run meets its state (412). The
    /// run is cancelled at the end, so none of this suite's runs stays queued.
    func extend(_ spec: String) async throws {
        let route = "POST /api/meta/v2/runs/{id}/extend"
        let started = try await call("POST", "\(runBase)/api/meta/v2/specs/\(spec)/runs", token(.owner), ["token_budget": .number(1000)])
        let run = try #require(started.json?["id"]?.stringValue, "the owner could not start a run: \(started.text)")
        let paused = try await mesh.waitForRun(run, token: token(.viewer))
        try #require(paused["status"]?.stringValue == "awaiting_budget", "\(paused)")
        let url = "\(runBase)/api/meta/v2/runs/\(run)/extend"
        let body: [String: JSONValue] = ["token_budget": .number(2_000_000)]
        let state = { try await self.call("GET", "\(self.runBase)/api/meta/v2/runs/\(run)", self.token(.viewer), nil).json?["status"]?.stringValue ?? "unreadable" }
        try await massAssign(route, url: url, body: body, state: state)
        for role in [Role.member, .viewer, .owner, .admin] {
            expect(route, role, try await call("POST", url, token(role), body), success: [200], refusedByState: [412])
            let status = try await state()
            if !Self.allows(route, role), status != "awaiting_budget" { rbac.append("\(route): the \(role.rawValue)'s refused extension left the run \(status)") }
            if role == .owner, status == "awaiting_budget" { rbac.append("\(route): the owner's extension left the run paused") }
        }
        _ = try await call("POST", "\(runBase)/api/meta/v2/runs/\(run)/cancel", token(.owner), nil)
    }

    /// A decision on run `run`'s gate through the API (`approve` or `reject`): denied roles leave
    /// the gate pending; `first` decides; the other admitted role then meets the decided gate
    /// (409/412), past the role check.
    func decide(_ decision: String, run: String, first: Role) async throws {
        let route = "POST /api/meta/v2/runs/{id}/\(decision)"
        let url = "\(approvalURL)/api/meta/v2/runs/\(run)/\(decision)"
        let body: [String: JSONValue] = ["comment": .string("access matrix")]
        try await massAssign(route, url: url, body: body, state: { try await self.gateStatus(run) })
        let second: Role = first == .owner ? .admin : .owner
        for role in [Role.member, .viewer, first, second] {
            expect(route, role, try await call("POST", url, token(role, "reviewer"), body), success: [200], refusedByState: [409, 412])
            try await checkGate(run, route: route, after: role, decision: decision)
        }
    }

    /// The same decision through the review page, signed in as each role.
    func decideOnPage(_ decision: String, run: String, first: Role) async throws {
        let route = "POST /ui/runs/{id}/\(decision)"
        let second: Role = first == .owner ? .admin : .owner
        for role in [Role.member, .viewer, first, second] {
            let visitor = PageVisitor(base: approvalURL, client: client)
            try await visitor.signIn(token: token(role, "reviewer"))
            _ = try await visitor.get("/ui/runs/\(run)")
            let answer = try await visitor.post("/ui/runs/\(run)/\(decision)", [("comment", "access matrix"), ("csrf", visitor.csrf ?? "")])
            expect(route, role, answer, success: [303], refusedByState: [412])
            try await checkGate(run, route: route, after: role, decision: decision)
        }
    }

    /// `PUT /approval-policy`: only owners and admins replace it; a denied replacement leaves the
    /// policy as it was.
    func replacePolicy() async throws {
        let route = "PUT /api/meta/v2/approval-policy"
        let url = "\(approvalURL)/api/meta/v2/approval-policy"
        let policy = { try await self.call("GET", url, self.token(.viewer), nil).text }
        try await massAssign(route, method: "PUT", url: url, body: Self.policy(ttl: 24), state: policy)
        for (index, role) in Role.allCases.enumerated() {
            let before = try await policy()
            let body = Self.policy(ttl: 48 + index)
            let admitted = expect(route, role, try await call("PUT", url, token(role), body), success: [200])
            let after = try await policy()
            if !Self.allows(route, role), after != before { rbac.append("\(route): the \(role.rawValue)'s refused policy changed it: \(after)") }
            let ttl = (try? JSONDecoder().decode(JSONValue.self, from: Data(after.utf8)))?["gate_ttl_hours"]?.int
            if admitted, ttl != 48 + index { rbac.append("\(route): the \(role.rawValue)'s policy is not in force: \(after)") }
        }
    }

    /// `POST /runs/{id}/regenerate`: starting a run, so only owners and admins regenerate a
    /// succeeded run; a denied call makes no run. The admitted regenerations are cancelled, so
    /// none of this suite's runs stays queued.
    func regenerate(_ run: String) async throws {
        try await startFrom(run, route: "POST /api/meta/v2/runs/{id}/regenerate", link: "regenerates")
    }

    /// `POST /runs/{id}/replay`: starting a run as well, so only owners and admins replay an
    /// ended run; a denied call makes no run, and the admitted replays are cancelled.
    func replay(_ run: String) async throws {
        try await startFrom(run, route: "POST /api/meta/v2/runs/{id}/replay", link: "replay_of")
    }

    /// A route that starts a run from run `run` (`route`), whose answer names it under `link`.
    private func startFrom(_ run: String, route: String, link: String) async throws {
        let url = "\(runBase)" + route.dropFirst("POST ".count).replacingOccurrences(of: "{id}", with: run)
        let runs = { try await self.listed("\(self.runBase)/api/meta/v2/runs?page_size=100", "runs") }
        try await massAssign(route, url: url, body: [:], state: runs)
        for role in [Role.member, .viewer, .owner, .admin] {
            let before = try await runs()
            let answer = try await call("POST", url, token(role), [:])
            let admitted = expect(route, role, answer, success: [202])
            let after = try await runs()
            if !admitted, after != before { rbac.append("\(route): the \(role.rawValue)'s refused regeneration made a run") }
            if admitted {
                if answer.json?[link]?.stringValue != run { rbac.append("\(route): the \(role.rawValue)'s run does not name \(run) as \(link): \(answer.text.prefix(160))") }
                if let id = answer.json?["id"]?.stringValue { _ = try await call("POST", "\(runBase)/api/meta/v2/runs/\(id)/cancel", token(.owner), nil) }
            }
        }
    }

    /// `PUT /budget`: only owners and admins set the tenant's monthly budgets; a denied call
    /// changes nothing. Each admitted role's budget is in force after its call; the walk ends
    /// with no budget, so the suite's runs are not held back.
    func setBudget() async throws {
        let route = "PUT /api/meta/v2/budget"
        let url = "\(runBase)/api/meta/v2/budget"
        let budget = { try await self.call("GET", url, self.token(.viewer), nil).json?["monthly_tokens"] ?? .string("unreadable") }
        try await massAssign(route, method: "PUT", url: url, body: ["monthly_tokens": .number(90_000_000)], state: { "\(try await budget())" })
        for (index, role) in Role.allCases.enumerated() {
            let before = try await budget()
            let tokens = 100_000_000 + index
            let admitted = expect(route, role, try await call("PUT", url, token(role), ["monthly_tokens": .number(Double(tokens))]), success: [200])
            let after = try await budget()
            if !Self.allows(route, role), after != before { rbac.append("\(route): the \(role.rawValue)'s refused budget changed it to \(after)") }
            if admitted, after.int != tokens { rbac.append("\(route): the \(role.rawValue)'s budget is not in force: \(after)") }
        }
        _ = try await call("PUT", url, token(.owner), ["monthly_tokens": .null])
    }

    // MARK: - Checks

    /// Whether the design lets `role` use `route`.
    static func allows(_ route: String, _ role: Role) -> Bool {
        design[route]?.contains(role) ?? false
    }

    /// Checks one call against the design: an admitted role gets one of `success` (or, once an
    /// earlier call changed the state, one of `refusedByState`); a denied role gets 403 (with
    /// PERMISSION_DENIED when the answer is JSON). Whether it succeeded.
    @discardableResult
    private func expect(_ route: String, _ role: Role, _ answer: MeshClient.Answer, success: Set<Int>, refusedByState: Set<Int> = []) -> Bool {
        calls += 1
        if Self.allows(route, role) {
            if success.contains(answer.status) { return true }
            if !refusedByState.contains(answer.status) { rbac.append("the design lets a \(role.rawValue) \(route); it got \(answer.status): \(answer.text.prefix(160))") }
            return false
        }
        let code = answer.json?["error"]?["code"]?.stringValue
        if answer.status != 403 || (answer.json != nil && code != "PERMISSION_DENIED") {
            rbac.append("the design denies a \(role.rawValue) \(route); it got \(answer.status): \(answer.text.prefix(160))")
        }
        return false
    }

    /// After `role`'s decision call (in the order member, viewer, the first admitted role, the
    /// second): pending until the first admitted role decided, then closed by its decision.
    private func checkGate(_ run: String, route: String, after role: Role, decision: String) async throws {
        let status = try await gateStatus(run)
        let expected = Self.allows(route, role) ? (decision == "approve" ? "approved" : "rejected") : "pending"
        if status != expected { rbac.append("\(route): after the \(role.rawValue)'s call the gate is \(status), not \(expected)") }
    }

    /// Sends `body` once with each field the server owns added: the route must refuse it (400
    /// naming the field) leaving `state` as it was, or take the body without the field's value.
    private func massAssign(_ route: String, method: String = "POST", url: String, body: [String: JSONValue], state: () async throws -> String) async throws {
        let owned: [(String, JSONValue)] = [
            ("tenant_id", .string(UUID().lowercaseText)), ("id", .string(UUID().lowercaseText)),
            ("status", .string("succeeded")), ("created_by", .string("mass-assigner")), ("risk_score", .number(0)),
        ]
        for (field, value) in owned {
            let before = try await state()
            let answer = try await call(method, url, token(.owner, "assigner"), body.merging([field: value]) { $1 })
            calls += 1
            switch answer.status {
            case 400:
                assignmentsRefused += 1
                let named = answer.json?["error"]?["details"]?.array?.contains { $0["field"]?.stringValue == field } ?? false
                if !named { assignments.append("\(route) with \(field): 400 that does not name the field: \(answer.text.prefix(160))") }
                if try await state() != before { assignments.append("\(route) with \(field): refused, yet the state changed") }
            case 200..<300:
                assignmentsIgnored += 1
                let unique = value.stringValue.map { $0 != "succeeded" && answer.text.contains($0) } ?? false
                if answer.json?[field] == value || unique { assignments.append("\(route) took \(field) = \(value) from the body: \(answer.text.prefix(160))") }
            default:
                assignments.append("\(route) with \(field): \(answer.status) \(answer.text.prefix(160))")
            }
        }
    }

    // MARK: - Calls

    private var specBase: String { "http://127.0.0.1:\(mesh.specPort)" }
    private var runBase: String { "http://127.0.0.1:\(mesh.runPorts[0])" }

    private func call(_ method: String, _ url: String, _ token: String, _ body: [String: JSONValue]?) async throws -> MeshClient.Answer {
        let text = try body.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        return try await client.call(method, url, token: token, body: text, timeout: .seconds(120))
    }

    /// How many items the list at `url` holds under `key` (as text, so states compare).
    private func listed(_ url: String, _ key: String) async throws -> String {
        let answer = try await call("GET", url, token(.viewer), nil)
        return answer.json?[key]?.array.map { "\($0.count)" } ?? "unreadable: \(answer.status)"
    }

    /// The status of run `run`'s gate.
    func gateStatus(_ run: String) async throws -> String {
        let answer = try await call("GET", "\(approvalURL)/api/meta/v2/approvals?page_size=100", token(.viewer), nil)
        let gate = answer.json?["approvals"]?.array?.first { $0["run_id"]?.stringValue == run }
        return gate?["status"]?.stringValue ?? "no gate: \(answer.status)"
    }

    private static func policy(ttl: Int) -> [String: JSONValue] {
        ["required_approvals": .number(1), "self_approval_allowed": .bool(false), "gate_ttl_hours": .number(Double(ttl))]
    }
}
