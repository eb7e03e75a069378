import Foundation
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// Whole runs through the real mesh: spec-service, agent-service and run-service processes,
    /// real Postgres, Redis, git and the generated app's own test suite.
    @Suite(.serialized) struct RunLoopTests {
        static let crm = "A CRM with contacts, companies and deals. Each contact has a name, email and phone and belongs to a company. Deals have an amount, a stage (lead, qualified, won, lost) and an owner. Sales reps see only their own deals; managers see all."
        static let helpdesk = "A helpdesk with customers and tickets. Each ticket has a subject, a priority (low, medium, high) and a status (open, pending, closed) and belongs to a customer. Customers have a name and an email."

        @Test func aCRMRunSucceedsWithEveryStepRecordedAndItsSandboxCleaned() async throws {
            try await RunMesh.with { mesh in
                let tenant = UUID()
                let token = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: token, title: "CRM", description: Self.crm)
                // No plan yet: starting the run plans the spec first.
                let started = try await mesh.startRun(spec: spec, token: token)
                #expect(started.status == 202, "\(started.text)")
                let id = try #require(started.json?["id"]?.stringValue)
                #expect(started.json?["status"]?.stringValue == "queued")
                #expect(started.json?[path: "caps", "max_iterations"]?.int == 4)
                #expect(started.json?[path: "caps", "token_budget"]?.int == 2_000_000)
                #expect(started.json?[path: "caps", "timeout_s"]?.int == 900)
                #expect(started.header("RateLimit-Remaining") == "9")

                let run = try await mesh.waitForRun(id, token: token)
                #expect(run["status"]?.stringValue == "succeeded", "\(run)")
                let steps = try #require(run["steps"]?.array)
                #expect(steps.map { $0["role"]?.stringValue ?? "" } == ["codegen_engineer", "devops", "qa_evaluator", "reviewer"])
                #expect(steps.allSatisfy { $0["status"]?.stringValue == "succeeded" && $0["iteration"]?.int == 1 && $0["duration_ms"]?.int != nil })
                #expect(run[path: "report", "passed"]?.bool == true)
                #expect(run[path: "report", "score"]?.int == 100)
                #expect((run[path: "report", "tests_passed"]?.int ?? 0) > 20)
                let spent = try #require(run[path: "spent", "tokens"]?.int)
                #expect(spent > 0 && spent <= 2_000_000)
                #expect(run[path: "spent", "tokens_reserved"]?.int == 0)
                #expect(run[path: "spent", "iterations"]?.int == 1)
                #expect((run[path: "risk", "score"]?.int ?? -1) >= (run[path: "risk", "plan_score"]?.int ?? 101))
                #expect(run["gate"] == .null)
                #expect(run[path: "pull_request", "markdown"]?.stringValue?.contains("## Rollback plan") == true)
                #expect(steps.map { $0["tokens"]?.int ?? 0 }.reduce(0, +) == spent)

                // Every transition is an event, numbered 1… without gaps, ending with the terminal one.
                let events = try await RunTestDatabase.events(of: id, tenant: tenant)
                #expect(events.map(\.sequence) == Array(1...events.count))
                #expect(events.first?.type == "run.started")
                #expect(events.last?.type == "run.succeeded")
                #expect(events.filter { $0.type == "run.step.started" }.count == 4)
                #expect(events.filter { $0.type == "run.step.completed" }.count == 4)
                #expect(events.contains { $0.type == "run.finalizing" })
                // The sandbox is gone: no workspace left for the run.
                #expect(try await mesh.sandboxRemoved(id))

                // Listed, and filtered.
                let listed = try await mesh.call("GET", "/api/meta/v2/runs?status=succeeded&spec_id=\(spec)", token: token)
                #expect(listed.json?["runs"]?.array?.map { $0["id"]?.stringValue } == [id])
                let none = try await mesh.call("GET", "/api/meta/v2/runs?status=failed", token: token)
                #expect(none.json?["runs"]?.array?.isEmpty == true)
                // A later plan version never changes a run that was built.
                let planned = try await mesh.call("POST", "/api/meta/v2/specs/\(spec)/plan", on: "spec", token: token)
                #expect(planned.status == 201)
                let again = try await mesh.call("GET", "/api/meta/v2/runs/\(id)", token: token)
                #expect(again.json?["plan_version"]?.int == 1)
            }
        }

        static let syncedCRM = "A CRM with contacts, companies and deals. Each contact has a name, email and phone and belongs to a company. Deals have an amount, a stage (lead, qualified, won, lost) and an owner. Contacts can have many tags and tags can be on many contacts. Sales reps see only their own deals; managers see all. Deals are synced to Salesforce, and admins manage user roles."

        @Test func aHighRiskRunWaitsForApprovalWithItsGateAndCanStillBeCancelled() async throws {
            try await RunMesh.with { mesh in
                let tenant = UUID()
                let token = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: token, title: "Synced CRM", description: Self.syncedCRM)
                let started = try await mesh.startRun(spec: spec, token: token)
                let id = try #require(started.json?["id"]?.stringValue, "\(started.text)")
                let run = try await mesh.waitForRun(id, token: token)
                #expect(run["status"]?.stringValue == "awaiting_approval", "\(run)")
                let risk = try #require(run[path: "risk", "score"]?.int)
                #expect(risk >= 70 && risk >= (run[path: "risk", "plan_score"]?.int ?? 101))
                #expect(run[path: "gate", "status"]?.stringValue == "pending")
                #expect(run[path: "gate", "risk_score"]?.int == risk)
                #expect(run[path: "gate", "threshold"]?.int == 70)
                #expect(run[path: "pull_request", "markdown"]?.stringValue?.contains("## Risks") == true)
                #expect(run["finished_at"] == nil, "a run waiting for approval has not ended")
                let events = try await RunTestDatabase.events(of: id, tenant: tenant)
                #expect(events.last?.type == "run.awaiting_approval")
                #expect(!events.contains { $0.type == "run.finalizing" })
                // Nobody holds it: it waits for a person, not a worker.
                #expect(try await RunTestDatabase.leaseHolderPID(of: id) == nil)
                // Its preview resources stay for the reviewer (and a rejection's rollback).
                #expect(FileManager.default.fileExists(atPath: "\(mesh.workspaceRoot)/\(id)"))
                // A run waiting for approval can still be cancelled; its gate is withdrawn.
                let cancelled = try await mesh.call("POST", "/api/meta/v2/runs/\(id)/cancel", token: token)
                #expect(cancelled.json?["status"]?.stringValue == "cancelled")
                #expect(cancelled.json?[path: "gate", "status"]?.stringValue == "withdrawn")
                #expect(try await mesh.sandboxRemoved(id))
            }
        }

        @Test func anInjectedFaultIsCaughtAndFixedInIterationTwo() async throws {
            try await RunMesh.with { mesh in
                let tenant = UUID()
                let token = RunMesh.token(tenant: tenant, role: .admin)
                let spec = try await mesh.createSpec(token: token, title: "Helpdesk", description: Self.helpdesk)
                let started = try await mesh.startRun(spec: spec, token: token, body: #"{"fault":"missing_column"}"#)
                let id = try #require(started.json?["id"]?.stringValue, "\(started.text)")
                let run = try await mesh.waitForRun(id, token: token)
                #expect(run["status"]?.stringValue == "succeeded", "\(run)")
                #expect(run["iteration"]?.int == 2)
                #expect(run[path: "spent", "iterations"]?.int == 2)
                let steps = try #require(run["steps"]?.array).map { "\($0["role"]?.stringValue ?? "")@\($0["iteration"]?.int ?? 0)" }
                #expect(steps == ["codegen_engineer@1", "devops@1", "qa_evaluator@1", "auto_fixer@2", "devops@2", "qa_evaluator@2", "reviewer@2"])
                #expect(run[path: "report", "iteration"]?.int == 2)
                #expect(run[path: "report", "passed"]?.bool == true)
                let reports = try await RunTestDatabase.reports(of: id, tenant: tenant)
                #expect(reports.map(\.passed) == [false, true])
                let diffs = try await RunTestDatabase.diffs(of: id, tenant: tenant)
                #expect(diffs.map(\.role) == ["codegen_engineer", "auto_fixer"])
                #expect(diffs.last?.files == 1, "the fix touches only the failing file")
            }
        }

        @Test func eachCapPausesTheRunWithItsWorkspaceAndRaisingItFinishesTheBuild() async throws {
            try await RunMesh.with { mesh in
                let tenant = UUID()
                let token = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: token, title: "Helpdesk", description: Self.helpdesk)

                // Iterations: one evaluation allowed, and it fails. The run waits with its workspace.
                let capped = try await mesh.startRun(spec: spec, token: token, body: #"{"fault":"wrong_route","max_iterations":1}"#)
                let cappedID = try #require(capped.json?["id"]?.stringValue, "\(capped.text)")
                let cappedRun = try await mesh.waitForRun(cappedID, token: token)
                #expect(cappedRun["status"]?.stringValue == "awaiting_budget", "\(cappedRun)")
                #expect(cappedRun[path: "budget", "cap"]?.stringValue == "iterations")
                #expect(cappedRun[path: "budget", "raise"]?.stringValue == "max_iterations")
                #expect(cappedRun[path: "budget", "detail"]?.stringValue?.contains("1 of 1 evaluations") == true)
                #expect(cappedRun[path: "budget", "expires_at"]?.stringValue != nil)
                #expect(cappedRun["failure"] == nil)
                #expect(cappedRun["steps"]?.array?.contains { $0["role"]?.stringValue == "auto_fixer" } == false)
                #expect(cappedRun[path: "spent", "iterations"]?.int == 1)
                #expect(FileManager.default.fileExists(atPath: "\(mesh.workspaceRoot)/\(cappedID)"), "a paused run keeps its workspace")
                let extended = try await mesh.call("POST", "/api/meta/v2/runs/\(cappedID)/extend", token: token, body: #"{"max_iterations":2}"#)
                #expect(extended.status == 200, "\(extended.text)")
                #expect(extended.json?["status"]?.stringValue == "queued")
                #expect(extended.json?[path: "caps", "max_iterations"]?.int == 2)
                #expect(extended.json?["extensions"]?.int == 1)
                #expect(extended.json?["budget"] == nil)
                let fixed = try await mesh.waitForRun(cappedID, token: token)
                #expect(fixed["status"]?.stringValue == "succeeded", "\(fixed)")
                let roles = fixed["steps"]?.array?.map { $0["role"]?.stringValue ?? "" }
                #expect(roles == ["codegen_engineer", "devops", "qa_evaluator", "auto_fixer", "devops", "qa_evaluator", "reviewer"], "the run went on from its last step: \(roles ?? [])")
                let events = try await RunTestDatabase.events(of: cappedID, tenant: tenant).map(\.type)
                #expect(events.contains("run.awaiting_budget") && events.contains("run.extended"))
                #expect(events.last == "run.succeeded")
                #expect(try await RunTestDatabase.auditActions(of: cappedID, tenant: tenant).contains("run.extend"))
                #expect(try await mesh.sandboxRemoved(cappedID))

                // Tokens: the first call's ceiling (100,000) does not fit, so no call is made;
                // raising the budget too little is refused, enough lets the run build.
                let poor = try await mesh.startRun(spec: spec, token: token, body: #"{"token_budget":99999}"#)
                let poorID = try #require(poor.json?["id"]?.stringValue)
                let poorRun = try await mesh.waitForRun(poorID, token: token)
                #expect(poorRun["status"]?.stringValue == "awaiting_budget")
                #expect(poorRun[path: "budget", "cap"]?.stringValue == "tokens")
                #expect(poorRun["steps"]?.array?.isEmpty == true)
                #expect(poorRun[path: "spent", "tokens"]?.int == 0)
                #expect(poorRun[path: "spent", "tokens_reserved"]?.int == 0)
                let tooLittle = try await mesh.call("POST", "/api/meta/v2/runs/\(poorID)/extend", token: token, body: #"{"token_budget":99999}"#)
                #expect(tooLittle.status == 400 && tooLittle.json?[path: "error", "message"]?.stringValue?.contains("at least 100000") == true, "\(tooLittle.text)")
                #expect(try await mesh.call("POST", "/api/meta/v2/runs/\(poorID)/extend", token: token, body: #"{"token_budget":2000000}"#).status == 200)
                #expect(try await mesh.waitForRun(poorID, token: token)["status"]?.stringValue == "succeeded")

                // Time: 4 s is not enough to build and evaluate. A step cut short is interrupted
                // (its processes stopped); once raised, the run calls it again as a new attempt.
                let hurried = try await mesh.startRun(spec: spec, token: token, body: #"{"timeout_s":4}"#)
                let hurriedID = try #require(hurried.json?["id"]?.stringValue)
                let hurriedRun = try await mesh.waitForRun(hurriedID, token: token)
                #expect(hurriedRun["status"]?.stringValue == "awaiting_budget", "\(hurriedRun)")
                #expect(hurriedRun[path: "budget", "cap"]?.stringValue == "time")
                // A step is not started with less than a second left.
                let spentWhenPaused = (hurriedRun[path: "spent", "seconds"]?.double ?? 0)
                #expect(spentWhenPaused >= 3)
                #expect(hurriedRun["steps"]?.array?.contains { $0["status"]?.stringValue == "running" } == false)
                try await Self.expectNoProcessesIn("\(mesh.workspaceRoot)/\(hurriedID)")
                // Time paused is not spent.
                try await Task.sleep(for: .seconds(2))
                let later = try #require(try await mesh.call("GET", "/api/meta/v2/runs/\(hurriedID)", token: token).json)
                #expect((later[path: "spent", "seconds"]?.double ?? 0) == spentWhenPaused, "\(later)")
                #expect(try await mesh.call("POST", "/api/meta/v2/runs/\(hurriedID)/extend", token: token, body: #"{"timeout_s":900}"#).status == 200)
                let finished = try await mesh.waitForRun(hurriedID, token: token)
                #expect(finished["status"]?.stringValue == "succeeded", "\(finished)")
                let steps = finished["steps"]?.array ?? []
                let succeeded = Dictionary(grouping: steps.filter { $0["status"]?.stringValue == "succeeded" }) { "\($0["iteration"]?.int ?? 0) \($0["role"]?.stringValue ?? "")" }
                #expect(succeeded.values.allSatisfy { $0.count == 1 }, "one success per step: \(steps)")
                #expect(steps.allSatisfy { ["succeeded", "interrupted"].contains($0["status"]?.stringValue ?? "") }, "\(steps)")
                #expect((finished[path: "spent", "seconds"]?.double ?? 0) < (finished[path: "caps", "timeout_s"]?.double ?? 0))
            }
        }

        @Test func cancellingDuringEvaluationStopsTheStepKillsItsProcessesAndCleansTheSandbox() async throws {
            try await RunMesh.with { mesh in
                let tenant = UUID()
                let token = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: token, title: "CRM", description: Self.crm)
                let started = try await mesh.startRun(spec: spec, token: token)
                let id = try #require(started.json?["id"]?.stringValue, "\(started.text)")
                _ = try await mesh.waitForRun(id, token: token, timeout: .seconds(120)) { $0["status"]?.stringValue == "evaluating" || RunMesh.isSettled($0) }
                // Let the evaluation get its subprocesses going.
                try await Self.waitForProcesses(in: "\(mesh.workspaceRoot)/\(id)")
                let member = try await mesh.call("POST", "/api/meta/v2/runs/\(id)/cancel", token: RunMesh.token(tenant: tenant, role: .member))
                #expect(member.status == 403)
                let cancelled = try await mesh.call("POST", "/api/meta/v2/runs/\(id)/cancel", token: token)
                #expect(cancelled.status == 200, "\(cancelled.text)")
                #expect(cancelled.json?["status"]?.stringValue == "cancelled")
                let qa = cancelled.json?["steps"]?.array?.first { $0["role"]?.stringValue == "qa_evaluator" }
                #expect(qa?["status"]?.stringValue == "cancelled")
                try await Self.expectNoProcessesIn("\(mesh.workspaceRoot)/\(id)")
                #expect(try await mesh.sandboxRemoved(id))
                // It stays cancelled: the worker that was building it writes nothing more.
                try await Task.sleep(for: .seconds(2))
                let later = try await mesh.call("GET", "/api/meta/v2/runs/\(id)", token: token)
                #expect(later.json?["status"]?.stringValue == "cancelled")
                #expect(later.json?["steps"]?.array?.count == cancelled.json?["steps"]?.array?.count)
                let again = try await mesh.call("POST", "/api/meta/v2/runs/\(id)/cancel", token: token)
                #expect(again.status == 412)
                #expect(again.json?[path: "error", "code"]?.stringValue == "FAILED_PRECONDITION")
                let events = try await RunTestDatabase.events(of: id, tenant: tenant)
                #expect(events.last?.type == "run.cancelled")
                #expect(events.filter { $0.type == "run.cancelled" }.count == 1)
            }
        }

        /// Processes whose working directory lies under `directory` (from /proc).
        static func processes(in directory: String) -> [Int32] {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return entries.compactMap(Int32.init).filter { pid in
                guard let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd") else { return false }
                return cwd == directory || cwd.hasPrefix(directory + "/")
            }
        }

        /// Waits until some process works under `directory`.
        static func waitForProcesses(in directory: String) async throws {
            for _ in 0..<600 where processes(in: directory).isEmpty {
                try await Task.sleep(for: .milliseconds(50))
            }
            try #require(!processes(in: directory).isEmpty, "no process started under \(directory)")
        }

        /// Expects every process under `directory` to be gone within a few seconds.
        static func expectNoProcessesIn(_ directory: String) async throws {
            for _ in 0..<100 where !processes(in: directory).isEmpty {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(processes(in: directory).isEmpty, "processes left under \(directory)")
        }
    }
}
