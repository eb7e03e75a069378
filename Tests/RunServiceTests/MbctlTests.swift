import Foundation
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// `mbctl` as a user runs it: the binary as a subprocess against the real mesh (the four
    /// services, real Postgres and Redis), its `--json` outputs checked against the services'
    /// contracts, its exit codes against docs/mbctl.md.
    @Suite(.serialized) struct MbctlTests {
        /// mbctl's environment for a mesh: each service's own URL (no gateway), the signing secret.
        static func environment(_ mesh: RunMesh, approval: ServiceProcess?) -> [String: String] {
            var environment = [
                "META_BUILDER_SPEC_URL": "http://127.0.0.1:\(mesh.specPort)",
                "META_BUILDER_RUN_URL": "http://127.0.0.1:\(mesh.runPorts[0])",
                "META_BUILDER_JWT_SECRET": RunMesh.jwtSecret,
            ]
            if let approval { environment["META_BUILDER_APPROVAL_URL"] = approval.url }
            return environment
        }

        /// Runs mbctl and requires exit 0; its standard output.
        static func succeed(_ arguments: [String], _ environment: [String: String], timeout: Duration = .seconds(180)) async throws -> String {
            let outcome = try await MbctlProcess.run(arguments, environment: environment, timeout: timeout)
            try #require(outcome.status == 0, "mbctl \(arguments.joined(separator: " ")): \(outcome)")
            return outcome.stdout
        }

        /// `text` parsed as JSON.
        static func json(_ text: String) throws -> JSONValue {
            try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        }

        /// Expects `text` to validate against `schema` of `document`.
        static func expectValid(_ text: String, _ schema: String, _ document: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let violations = try await OpenAPISchemaCheck.violations(of: text, schema: schema, document: document)
            #expect(violations.isEmpty, "\(schema): \(violations)\n\(text.prefix(2000))", sourceLocation: sourceLocation)
        }

        /// Expects every item of a page to validate against `schema`.
        static func expectValidItems(_ text: String, key: String, _ schema: String, _ document: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let items = try #require(try json(text)[key]?.array, "\(key) in \(text.prefix(500))")
            #expect(!items.isEmpty, "\(key) is empty", sourceLocation: sourceLocation)
            for item in items {
                try await expectValid(String(decoding: try JSONEncoder().encode(item), as: UTF8.self), schema, document, sourceLocation: sourceLocation)
            }
        }

        /// Through the gateway: one URL for mbctl.
        @Test func createPlanRunWatchApproveAndDownloadTheArtifactsVerified() async throws {
            let approvalPort = try LoopbackPort.free()
            try await ApprovalGateTests.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)") { mesh, approval, client, _ in
                try await Self.throughGateway(mesh, approval: approval.url) { gateway in
                    // One URL for everything: the gateway.
                    let base = ["META_BUILDER_URL": gateway.url, "META_BUILDER_JWT_SECRET": RunMesh.jwtSecret]
                    let tenant = UUID().lowercaseText
                    let creatorToken = try Self.json(try await Self.succeed(["token", "issue", "--tenant", tenant, "--role", "owner", "--user", "creator", "--json"], base))["token"]?.stringValue
                    let creator = base.merging(["META_BUILDER_TOKEN": try #require(creatorToken)]) { $1 }
                    let reviewerToken = try #require(try await Self.succeed(["token", "issue", "--tenant", tenant, "--role", "admin", "--user", "reviewer"], base).split(separator: "\n").first.map(String.init))
                    let specContract = try await mesh.call("GET", "/openapi.json", on: "spec", token: nil).text
                    let runContract = try await mesh.call("GET", "/openapi.json", token: nil).text
                    let approvalContract = try await client.call("GET", "\(approval.url)/openapi.json", token: nil).text

                    // create → plan: a high-risk spec, which parks for approval.
                    let created = try await Self.succeed(["spec", "create", "--title", "Synced CRM", "--text", RunLoopTests.syncedCRM, "--json"], creator)
                    try await Self.expectValid(created, "Spec", specContract)
                    let spec = try #require(try Self.json(created)["id"]?.stringValue)
                    let planned = try await Self.succeed(["plan", spec, "--json"], creator, timeout: .seconds(120))
                    try await Self.expectValid(planned, "Plan", specContract)
                    #expect(try Self.json(planned)["version"]?.int == 1)
                    #expect(try Self.json(planned)[path: "risk", "level"]?.stringValue == "high", "\(planned.prefix(800))")
                    let specs = try await Self.succeed(["spec", "list", "--json"], creator)
                    try await Self.expectValidItems(specs, key: "specs", "Spec", specContract)

                    // run start, and run watch following it in the background from the first event.
                    let started = try await Self.succeed(["run", "start", spec, "--max-iterations", "3", "--token-budget", "900000", "--timeout", "600", "--json"], creator)
                    try await Self.expectValid(started, "Run", runContract)
                    let startedRun = try Self.json(started)
                    let run = try #require(startedRun["id"]?.stringValue)
                    #expect(startedRun[path: "caps", "max_iterations"]?.int == 3 && startedRun[path: "caps", "token_budget"]?.int == 900_000 && startedRun[path: "caps", "timeout_s"]?.int == 600)
                    let watch = try MbctlProcess(["run", "watch", run], environment: creator)

                    // The gate opens; the creator may not approve (an API error), the reviewer does.
                    var gates = ""
                    let opened = try await ApprovalGateTests.eventually(timeout: .seconds(240)) {
                        gates = try await Self.succeed(["approvals", "--json"], creator)
                        return try Self.json(gates)["approvals"]?.array?.first?["status"]?.stringValue == "pending"
                    }
                    try #require(opened, "no pending gate: \(gates)\nwatch so far:\n\(watch.stdout)\n\(watch.stderr)")
                    try await Self.expectValid(gates, "GatePage", approvalContract)
                    let gate = try #require(try Self.json(gates)["approvals"]?.array?.first?["id"]?.stringValue)
                    let shown = try await Self.succeed(["approvals", gate, "--json"], creator)
                    try await Self.expectValid(shown, "Gate", approvalContract)
                    let human = try await Self.succeed(["approvals", gate], creator)
                    #expect(human.contains("Rejecting undoes") && human.contains("down migrations") && human.contains("deals"), "\(human)")
                    let own = try await MbctlProcess.run(["approve", run, "-m", "mine"], environment: creator)
                    #expect(own.status == 1, "\(own)")
                    #expect(own.stderr.contains("PERMISSION_DENIED (403)"), "\(own)")
                    let approved = try await Self.succeed(["approve", run, "-m", "rollback verified", "--token", reviewerToken, "--json"], creator)
                    try await Self.expectValid(approved, "Gate", approvalContract)
                    #expect(try Self.json(approved)["status"]?.stringValue == "approved")

                    // The watch saw the whole run and exits with its outcome.
                    let watched = try await watch.outcome(timeout: .seconds(240))
                    #expect(watched.status == 0, "\(watched)")
                    for expected in ["codegen_engineer completed", "qa_evaluator completed", "run.awaiting_approval", "run.succeeded", "steps", "tokens", "status:"] {
                        #expect(watched.stdout.contains(expected), "\(expected) in \(watched.stdout)")
                    }
                    #expect(!watched.stdout.contains("\u{1B}["), "no colours when not on a terminal")

                    let finished = try await Self.succeed(["run", "get", run, "--json"], creator)
                    try await Self.expectValid(finished, "Run", runContract)
                    #expect(try Self.json(finished)["status"]?.stringValue == "succeeded")
                    let runs = try await Self.succeed(["run", "list", "--spec", spec, "--json"], creator)
                    try await Self.expectValidItems(runs, key: "runs", "RunSummary", runContract)
                    try await Self.expectValid(try await Self.succeed(["run", "report", run, "--json"], creator), "EvalReport", runContract)
                    try await Self.expectValid(try await Self.succeed(["run", "diff", run, "--json"], creator), "RunDiff", runContract)
                    let diff = try await Self.succeed(["run", "diff", run], creator)
                    #expect(diff.contains("diff --git") && !diff.contains("\u{1B}["), "\(diff.prefix(400))")
                    let audit = try await Self.succeed(["audit", "--resource-id", run, "--json"], creator)
                    try await Self.expectValid(audit, "AuditPage", approvalContract)
                    #expect(try Self.json(audit)["records"]?.array?.isEmpty == false)

                    // The artifacts, downloaded and verified; the files are what the listing says.
                    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mbctl-artifacts-\(UUID().lowercaseText)")
                    defer { try? FileManager.default.removeItem(at: directory) }
                    let listed = try await Self.succeed(["run", "artifacts", run, "--download", directory.path, "--json"], creator)
                    try await Self.expectValid(listed, "RunArtifacts", runContract)
                    let artifacts = try #require(try Self.json(listed)["artifacts"]?.array)
                    #expect(Set(artifacts.compactMap { $0["kind"]?.stringValue }) == ["zip", "manifest", "pull_request"])
                    for artifact in artifacts {
                        let file = directory.appendingPathComponent(try #require(artifact["file_name"]?.stringValue))
                        let bytes = try Data(contentsOf: file)
                        #expect(Digest.sha256Hex(bytes) == artifact["sha256"]?.stringValue, "\(file.path)")
                    }
                    let manifest = try Self.json(String(decoding: try Data(contentsOf: directory.appendingPathComponent(try #require(artifacts.first { $0["kind"]?.stringValue == "manifest" }?["file_name"]?.stringValue))), as: UTF8.self))
                    try await Self.expectValid(String(decoding: try JSONEncoder().encode(manifest), as: UTF8.self), "RunManifest", runContract)

                    // A stored blob changed behind the service's back: the download does not verify (5).
                    let zip = try #require(artifacts.first { $0["kind"]?.stringValue == "zip" }?["sha256"]?.stringValue)
                    let blob = URL(fileURLWithPath: mesh.workspaceRoot).deletingLastPathComponent().appendingPathComponent("artifacts/blobs/sha256/\(zip.prefix(2))/\(zip)").path
                    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: blob)
                    let handle = try #require(FileHandle(forWritingAtPath: blob))
                    try handle.seek(toOffset: 10)
                    try handle.write(contentsOf: Data("tampered".utf8))
                    try handle.close()
                    let tampered = try await MbctlProcess.run(["run", "artifacts", run, "--download", directory.appendingPathComponent("again").path], environment: creator)
                    #expect(tampered.status == 5, "\(tampered)")
                    #expect(tampered.stderr.contains("do not verify") && tampered.stdout.contains("MISMATCH"), "\(tampered)")
                    #expect(gateway.accessLog.contains { $0.contains("GET /api/meta/v2/runs/\(run)/events") }, "the watch went through the gateway")
                }
            }
        }

        /// Runs `body` with the local nginx gateway in front of the mesh (`approval`: its URL, or
        /// a port nobody listens on when the test needs no approval-service).
        static func throughGateway<T: Sendable>(_ mesh: RunMesh, approval: String, _ body: (NginxGateway) async throws -> T) async throws -> T {
            try await NginxGateway.with(
                spec: "http://127.0.0.1:\(mesh.specPort)", run: ["http://127.0.0.1:\(mesh.runPorts[0])"],
                agent: "http://127.0.0.1:\(mesh.agentPort)", approval: approval, body
            )
        }

        @Test func usageErrorsApiErrorsAndAnUnreachableServiceHaveTheirExitCodes() async throws {
            try await RunMesh.with { mesh in
                let base = Self.environment(mesh, approval: nil)
                let tenant = UUID().lowercaseText
                let token = try await Self.succeed(["token", "issue", "--tenant", tenant, "--role", "viewer"], base).trimmingCharacters(in: .whitespacesAndNewlines)
                let viewer = base.merging(["META_BUILDER_TOKEN": token]) { $1 }

                // Usage: a missing argument, a bad flag value, reject without a reason, no secret.
                for arguments in [["run", "start"], ["run", "list", "--page-size", "many"], ["reject", UUID().lowercaseText], ["spec", "create", "--title", "x"], ["nonsense"]] {
                    let outcome = try await MbctlProcess.run(arguments, environment: viewer)
                    #expect(outcome.status == 64, "\(arguments): \(outcome)")
                }
                let unsigned = try await MbctlProcess.run(["token", "issue", "--tenant", tenant, "--role", "owner"], environment: ["META_BUILDER_RUN_URL": "http://127.0.0.1:1"])
                #expect(unsigned.status == 64 && unsigned.stderr.contains("META_BUILDER_JWT_SECRET"), "\(unsigned)")
                let missingConfig = try await MbctlProcess.run(["run", "list"], environment: viewer.merging(["MBCTL_CONFIG": "/nonexistent/mbctl.json"]) { $1 })
                #expect(missingConfig.status == 64, "\(missingConfig)")

                // API errors: the wire error's code, status and message on standard error.
                let unknown = try await MbctlProcess.run(["run", "get", UUID().lowercaseText], environment: viewer)
                #expect(unknown.status == 1 && unknown.stderr.contains("NOT_FOUND (404)"), "\(unknown)")
                let spec = try await mesh.createSpec(token: RunMesh.token(tenant: UUID(uuidString: tenant)!, role: .owner), title: "Tasks", description: RunAPITests.tasks)
                let forbidden = try await MbctlProcess.run(["run", "start", spec], environment: viewer)
                #expect(forbidden.status == 1 && forbidden.stderr.contains("PERMISSION_DENIED (403)"), "\(forbidden)")
                let owner = try await Self.succeed(["token", "issue", "--tenant", tenant, "--role", "owner"], base).trimmingCharacters(in: .whitespacesAndNewlines)
                let tooMany = try await MbctlProcess.run(["run", "start", spec, "--max-iterations", "1000", "--token", owner], environment: base)
                #expect(tooMany.status == 1 && tooMany.stderr.contains("INVALID_ARGUMENT (400)") && tooMany.stderr.contains("max_iterations"), "\(tooMany)")
                let anonymous = try await MbctlProcess.run(["spec", "list"], environment: base)
                #expect(anonymous.status == 1 && anonymous.stderr.contains("UNAUTHENTICATED (401)"), "\(anonymous)")

                // A guided form from a file; a file that is not one is a usage error.
                let forms = FileManager.default.temporaryDirectory.appendingPathComponent("mbctl-forms-\(UUID().lowercaseText)")
                try FileManager.default.createDirectory(at: forms, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: forms) }
                try #"{"entities": [{"name": "book", "fields": [{"name": "title", "type": "string"}]}]}"#.write(to: forms.appendingPathComponent("form.json"), atomically: true, encoding: .utf8)
                try "not json".write(to: forms.appendingPathComponent("broken.json"), atomically: true, encoding: .utf8)
                let guided = try Self.json(try await Self.succeed(["spec", "create", "--title", "Books", "--file", forms.appendingPathComponent("form.json").path, "--json", "--token", owner], base))
                #expect(guided["mode"]?.stringValue == "guided" && guided[path: "form", "entities"]?.array?.count == 1, "\(guided)")
                let broken = try await MbctlProcess.run(["spec", "create", "--title", "Books", "--file", forms.appendingPathComponent("broken.json").path, "--token", owner], environment: base)
                #expect(broken.status == 64 && broken.stderr.contains("not a JSON object"), "\(broken)")

                // Acceptance criteria and an idempotency key: the same key and body give the same spec.
                let keyed = ["spec", "create", "--title", "Keyed", "--text", RunAPITests.tasks, "--criterion", "A task can be marked done", "--idempotency-key", "mbctl-\(tenant)", "--json", "--token", owner]
                let first = try Self.json(try await Self.succeed(keyed, base))
                let second = try Self.json(try await Self.succeed(keyed, base))
                #expect(first["id"] != nil && first["id"] == second["id"], "\(first) \(second)")
                #expect(first["acceptance_criteria"]?.array?.compactMap(\.stringValue).contains("A task can be marked done") == true, "\(first)")
                let shown = try await Self.succeed(["spec", "get", try #require(first["id"]?.stringValue), "--token", owner], base)
                #expect(shown.contains("Keyed") && shown.contains("A task can be marked done"), "\(shown)")

                // A cancelled run: `run cancel` succeeds, `run watch` exits 4.
                let queued = try #require(try Self.json(try await Self.succeed(["run", "start", spec, "--json", "--token", owner], base))["id"]?.stringValue)
                let cancelled = try Self.json(try await Self.succeed(["run", "cancel", queued, "--json", "--token", owner], base))
                #expect(cancelled["status"]?.stringValue == "cancelled", "\(cancelled)")
                let watchedCancel = try await MbctlProcess.run(["run", "watch", queued], environment: viewer)
                #expect(watchedCancel.status == 4 && watchedCancel.stdout.contains("cancelled"), "\(watchedCancel)")

                // Unreachable: nothing listens there, whatever the other settings say.
                let nowhere = try ClosedPort()
                let unreachable = try await MbctlProcess.run(["run", "list", "--url", nowhere.url], environment: viewer)
                withExtendedLifetime(nowhere) {}
                #expect(unreachable.status == 69 && unreachable.stderr.contains("cannot reach the run-service"), "\(unreachable)")

                // A run paused at a cap exits 6 from `run start --wait` and from `run watch`, which
                // say how to go on; `run extend` raises the cap and follows it to its end.
                let pausing = try await MbctlProcess.run(["run", "start", spec, "--wait", "--token-budget", "1", "--json", "--token", owner], environment: base)
                #expect(pausing.status == 6, "\(pausing)")
                let paused = try Self.json(pausing.stdout)
                #expect(paused["status"]?.stringValue == "awaiting_budget" && paused[path: "budget", "cap"]?.stringValue == "tokens", "\(pausing)")
                let pausedID = try #require(paused["id"]?.stringValue)
                let watched = try await MbctlProcess.run(["run", "watch", pausedID], environment: viewer)
                #expect(watched.status == 6 && watched.stdout.contains("awaiting_budget") && watched.stderr.contains("mbctl run extend \(pausedID) --token-budget"), "\(watched)")
                let nothingNamed = try await MbctlProcess.run(["run", "extend", pausedID, "--token", owner], environment: base)
                #expect(nothingNamed.status == 64 && nothingNamed.stderr.contains("name a cap to raise"), "\(nothingNamed)")
                let wrongCap = try await MbctlProcess.run(["run", "extend", pausedID, "--max-iterations", "5", "--token", owner], environment: base)
                #expect(wrongCap.status == 1 && wrongCap.stderr.contains("INVALID_ARGUMENT (400)") && wrongCap.stderr.contains("token_budget"), "\(wrongCap)")
                let asViewer = try await MbctlProcess.run(["run", "extend", pausedID, "--token-budget", "2000000"], environment: viewer)
                #expect(asViewer.status == 1 && asViewer.stderr.contains("PERMISSION_DENIED"), "\(asViewer)")
                let extended = try await MbctlProcess.run(["run", "extend", pausedID, "--token-budget", "2000000", "--wait", "--token", owner], environment: base)
                #expect(extended.status == 0 && extended.stdout.contains("succeeded"), "\(extended)")
                // A succeeded run is regenerated (its branch merged with a new generation); a viewer may not.
                let regenerated = try Self.json(try await Self.succeed(["run", "regenerate", pausedID, "--wait", "--json", "--token", owner], base))
                #expect(regenerated["status"]?.stringValue == "succeeded" && regenerated["regenerates"]?.stringValue == pausedID, "\(regenerated)")
                // An ended run is replayed from its recording, every step reproduced.
                let replayed = try Self.json(try await Self.succeed(["run", "replay", pausedID, "--wait", "--json", "--token", owner], base))
                #expect(replayed["status"]?.stringValue == "succeeded" && replayed["replay_of"]?.stringValue == pausedID, "\(replayed)")
                let viewerRegenerates = try await MbctlProcess.run(["run", "regenerate", pausedID], environment: viewer)
                #expect(viewerRegenerates.status == 1 && viewerRegenerates.stderr.contains("PERMISSION_DENIED"), "\(viewerRegenerates)")

                // What the tenant's working apps cost: the window and its months, or the answer as JSON.
                let analytics = try await MbctlProcess.run(["analytics"], environment: viewer)
                #expect(analytics.status == 0 && analytics.stdout.contains("WORKING APPS") && analytics.stdout.contains("succeeded"), "\(analytics)")
                let figures = try Self.json(try await Self.succeed(["analytics", "--json"], viewer))
                #expect((figures[path: "cost", "working_apps"]?.int ?? 0) >= 1 && figures[path: "cost", "months"]?.array?.isEmpty == false, "\(figures)")
                let badWindow = try await MbctlProcess.run(["analytics", "--from", "yesterday"], environment: viewer)
                #expect(badWindow.status == 1 && badWindow.stderr.contains("from"), "\(badWindow)")

                // The tenant's monthly budgets: owners set them, everybody reads them.
                let setBudget = try await MbctlProcess.run(["budget", "--monthly-tokens", "900000000", "--monthly-cost-usd", "12.5", "--token", owner], environment: base)
                #expect(setBudget.status == 0 && setBudget.stdout.contains("of 900,000,000") && setBudget.stdout.contains("of 12.5 USD"), "\(setBudget)")
                let readBudget = try Self.json(try await Self.succeed(["budget", "--json"], viewer))
                #expect(readBudget["monthly_tokens"]?.int == 900_000_000 && readBudget["monthly_cost_usd"] == .number(12.5), "\(readBudget)")
                let deniedBudget = try await MbctlProcess.run(["budget", "--monthly-tokens", "5"], environment: viewer)
                #expect(deniedBudget.status == 1 && deniedBudget.stderr.contains("PERMISSION_DENIED"), "\(deniedBudget)")
                let badBudget = try await MbctlProcess.run(["budget", "--monthly-tokens", "lots"], environment: viewer)
                #expect(badBudget.status == 64, "\(badBudget)")
                let lifted = try await MbctlProcess.run(["budget", "--monthly-tokens", "none", "--monthly-cost-usd", "none", "--token", owner], environment: base)
                #expect(lifted.status == 0 && lifted.stdout.contains("no budget"), "\(lifted)")
            }
        }

        @Test func aRejectedRunEndsTheWatchWithThreeAndColoursShowOnlyOnATerminal() async throws {
            let approvalPort = try LoopbackPort.free()
            try await ApprovalGateTests.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)") { mesh, approval, _, _ in
                let base = Self.environment(mesh, approval: approval)
                let tenant = UUID().lowercaseText
                let creator = base.merging(["META_BUILDER_TOKEN": try await Self.succeed(["token", "issue", "--tenant", tenant, "--role", "owner", "--user", "creator"], base).trimmingCharacters(in: .whitespacesAndNewlines)]) { $1 }
                let reviewer = base.merging(["META_BUILDER_TOKEN": try await Self.succeed(["token", "issue", "--tenant", tenant, "--role", "owner", "--user", "reviewer"], base).trimmingCharacters(in: .whitespacesAndNewlines)]) { $1 }
                let spec = try #require(try Self.json(try await Self.succeed(["spec", "create", "--title", "Synced CRM", "--text", RunLoopTests.syncedCRM, "--json"], creator))["id"]?.stringValue)

                // `run start --wait` comes back when the run waits for approval: exit 0, and a hint.
                let waiting = try await MbctlProcess.run(["run", "start", spec, "--wait"], environment: creator)
                #expect(waiting.status == 0 && waiting.stdout.contains("awaiting_approval") && waiting.stderr.contains("mbctl approve"), "\(waiting)")
                let run = try #require(try Self.json(try await Self.succeed(["run", "list", "--spec", spec, "--json"], creator))["runs"]?.array?.first?["id"]?.stringValue)

                // Colours on a terminal only, and never with NO_COLOR.
                let coloured = try await MbctlProcess.run(["run", "diff", run], environment: creator, onTerminal: true)
                #expect(coloured.status == 0 && coloured.stdout.contains("\u{1B}[32m+"), "\(coloured.stdout.prefix(300))")
                let plain = try await MbctlProcess.run(["run", "diff", run], environment: creator.merging(["NO_COLOR": "1"]) { $1 }, onTerminal: true)
                #expect(plain.status == 0 && plain.stdout.contains("diff --git") && !plain.stdout.contains("\u{1B}["), "\(plain.stdout.prefix(300))")

                let reasonless = try await MbctlProcess.run(["reject", run], environment: reviewer)
                #expect(reasonless.status == 64, "\(reasonless)")
                let watch = try MbctlProcess(["run", "watch", run], environment: creator)
                let rejected = try await Self.succeed(["reject", run, "-m", "not this quarter"], reviewer)
                #expect(rejected.contains("Rejected run") && rejected.contains("rejected"), "\(rejected)")
                let watched = try await watch.outcome(timeout: .seconds(120))
                #expect(watched.status == 3 && watched.stdout.contains("run.rejected"), "\(watched)")
                #expect(watched.stdout.contains("rollback:") && watched.stdout.contains("nothing was published"), "\(watched)")
                let again = try await MbctlProcess.run(["approve", run, "-m", "too late"], environment: reviewer)
                #expect(again.status == 1 && again.stderr.contains("(4"), "\(again)")
            }
        }

        /// Through the gateway, which answers 503 while the run-service is down.
        @Test func runWatchSurvivesARestartOfTheRunServiceMidRun() async throws {
            let nowhere = try ClosedPort()
            defer { withExtendedLifetime(nowhere) {} }
            try await RunMesh.with { mesh in
                try await Self.throughGateway(mesh, approval: nowhere.url) { gateway in
                    let base = ["META_BUILDER_URL": gateway.url, "META_BUILDER_JWT_SECRET": RunMesh.jwtSecret]
                    let token = try await Self.succeed(["token", "issue", "--tenant", UUID().lowercaseText, "--role", "owner"], base).trimmingCharacters(in: .whitespacesAndNewlines)
                    let owner = base.merging(["META_BUILDER_TOKEN": token]) { $1 }
                    let spec = try #require(try Self.json(try await Self.succeed(["spec", "create", "--title", "Tasks", "--text", RunAPITests.tasks, "--json"], owner))["id"]?.stringValue)
                    let run = try #require(try Self.json(try await Self.succeed(["run", "start", spec, "--json"], owner))["id"]?.stringValue)
                    let watch = try MbctlProcess(["run", "watch", run], environment: owner)

                    // Once the watch has shown Codegen's step, the run-service is killed and restarted.
                    let midRun = try await ApprovalGateTests.eventually(timeout: .seconds(120)) { watch.stdout.contains("codegen_engineer completed") }
                    try #require(midRun, "the watch showed no step:\n\(watch.stdout)\n\(watch.stderr)")
                    mesh.signal(runService: 0, SIGKILL)
                    try await Task.sleep(for: .seconds(1))
                    try await mesh.startRunService(0)

                    let watched = try await watch.outcome(timeout: .seconds(240))
                    #expect(watched.status == 0, "\(watched)\n\(mesh.logTail("run-service-0"))")
                    #expect(watched.stderr.contains("connection lost"), "\(watched)")
                    #expect(watched.stdout.contains("run.succeeded") && watched.stdout.contains("reviewer completed"), "\(watched)")
                    // Each line is the run as that event left it: queued first, all steps done last.
                    #expect(watched.stdout.contains("#1     queued "), "\(watched)")
                    #expect(watched.stdout.contains("succeeded         iter 1/4  [####################] 5/5 steps"), "\(watched)")
                    // Resumed after the last event seen: each event once, in order.
                    let numbers = watched.stdout.split(separator: "\n").compactMap { line -> Int? in
                        guard line.hasPrefix("#") else { return nil }
                        return Int(line.dropFirst().prefix { $0.isNumber })
                    }
                    #expect(!numbers.isEmpty && numbers == Array(Set(numbers)).sorted(), "\(numbers)")
                }
            }
        }
    }
}
