import Foundation
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// Runs survive their workers: two run-service processes share the queue; one killed (or
    /// frozen) mid-run loses the run to the other, which finishes it from its last finished
    /// step, and the old one writes nothing more.
    @Suite(.serialized) struct RunDurabilityTests {
        /// Waits until run `id` is evaluating and held by one of the mesh's run-services; that
        /// service's index.
        private static func holderWhileEvaluating(_ id: String, mesh: RunMesh, token: String) async throws -> Int {
            _ = try await mesh.waitForRun(id, token: token, timeout: .seconds(120)) { $0["status"]?.stringValue == "evaluating" || RunMesh.isSettled($0) }
            let holder = try #require(try await RunTestDatabase.leaseHolderPID(of: id), "nobody holds run \(id)")
            return try #require(mesh.runPorts.indices.first { mesh.pid(runService: $0) == holder }, "run \(id) is held by pid \(holder), not by this mesh")
        }

        /// What every survived run must show: finished, each step once, one terminal event,
        /// events numbered without gaps.
        private static func expectFinishedOnce(_ run: JSONValue, id: String, tenant: UUID) async throws {
            #expect(run["status"]?.stringValue == "succeeded", "\(run)")
            let steps = try #require(run["steps"]?.array).map { "\($0["role"]?.stringValue ?? "")@\($0["iteration"]?.int ?? 0)" }
            #expect(Set(steps).count == steps.count, "a step ran twice: \(steps)")
            #expect(steps == ["codegen_engineer@1", "devops@1", "qa_evaluator@1", "reviewer@1"])
            let events = try await RunTestDatabase.events(of: id, tenant: tenant)
            #expect(events.map(\.sequence) == Array(1...events.count))
            #expect(events.filter { RunEvents.Kind(rawValue: $0.type)?.isTerminal == true }.map(\.type) == ["run.succeeded"])
            #expect(events.filter { $0.type == "run.step.completed" }.count == 4)
        }

        @Test func aRunWhoseWorkerIsKilledMidEvaluationIsFinishedByTheOtherInstance() async throws {
            try await RunMesh.with(runServices: 2) { mesh in
                let tenant = UUID()
                let token = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: token, title: "CRM", description: RunLoopTests.crm)
                let id = try #require(try await mesh.startRun(spec: spec, token: token).json?["id"]?.stringValue)
                let holder = try await Self.holderWhileEvaluating(id, mesh: mesh, token: token)
                mesh.signal(runService: holder, SIGKILL)
                let survivor = 1 - holder
                let run = try await mesh.waitForRun(id, token: token, runService: survivor, timeout: .seconds(180))
                try await Self.expectFinishedOnce(run, id: id, tenant: tenant)
                let metrics = try await mesh.call("GET", "/metrics", runService: survivor, token: nil)
                #expect(metrics.text.contains("meta_builder_run_lease_takeovers_total 1"), "the survivor took the run over")
            }
        }

        @Test func aFrozenWorkerThatLostItsLeaseWritesNothingWhenItWakes() async throws {
            try await RunMesh.with(runServices: 2) { mesh in
                let tenant = UUID()
                let token = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: token, title: "CRM", description: RunLoopTests.crm)
                let id = try #require(try await mesh.startRun(spec: spec, token: token).json?["id"]?.stringValue)
                let holder = try await Self.holderWhileEvaluating(id, mesh: mesh, token: token)
                mesh.signal(runService: holder, SIGSTOP)
                let survivor = 1 - holder
                // The other instance takes the run over once the frozen one's lease expired…
                let survivorPID = try #require(mesh.pid(runService: survivor))
                let giveUp = ContinuousClock.now + .seconds(60)
                while try await RunTestDatabase.leaseHolderPID(of: id) != survivorPID, ContinuousClock.now < giveUp {
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(try await RunTestDatabase.leaseHolderPID(of: id) == survivorPID, "the survivor should hold the run")
                // …and the frozen one wakes up while the run is still being finished.
                mesh.signal(runService: holder, SIGCONT)
                let run = try await mesh.waitForRun(id, token: token, runService: survivor, timeout: .seconds(180))
                try await Self.expectFinishedOnce(run, id: id, tenant: tenant)
                // Nothing changes after the end: the woken worker wrote nothing.
                let eventsAtEnd = try await RunTestDatabase.events(of: id, tenant: tenant).count
                try await Task.sleep(for: .seconds(3))
                let later = try await mesh.call("GET", "/api/meta/v2/runs/\(id)", runService: holder, token: token)
                #expect(later.json?["steps"] == run["steps"])
                #expect(try await RunTestDatabase.events(of: id, tenant: tenant).count == eventsAtEnd)
                #expect(mesh.logTail("run-service-\(holder)", lines: 400).contains("lost the claim"), "the woken worker stopped on its lost claim")
            }
        }

        @Test func aRunTakenOverOnDifferentGroundStopsNamingWhatChanged() async throws {
            try await RunMesh.with { mesh in
                let tenant = UUID()
                let token = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: token, title: "CRM", description: RunLoopTests.crm)
                let id = try #require(try await mesh.startRun(spec: spec, token: token).json?["id"]?.stringValue)
                _ = try await Self.holderWhileEvaluating(id, mesh: mesh, token: token)
                mesh.signal(runService: 0, SIGKILL)
                // The instance that takes over reserves another ceiling per call: different ground.
                try await mesh.startRunService(0, environment: ["META_BUILDER_STEP_TOKEN_CEILING": "90000"])
                let run = try await mesh.waitForRun(id, token: token, timeout: .seconds(120))
                #expect(run["status"]?.stringValue == "failed", "\(run)")
                #expect(run[path: "failure", "reason"]?.stringValue == "fingerprint_changed")
                let detail = run[path: "failure", "detail"]?.stringValue ?? ""
                #expect(detail.hasPrefix("FAILED_PRECONDITION") && detail.contains("step_token_ceiling"), "\(detail)")
                #expect(!detail.contains("plan_sha256") && !detail.contains("model"), "only what changed is named: \(detail)")
                // It never continued: no step started after the takeover.
                let events = try await RunTestDatabase.events(of: id, tenant: tenant)
                #expect(events.last?.type == "run.failed")
                #expect(events.filter { $0.type == "run.step.started" }.count == 3)
            }
        }

        @Test func twentyConcurrentRunsOverFiveTenantsAllEndAndStayApart() async throws {
            try await RunMesh.with(runServices: 2) { mesh in
                let tenants = (0..<5).map { _ in UUID() }
                var runs: [(tenant: UUID, id: String)] = []
                for tenant in tenants {
                    let token = RunMesh.token(tenant: tenant, role: .owner)
                    let spec = try await mesh.createSpec(token: token, title: "Tasks", description: RunAPITests.tasks)
                    for index in 0..<4 {
                        let started = try await mesh.startRun(spec: spec, token: token, runService: index % 2)
                        runs.append((tenant, try #require(started.json?["id"]?.stringValue, "\(started.text)")))
                    }
                }
                var outcomes: [String: String] = [:]
                for run in runs {
                    let settled = try await mesh.waitForRun(run.id, token: RunMesh.token(tenant: run.tenant, role: .viewer), timeout: .seconds(600))
                    outcomes[run.id] = settled["status"]?.stringValue
                }
                #expect(outcomes.count == 20)
                #expect(outcomes.values.allSatisfy { $0 == "succeeded" }, "\(outcomes)")
                // Each tenant sees its own four runs and nothing else.
                for tenant in tenants {
                    let listed = try await mesh.call("GET", "/api/meta/v2/runs?page_size=100", token: RunMesh.token(tenant: tenant, role: .viewer))
                    let ids = Set(listed.json?["runs"]?.array?.compactMap { $0["id"]?.stringValue } ?? [])
                    #expect(ids == Set(runs.filter { $0.tenant == tenant }.map(\.id)))
                }
                // Both instances built some.
                for index in 0..<2 {
                    let metrics = try await mesh.call("GET", "/metrics", runService: index, token: nil)
                    #expect(metrics.text.split(separator: "\n").contains { $0.hasPrefix("meta_builder_runs_succeeded_total ") && !$0.hasSuffix(" 0") }, "run-service \(index) built nothing")
                }
            }
        }
    }
}
