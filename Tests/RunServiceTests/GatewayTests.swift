import Foundation
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// The gateway (`scripts/gateway`: Debian's nginx with `compose/gateway/routes.conf`, the
    /// routing file compose uses) in front of the real mesh: every public route of DESIGN.md
    /// reaches the service that owns it, the internal API and the services' own endpoints never
    /// leave the gateway, the review page is served at `/ui/`, the event stream comes through
    /// live, and the headers the services rely on pass.
    @Suite(.serialized) struct GatewayTests {
        /// A call through the gateway and the service that answered it (from the gateway's
        /// access log: `spec`, `run`, `agent`, `approval`, or `gateway` when nginx answered).
        struct Routed {
            let answer: MeshClient.Answer
            let owner: String
        }

        /// Calls the gateway with a fresh `X-Request-Id` and finds who answered.
        static func through(
            _ gateway: NginxGateway, _ owners: [String: String], _ client: MeshClient,
            _ method: String, _ path: String, token: String?, body: String? = nil, headers: [(String, String)] = [], answered: Bool = true
        ) async throws -> Routed {
            let requestID = "gw-\(UUID().lowercaseText)"
            let answer = try await client.call(method, gateway.url + path, token: token, body: body, headers: headers + [("X-Request-Id", requestID)])
            let upstream = try #require(try await gateway.upstream(ofRequestID: requestID), "\(method) \(path) is not in the access log:\n\(gateway.accessLog.suffix(5).joined(separator: "\n"))")
            let owner = upstream == "-" ? "gateway" : owners[upstream] ?? "unknown \(upstream)"
            // The request id reached the service, which echoes it.
            if answered, owner != "gateway" { #expect(answer.header("X-Request-Id") == requestID, "\(method) \(path)") }
            return Routed(answer: answer, owner: owner)
        }

        /// A GET with curl as written (`--path-as-is`: no client-side clean-up of the path); its status.
        static func rawStatus(_ url: String, token: String) async throws -> Int {
            let result = try await ProcessRunner.run(
                "curl", ["--silent", "--path-as-is", "--output", "/dev/null", "--write-out", "%{http_code}", "--max-time", "10", "-H", "Authorization: Bearer \(token)", url],
                in: FileManager.default.temporaryDirectory.path, timeout: .seconds(15))
            return Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }

        @Test func everyPublicRouteReachesItsOwnerAndTheInternalAPINeverLeavesTheGateway() async throws {
            let approvalPort = try LoopbackPort.free()
            try await ApprovalGateTests.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)") { mesh, approval, client, _ in
                let local = "127.0.0.1"
                let owners = [
                    "\(local):\(mesh.specPort)": "spec", "\(local):\(mesh.runPorts[0])": "run",
                    "\(local):\(mesh.agentPort)": "agent", "\(local):\(approvalPort)": "approval",
                ]
                try await NginxGateway.with(
                    spec: "http://\(local):\(mesh.specPort)", run: ["http://\(local):\(mesh.runPorts[0])"],
                    agent: "http://\(local):\(mesh.agentPort)", approval: approval.url
                ) { gateway in
                    // The config it runs with passes nginx -t and includes compose's routing file.
                    let tested = try await gateway.configTest()
                    #expect(tested.status == 0, "\(tested.output)")
                    #expect(tested.output.contains("syntax is ok") && tested.output.contains("test is successful"), "\(tested.output)")
                    #expect(gateway.config.contains("include \(NginxGateway.repositoryRoot)/compose/gateway/routes.conf;"))

                    func call(_ method: String, _ path: String, token: String?, body: String? = nil, headers: [(String, String)] = []) async throws -> Routed {
                        try await Self.through(gateway, owners, client, method, path, token: token, body: body, headers: headers)
                    }
                    let tenant = UUID()
                    let creator = client.token(tenant: tenant, role: .owner, user: "creator")
                    let reviewer = client.token(tenant: tenant, role: .owner, user: "reviewer")
                    let api = "/api/meta/v2"

                    // spec-service: specs and plans.
                    let specBody = String(decoding: try JSONEncoder().encode(["title": "Synced CRM", "mode": "freeform", "description": RunLoopTests.syncedCRM]), as: UTF8.self)
                    let created = try await call("POST", "\(api)/specs", token: creator, body: specBody)
                    #expect(created.owner == "spec" && created.answer.status == 201, "\(created.answer.text)")
                    let spec = try #require(created.answer.json?["id"]?.stringValue)
                    let listedSpecs = try await call("GET", "\(api)/specs", token: creator)
                    #expect(listedSpecs.owner == "spec" && listedSpecs.answer.status == 200)
                    #expect(listedSpecs.answer.json?["specs"]?.array?.compactMap { $0["id"]?.stringValue } == [spec], "\(listedSpecs.answer.text)")
                    let shownSpec = try await call("GET", "\(api)/specs/\(spec)", token: creator)
                    #expect(shownSpec.owner == "spec" && shownSpec.answer.json?["id"]?.stringValue == spec)
                    let planned = try await call("POST", "\(api)/specs/\(spec)/plan", token: creator)
                    #expect(planned.owner == "spec" && [200, 201].contains(planned.answer.status), "\(planned.answer.text)")
                    let plans = try await call("GET", "\(api)/specs/\(spec)/plans", token: creator)
                    #expect(plans.owner == "spec" && plans.answer.status == 200)
                    let plan = try #require(plans.answer.json?["plans"]?.array?.first?["id"]?.stringValue, "\(plans.answer.text)")
                    let shownPlan = try await call("GET", "\(api)/specs/\(spec)/plans/\(plan)", token: creator)
                    #expect(shownPlan.owner == "spec" && shownPlan.answer.json?["id"]?.stringValue == plan)

                    // run-service: a run of the spec, watched live through the gateway. It is
                    // high-risk, so it parks for approval: the stream has carried the loop's
                    // events while the run is still far from finished.
                    let started = try await call("POST", "\(api)/specs/\(spec)/runs", token: creator, body: #"{"plan_id":"\#(plan)"}"#)
                    #expect(started.owner == "run" && started.answer.status == 202, "\(started.answer.text)")
                    let run = try #require(started.answer.json?["id"]?.stringValue)
                    // The client accepts gzip: the stream still comes uncompressed, event by event.
                    let stream = try EventStreamReader(url: "\(gateway.url)\(api)/runs/\(run)/events", headers: ["Authorization: Bearer \(creator)", "Accept-Encoding: gzip"])
                    #expect(try await stream.waitFor("event: run.started"), "\(stream.output)")
                    let parked = try await mesh.waitForRun(run, token: creator)
                    try #require(parked["status"]?.stringValue == "awaiting_approval", "\(parked)")
                    #expect(try await stream.waitFor("event: run.awaiting_approval"), "\(stream.output)")
                    #expect(stream.output.contains("event: run.step.completed"))
                    #expect(!stream.output.contains("event: run.succeeded"), "the run has not finished: \(stream.output)")
                    let streamHeaders = stream.headers.lowercased()
                    #expect(streamHeaders.contains("content-type: text/event-stream") && !streamHeaders.contains("content-encoding"), "\(stream.headers)")

                    for path in ["\(api)/runs", "\(api)/runs/\(run)", "\(api)/runs/\(run)/diff", "\(api)/runs/\(run)/report", "\(api)/analytics"] {
                        let read = try await call("GET", path, token: creator)
                        #expect(read.owner == "run" && read.answer.status == 200, "GET \(path): \(read.owner) \(read.answer.status) \(read.answer.text.prefix(300))")
                    }

                    // approval-service: the gate, its approval (through the gateway) finishes the
                    // run, and the stream shows it and ends.
                    var gate: String?
                    let opened = try await ApprovalGateTests.eventually {
                        let listed = try await call("GET", "\(api)/approvals", token: creator)
                        #expect(listed.owner == "approval" && listed.answer.status == 200)
                        gate = listed.answer.json?["approvals"]?.array?.first?["id"]?.stringValue
                        return gate != nil
                    }
                    try #require(opened, "no gate:\n\(approval.logTail())")
                    let shownGate = try await call("GET", "\(api)/approvals/\(try #require(gate))", token: creator)
                    #expect(shownGate.owner == "approval" && shownGate.answer.json?["run_id"]?.stringValue == run)
                    let approved = try await call("POST", "\(api)/runs/\(run)/approve", token: reviewer, body: #"{"comment":"through the gateway"}"#)
                    #expect(approved.owner == "approval" && approved.answer.status == 200, "\(approved.answer.text)")
                    #expect(await stream.waitForExit(timeout: .seconds(120)), "the stream ends after the terminal event: \(stream.output)")
                    #expect(stream.output.contains("event: run.succeeded"), "\(stream.output)")
                    let rejectedLate = try await call("POST", "\(api)/runs/\(run)/reject", token: reviewer, body: #"{"comment":"too late"}"#)
                    #expect(rejectedLate.owner == "approval" && rejectedLate.answer.status == 412, "\(rejectedLate.answer.status) \(rejectedLate.answer.text)")
                    let audit = try await call("GET", "\(api)/audit", token: creator)
                    #expect(audit.owner == "approval" && audit.answer.status == 200, "\(audit.answer.text.prefix(300))")

                    // The run's artifacts, and a cancel that comes too late, are the run-service's.
                    let artifacts = try await call("GET", "\(api)/runs/\(run)/artifacts", token: creator)
                    #expect(artifacts.owner == "run" && artifacts.answer.status == 200, "\(artifacts.answer.text.prefix(300))")
                    let artifact = try #require(artifacts.answer.json?["artifacts"]?.array?.first?["id"]?.stringValue, "\(artifacts.answer.text.prefix(300))")
                    let download = try await call("GET", "\(api)/runs/\(run)/artifacts/\(artifact)", token: creator)
                    #expect(download.owner == "run" && download.answer.status == 200)
                    let cancelLate = try await call("POST", "\(api)/runs/\(run)/cancel", token: creator)
                    #expect(cancelLate.owner == "run" && cancelLate.answer.status == 412, "\(cancelLate.answer.status) \(cancelLate.answer.text)")

                    // agent-service: the catalogue of agents.
                    let agents = try await call("GET", "\(api)/agents", token: creator)
                    #expect(agents.owner == "agent" && agents.answer.status == 200, "\(agents.answer.text.prefix(300))")

                    // The internal API answers a service token on the service's own port, and is
                    // 404 at the gateway; so are the services' own endpoints and unknown paths.
                    let service = client.serviceToken(for: Principal(userID: "creator", tenantID: tenant, role: .owner), to: "approval-service")
                    let internalPath = "/internal/v1/gates?run_id=\(run)"
                    #expect(try await client.call("GET", approval.url + internalPath, token: service).status == 200)
                    for path in [internalPath, "/internal/v1/audit", "/internal/v1/agents/codegen_engineer/execute", "/metrics", "/readyz", "/openapi.json", "\(api)/internal/v1/audit", "/api/meta/v2/ui/", "/"] {
                        let hidden = try await call("GET", path, token: service)
                        #expect(hidden.owner == "gateway" && hidden.answer.status == 404, "GET \(path): \(hidden.owner) \(hidden.answer.status)")
                        #expect(hidden.answer.json?[path: "error", "code"]?.stringValue == "NOT_FOUND")
                    }
                    let posted = try await call("POST", "/internal/v1/agents/codegen_engineer/execute", token: service, body: "{}")
                    #expect(posted.owner == "gateway" && posted.answer.status == 404)
                    // A path that would say one thing to nginx and another to the service is refused.
                    for path in ["\(api)/specs/../../../../internal/v1/audit", "\(api)/specs/%2e%2e/%2e%2e/%2e%2e/%2e%2e/internal/v1/audit", "/internal/../api/meta/v2/specs", "\(api)//specs"] {
                        let status = try await Self.rawStatus(gateway.url + path, token: service)
                        #expect([400, 404].contains(status), "GET \(path) through the gateway: \(status)")
                    }
                    #expect(try await Self.rawStatus(gateway.url + "/internal/../api/meta/v2/specs", token: creator) == 400)
                    let health = try await call("GET", "/healthz", token: nil)
                    #expect(health.owner == "gateway" && health.answer.status == 200 && health.answer.text == "ok\n")

                    // The review page at the root: not signed in, to the sign-in form, whose
                    // cookie is Secure when the gateway was reached over https.
                    let page = try await call("GET", "/ui/", token: nil)
                    #expect(page.owner == "approval" && page.answer.status == 303 && page.answer.header("Location") == "/ui/sign-in", "\(page.answer.status) \(page.answer.headers)")
                    let plain = try await call("GET", "/ui/sign-in", token: nil)
                    #expect(plain.owner == "approval" && plain.answer.status == 200)
                    let plainCookie = try #require(plain.answer.header("Set-Cookie"))
                    #expect(!plainCookie.localizedCaseInsensitiveContains("secure"), "\(plainCookie)")
                    let overTLS = try await call("GET", "/ui/sign-in", token: nil, headers: [("X-Forwarded-Proto", "https")])
                    #expect(overTLS.owner == "approval" && overTLS.answer.status == 200)
                    let secureCookie = try #require(overTLS.answer.header("Set-Cookie"))
                    #expect(secureCookie.contains("; Secure") && secureCookie.contains("HttpOnly"), "\(secureCookie)")

                    // The trace context passes both ways; a body over 1 MiB stops at the gateway.
                    // (curl: the mesh's client sends a traceparent of its own.)
                    let traceID = RandomHex.bytes(16)
                    let traced = try await ProcessRunner.run(
                        "curl", ["--silent", "--dump-header", "-", "--output", "/dev/null", "--max-time", "10", "-H", "Authorization: Bearer \(creator)",
                                 "-H", "traceparent: 00-\(traceID)-\(RandomHex.bytes(8))-01", "\(gateway.url)\(api)/specs/\(spec)"],
                        in: FileManager.default.temporaryDirectory.path, timeout: .seconds(15))
                    #expect(traced.output.lowercased().contains("traceparent: 00-\(traceID)-"), "\(traced.output)")
                    let huge = "{\"title\":\"x\",\"mode\":\"freeform\",\"description\":\"\(String(repeating: "a", count: 1_100_000))\"}"
                    let tooLarge = try await call("POST", "\(api)/specs", token: creator, body: huge)
                    #expect(tooLarge.owner == "gateway" && tooLarge.answer.status == 413)
                    #expect(tooLarge.answer.json?[path: "error", "code"]?.stringValue == "INVALID_ARGUMENT")
                }
            }
        }

        /// The paths and methods of a service's contract (`Services/<name>-service/openapi.json`),
        /// each `{parameter}` filled with a fresh UUID.
        static func contract(of service: String) throws -> [(method: String, path: String)] {
            let file = "\(NginxGateway.repositoryRoot)/Services/\(service)-service/openapi.json"
            let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            return paths.sorted { $0.key < $1.key }.flatMap { template, operations in
                let path = template.split(separator: "/", omittingEmptySubsequences: false)
                    .map { $0.hasPrefix("{") ? UUID().lowercaseText : String($0) }.joined(separator: "/")
                return operations.keys.filter { ["get", "post", "put", "patch", "delete"].contains($0) }.sorted().map { ($0.uppercased(), path) }
            }
        }

        @Test func everyPathOfTheContractsGoesToItsOwnerAndTheRestStaysAtTheGateway() async throws {
            // Nobody listens on these ports: the gateway still logs where it sent each request, and
            // answers for the service in the wire format.
            let ports = ["spec": try LoopbackPort.free(), "run": try LoopbackPort.free(), "agent": try LoopbackPort.free(), "approval": try LoopbackPort.free()]
            let owners = Dictionary(uniqueKeysWithValues: ports.map { ("127.0.0.1:\($0.value)", $0.key) })
            let url = { (service: String) in "http://127.0.0.1:\(ports[service]!)" }
            try await NginxGateway.with(spec: url("spec"), run: [url("run")], agent: url("agent"), approval: url("approval")) { gateway in
                let client = MeshClient(jwtSecret: RunMesh.jwtSecret)
                var routed = 0
                for service in ["spec", "run", "agent", "approval"] {
                    for (method, path) in try Self.contract(of: service) {
                        let own = ["/readyz", "/metrics", "/openapi.json"].contains(path) || path.hasPrefix("/internal/")
                        let call = try await Self.through(gateway, owners, client, method, path, token: nil, body: method == "GET" ? nil : "{}", answered: false)
                        if path == "/healthz" {
                            // The gateway's own liveness answers in place of the services'.
                            #expect(call.owner == "gateway" && call.answer.status == 200 && call.answer.text == "ok\n")
                        } else if own {
                            #expect(call.owner == "gateway" && call.answer.status == 404, "\(method) \(path) of the \(service)-service: \(call.owner) \(call.answer.status)")
                        } else {
                            routed += 1
                            #expect(call.owner == service, "\(method) \(path) belongs to the \(service)-service, went to: \(call.owner)")
                            #expect(call.answer.status == 503 && call.answer.header("Retry-After") == "1", "\(method) \(path): \(call.answer.status) \(call.answer.text)")
                            #expect(call.answer.json?[path: "error", "code"]?.stringValue == "UNAVAILABLE")
                        }
                    }
                }
                // DESIGN.md's public endpoints (26) and the review page's routes, at least.
                #expect(routed >= 30, "\(routed) routed paths")
                #expect(try await client.call("GET", gateway.url + "/healthz", token: nil).status == 200)
            }
            // The compose gateway's file and a local one, both with the shared routing file.
            let checked = try await NginxGateway.script(["check"], environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/bin"])
            #expect(checked.status == 0, "\(checked.output)")
            #expect(checked.output.contains("compose/nginx.conf (with compose/gateway/routes.conf) is valid"), "\(checked.output)")
        }
    }
}
