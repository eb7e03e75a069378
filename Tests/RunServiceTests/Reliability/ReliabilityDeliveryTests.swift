import Foundation
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// Events between services survive the faults of their carriers:
    /// - an outbox relay killed between publishing an event and marking it (held there by
    ///   `OutboxMarkHold`, then SIGKILL) publishes it again when its service is back, and the
    ///   consumer acts once: the run-service's `run.awaiting_approval` opens one gate, the
    ///   approval-service's `approval.decided` resumes the run once (one `run.approved` audit
    ///   record, one of each run event after the gate);
    /// - every pub/sub client killed again and again (`CLIENT KILL TYPE pubsub`) while runs are
    ///   gated, decided and finished: nothing is lost (both runs end, their gates open, streams
    ///   see every event in order) and every subscriber is back afterwards.
    @Suite(.serialized) struct ReliabilityDeliveryTests {
        @Test func aRelayKilledBetweenPublishAndMarkPublishesAgainAndItsConsumerActsOnce() async throws {
            let settings = try ReliabilitySettings.current()
            var report = ReliabilityReport(suite: "delivery", settings: settings)
            let capture = try PublishedMessages()
            defer { capture.stop() }
            let approvalPort = try LoopbackPort.free()
            try await ApprovalGateTests.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)") { mesh, approval, client, _ in
                let tenant = UUID()
                let creator = client.token(tenant: tenant, role: .owner, user: "creator")
                let reviewer = client.token(tenant: tenant, role: .owner, user: "reviewer")
                let spec = try await mesh.createSpec(token: creator, title: "Synced CRM", description: SharedRunQueue.RunLoopTests.syncedCRM)
                var failures: [String] = []
                var redelivered = 0

                // The run-service's relay dies holding run.awaiting_approval published, unmarked.
                let awaiting = CloudEvent.channel(for: "run.awaiting_approval")
                let runHold = try await OutboxMarkHold(databaseURL: try RequiredEnvironment.value("META_BUILDER_RUN_MIGRATION_DATABASE_URL"), channel: awaiting)
                defer { runHold.close() }
                var run = ""
                do {
                    run = try await runHold.whileHeld {
                        let id = try #require(try await mesh.startRun(spec: spec, token: creator).json?["id"]?.stringValue)
                        try await Self.waitUntil("run.awaiting_approval of \(id) is published", timeout: .seconds(120)) { capture.count(on: awaiting, containing: id) >= 1 }
                        if try await runHold.published(tenant: tenant, run: id) != false { failures.append("run.awaiting_approval was marked published while the hold was on") }
                        mesh.signal(runService: 0, SIGKILL)
                        return id
                    }
                } catch {
                    await runHold.remove()
                    throw error
                }
                await runHold.remove()
                try await mesh.startRunService(0)
                try await Self.waitUntil("run.awaiting_approval of \(run) is published again and marked", timeout: .seconds(60)) {
                    try await runHold.published(tenant: tenant, run: run) == true && capture.count(on: awaiting, containing: run) >= 2
                }
                redelivered += capture.count(on: awaiting, containing: run) - 1
                try await Task.sleep(for: .seconds(1))
                let gates = try await client.call("GET", "\(approval.url)/api/meta/v2/approvals?page_size=100", token: creator).json?["approvals"]?.array?.filter { $0["run_id"]?.stringValue == run } ?? []
                if gates.count != 1 { failures.append("run.awaiting_approval delivered twice opened \(gates.count) gates") }

                // The approval-service's relay dies holding approval.decided published, unmarked.
                let decided = CloudEvent.channel(for: "approval.decided")
                let approvalHold = try await OutboxMarkHold(databaseURL: try RequiredEnvironment.value("META_BUILDER_APPROVAL_MIGRATION_DATABASE_URL"), channel: decided)
                defer { approvalHold.close() }
                do {
                    try await approvalHold.whileHeld {
                        let approved = try await client.call("POST", "\(approval.url)/api/meta/v2/runs/\(run)/approve", token: reviewer, body: #"{"comment":"ok"}"#)
                        try #require(approved.status == 200, "\(approved.status) \(approved.text)")
                        try await Self.waitUntil("approval.decided of \(run) is published", timeout: .seconds(30)) { capture.count(on: decided, containing: run) >= 1 }
                        if try await approvalHold.published(tenant: tenant, run: run) != false { failures.append("approval.decided was marked published while the hold was on") }
                        approval.kill()
                    }
                } catch {
                    await approvalHold.remove()
                    throw error
                }
                await approvalHold.remove()
                try await approval.start()
                try await Self.waitUntil("approval.decided of \(run) is published again and marked", timeout: .seconds(60)) {
                    try await approvalHold.published(tenant: tenant, run: run) == true && capture.count(on: decided, containing: run) >= 2
                }
                redelivered += capture.count(on: decided, containing: run) - 1
                let finished = try await mesh.waitForRun(run, token: creator) { ["succeeded", "failed", "cancelled", "rejected"].contains($0["status"]?.stringValue ?? "") }
                if finished["status"]?.stringValue != "succeeded" { failures.append("the run ended \(finished["status"]?.stringValue ?? "?")") }
                try await Task.sleep(for: .seconds(1))
                let approvedRecords = try await RunTestDatabase.auditActions(of: run, tenant: tenant).filter { $0 == "run.approved" }.count
                if approvedRecords != 1 { failures.append("approval.decided delivered twice was applied \(approvedRecords) times") }
                let events = try await RunTestDatabase.events(of: run, tenant: tenant).map(\.type)
                for type in ["run.awaiting_approval", "run.finalizing", "run.succeeded"] where events.filter({ $0 == type }).count != 1 {
                    failures.append("the run has \(events.filter { $0 == type }.count) \(type) events: \(events)")
                }
                report.check("a relay killed between publish and mark publishes again and each consumer acts once", failures: failures)
                report.count("relay_redeliveries", redelivered)
            }
            try report.finish()
        }

        @Test func pubSubClientsKilledAgainAndAgainLoseNothingAndComeBack() async throws {
            let settings = try ReliabilitySettings.current()
            var report = ReliabilityReport(suite: "delivery", settings: settings)
            let approvalPort = try LoopbackPort.free()
            // Streams read again every 2 s of silence; a missed decision is found within 2 s.
            let environment = ["META_BUILDER_SSE_HEARTBEAT_SECONDS": "2", "META_BUILDER_APPROVAL_RECONCILE_SECONDS": "2"]
            try await ApprovalGateTests.withApprovalMesh(approvalPort: approvalPort, runServiceApprovalURL: "http://127.0.0.1:\(approvalPort)", environment: environment) { mesh, approval, client, _ in
                let subscribers = try Self.pubSubClients()
                try #require(subscribers >= 3, "the run-service and the approval-service subscribe: \(subscribers) pub/sub clients")
                let tenant = UUID()
                let creator = client.token(tenant: tenant, role: .owner, user: "creator")
                let reviewer = client.token(tenant: tenant, role: .owner, user: "reviewer")
                let spec = try await mesh.createSpec(token: creator, title: "Synced CRM", description: SharedRunQueue.RunLoopTests.syncedCRM)
                let storm = Task {
                    var kills = 0
                    while !Task.isCancelled {
                        kills += (try? RedisCLI.output(["CLIENT", "KILL", "TYPE", "pubsub"])).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
                        try? await Task.sleep(for: .milliseconds(300))
                    }
                    return kills
                }
                var failures: [String] = []
                let runs = [
                    try #require(try await mesh.startRun(spec: spec, token: creator).json?["id"]?.stringValue),
                    try #require(try await mesh.startRun(spec: spec, token: creator).json?["id"]?.stringValue),
                ]
                let streams = runs.map { run in Task { try await mesh.call("GET", "/api/meta/v2/runs/\(run)/events", token: creator, timeout: .seconds(240)).text } }
                for run in runs {
                    let waiting = try await mesh.waitForRun(run, token: creator)
                    try #require(waiting["status"]?.stringValue == "awaiting_approval", "\(waiting)")
                }
                for (run, decision) in zip(runs, ["approve", "reject"]) {
                    var status = 0
                    for _ in 0..<600 where status != 200 {
                        status = try await client.call("POST", "\(approval.url)/api/meta/v2/runs/\(run)/\(decision)", token: reviewer, body: #"{"comment":"storm"}"#).status
                        if status != 200 { try await Task.sleep(for: .milliseconds(100)) }
                    }
                    if status != 200 { failures.append("the gate of \(run) could not be decided: \(status)") }
                }
                for (run, expected) in zip(runs, ["succeeded", "rejected"]) {
                    let ended = try await mesh.waitForRun(run, token: creator, timeout: .seconds(120)) { ["succeeded", "failed", "cancelled", "rejected"].contains($0["status"]?.stringValue ?? "") }
                    if ended["status"]?.stringValue != expected { failures.append("\(run) ended \(ended["status"]?.stringValue ?? "?"), not \(expected)") }
                }
                storm.cancel()
                let kills = await storm.value
                for (run, stream) in zip(runs, streams) {
                    let text = try await stream.value
                    let ids = text.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int($0.dropFirst(4)) }
                    let stored = try await RunTestDatabase.events(of: run, tenant: tenant).map(\.sequence)
                    if ids != stored { failures.append("the stream of \(run) saw events \(ids), \(stored) were stored") }
                }
                var back = 0
                for _ in 0..<300 where back < subscribers {
                    back = try Self.pubSubClients()
                    if back < subscribers { try await Task.sleep(for: .milliseconds(100)) }
                }
                if back < subscribers { failures.append("\(back) of \(subscribers) pub/sub clients came back") }
                if kills < 3 { failures.append("only \(kills) pub/sub clients were killed: the storm did not happen") }
                report.check("pub/sub clients killed \(kills) times lose no run, gate, decision or stream event, and come back", failures: failures)
                report.count("pubsub_clients_killed", kills)
            }
            try report.finish()
        }

        /// How many pub/sub clients Redis has.
        private static func pubSubClients() throws -> Int {
            try RedisCLI.output(["CLIENT", "LIST", "TYPE", "pubsub"]).split(separator: "\n").filter { $0.hasPrefix("id=") }.count
        }

        /// Polls `condition` every 50 ms until it holds; fails the test naming `what` after `timeout`.
        static func waitUntil(_ what: String, timeout: Duration, _ condition: () async throws -> Bool) async throws {
            let giveUp = ContinuousClock.now + timeout
            while ContinuousClock.now < giveUp {
                if try await condition() { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            Issue.record("timed out waiting until \(what)")
            throw RunMesh.Timeout()
        }
    }
}
