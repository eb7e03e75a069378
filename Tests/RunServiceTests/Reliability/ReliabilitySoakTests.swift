import Foundation
import MeshTestSupport
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// The load a platform puts on the run-service, held for a bounded time on loopback: runs
    /// started at a fixed rate across 20 tenants (rate limits raised), reads of runs and of run
    /// lists, and 200 event streams, on two run-service instances, one of which is killed and
    /// started again midway. Afterwards every run still going is cancelled through the API: no
    /// accepted run is lost or failed (each succeeded or was cancelled), every stream of a
    /// surviving instance ends with its run's terminal event, no answer is a 500 or 502 (or a 503/504 without Retry-After), and each service's
    /// memory, descriptors and threads stay bounded. It prints the accepted rate, errors by code,
    /// p50/p99/p99.9 per route, the queue depth over time and the runs finished per minute.
    @Suite(.serialized) struct ReliabilitySoakTests {
        struct Plan {
            let seconds: Int
            let startsPerSecond: Double
            let readers: Int
            let streams: Int
            let tenants = 20

            init(_ size: ReliabilitySettings.Size) {
                seconds = size == .ci ? 120 : 1800
                startsPerSecond = size == .ci ? 1 : 2
                readers = 4
                streams = 200
            }
        }

        @Test func theRunServiceHoldsASteadyLoadWhileAnInstanceIsKilledAndStartedAgain() async throws {
            let settings = try ReliabilitySettings.current()
            let plan = Plan(settings.size)
            var report = ReliabilityReport(suite: "soak", settings: settings)
            let environment = [
                "META_BUILDER_RATE_LIMIT_RUNS": "1000000", "META_BUILDER_RATE_LIMIT_PLANS": "1000000", "META_BUILDER_RATE_LIMIT_SPECS": "1000000",
                "META_BUILDER_APPROVAL_THRESHOLD": "101", "META_BUILDER_RUN_WORKERS": "2", "META_BUILDER_LOG_LEVEL": "warning",
            ]
            try await RunMesh.with(runServices: 2, environment: environment) { mesh in
                let tenants = try await Self.tenants(plan.tenants, mesh: mesh)
                let names = ["spec-service", "agent-service", "run-service-0", "run-service-1"]
                let before = names.map { name in mesh.pid(name).flatMap(ProcessFootprint.of) }
                let load = SoakLoad()
                let accepted = AcceptedRuns()
                let started = ContinuousClock.now
                let end = started + .seconds(plan.seconds)

                // Runs started at a fixed rate, round robin over tenants and instances.
                let starter = Task {
                    var index = 0
                    while ContinuousClock.now < end {
                        let due = started + .seconds(Double(index) / plan.startsPerSecond)
                        if due > .now { try? await Task.sleep(until: due) }
                        let tenant = tenants[index % tenants.count]
                        await Self.start(tenant, through: index % 2, mesh: mesh, load: load, accepted: accepted)
                        index += 1
                    }
                }
                // Reads of runs and of run lists, as fast as each reader goes.
                let readers = (0..<plan.readers).map { lane in
                    Task {
                        var index = lane
                        while ContinuousClock.now < end {
                            let tenant = tenants[index % tenants.count]
                            let instance = index % 2
                            if index % 3 == 0 {
                                await Self.call("GET /runs", "/api/meta/v2/runs?page_size=20", instance: instance, token: tenant.token, mesh: mesh, load: load)
                            } else if let run = accepted.random(of: tenant.id) {
                                await Self.call("GET /runs/{id}", "/api/meta/v2/runs/\(run)", instance: instance, token: tenant.token, mesh: mesh, load: load)
                            }
                            index += plan.readers
                            try? await Task.sleep(for: .milliseconds(20))
                        }
                    }
                }
                // Event streams of the first runs, spread over both instances, open until the runs end.
                while accepted.count < 10, ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(200)) }
                let first = accepted.all
                let streams = (0..<plan.streams).map { index in
                    let run = first[index % first.count]
                    let token = tenants.first { $0.id == run.tenant }!.token
                    return Task { () -> (instance: Int, ended: Bool) in
                        let answer = try? await mesh.call("GET", "/api/meta/v2/runs/\(run.id)/events", runService: index % 2, token: token, timeout: .seconds(plan.seconds + 300))
                        let ended = answer.map { answer in answer.status == 200 && RunInvariants.terminalEvents.contains { answer.text.contains("event: \($0)") } } ?? false
                        return (index % 2, ended)
                    }
                }
                // Queue depth and finished runs every 5 s; instance 1 killed at half time, started 5 s later.
                var depth: [Int] = []
                var finished: [Int] = []
                var killedAt: ContinuousClock.Instant?
                while ContinuousClock.now < end {
                    try await Task.sleep(for: .seconds(5))
                    depth.append(try await Self.queueDepth())
                    finished.append(try await Self.finished(accepted.all))
                    if killedAt == nil, ContinuousClock.now >= started + .seconds(plan.seconds / 2) {
                        killedAt = .now
                        mesh.signal(runService: 1, SIGKILL)
                        try await Task.sleep(for: .seconds(5))
                        try await mesh.startRunService(1)
                    }
                }
                starter.cancel()
                await starter.value
                for reader in readers { await reader.value }

                // Everything still going is cancelled; every accepted run must end.
                for run in accepted.all {
                    let token = tenants.first { $0.id == run.tenant }!.token
                    _ = try? await mesh.call("POST", "/api/meta/v2/runs/\(run.id)/cancel", token: token, body: "{}")
                }
                let outcomes = try await Self.waitForEnd(accepted.all)
                var streamEnds: [(instance: Int, ended: Bool)] = []
                for stream in streams { streamEnds.append(await stream.value) }
                try await Task.sleep(for: .seconds(5))
                let after = names.map { name in mesh.pid(name).flatMap(ProcessFootprint.of) }

                let tally = load.tally
                let lost = accepted.all.filter { !RunInvariants.terminalStatuses.contains(outcomes[$0.id] ?? "") }
                report.check("every accepted run ended (\(accepted.count) runs)", failures: lost.map { "\($0.id) is \(outcomes[$0.id] ?? "unknown")" })
                let failed = accepted.all.filter { outcomes[$0.id] == "failed" }
                report.check("no run failed under the load: each succeeded or was cancelled", failures: failed.map { "\($0.id) failed" })
                report.check("no 500 or 502, and 503/504 only with Retry-After (\(tally.values.map(\.latencies.count).reduce(0, +)) answers)", failures: tally.values.flatMap(\.violations))
                // Streams on the instance that was killed lost their connection; the others must end with the run.
                let unended = streamEnds.enumerated().filter { $0.element.instance == 0 && !$0.element.ended }
                report.check("every event stream of the surviving instance ended with its run's terminal event", failures: unended.map { "stream \($0.offset) did not end with a terminal event" })
                var grown: [String] = []
                for (index, name) in names.enumerated() where name != "run-service-1" {
                    guard let start = before[index], let finish = after[index] else { continue }
                    if finish.residentMiB > start.residentMiB * 2 + 64 { grown.append("\(name): \(start) → \(finish)") }
                    if finish.descriptors > start.descriptors + 32 { grown.append("\(name): descriptors \(start.descriptors) → \(finish.descriptors)") }
                    if finish.threads > start.threads + 16 { grown.append("\(name): threads \(start.threads) → \(finish.threads)") }
                }
                report.check("memory (≤ 2 × start + 64 MiB), descriptors (≤ start + 32) and threads (≤ start + 16) of each service stay bounded", failures: grown)

                let elapsed = Double(plan.seconds)
                report.count("soak_runs_accepted", accepted.count)
                report.count("soak_requests", tally.values.map { $0.latencies.count + $0.transportErrors }.reduce(0, +))
                report.count("soak_connection_errors", tally.values.map(\.transportErrors).reduce(0, +))
                report.count("http_5xx", tally.values.flatMap { $0.statuses.filter { $0.key >= 500 }.values }.reduce(0, +))
                report.count("http_5xx_forbidden", tally.values.map(\.violations.count).reduce(0, +))
                report.count("runs_lost", lost.count)
                print("reliability: soak: \(plan.seconds) s, \(plan.tenants) tenants, \(plan.streams) streams, run-service-1 killed at \(plan.seconds / 2) s and started 5 s later")
                print(String(format: "reliability: soak: runs accepted %d (%.2f/s of %.2f/s asked)", accepted.count, Double(accepted.count) / elapsed, plan.startsPerSecond))
                for (route, figures) in tally.sorted(by: { $0.key < $1.key }) {
                    let sorted = figures.latencies.sorted()
                    print(String(format: "reliability: soak: %@: %d answers, p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, statuses %@, %d without an answer",
                                 route, sorted.count, SoakLoad.percentile(sorted, 0.5), SoakLoad.percentile(sorted, 0.99), SoakLoad.percentile(sorted, 0.999),
                                 "\(figures.statuses.sorted { $0.key < $1.key })", figures.transportErrors))
                }
                print("reliability: soak: queue depth every 5 s: \(depth)")
                let perMinute = Double(finished.last ?? 0) / (Double(finished.count * 5) / 60)
                print(String(format: "reliability: soak: runs finished (before the cancel), cumulative every 5 s: %@; %.1f per minute", "\(finished)", perMinute))
                print("reliability: soak: runs by final status \(Dictionary(grouping: accepted.all) { outcomes[$0.id] ?? "unknown" }.mapValues(\.count))")
                for (index, name) in names.enumerated() {
                    print("reliability: soak: \(name): start \(before[index].map(\.description) ?? "-"), end \(after[index].map(\.description) ?? "-")")
                }
                print("reliability: soak: streams that ended with their run's terminal event: \(streamEnds.filter(\.ended).count) of \(streamEnds.count)")
            }
            try report.finish()
        }

        /// A tenant of the soak: its owner's token and one spec.
        struct Tenant: Sendable {
            let id: UUID
            let token: String
            let spec: String
        }

        private static func tenants(_ count: Int, mesh: RunMesh) async throws -> [Tenant] {
            var tenants: [Tenant] = []
            for _ in 0..<count {
                let id = UUID()
                let token = RunMesh.token(tenant: id, role: .owner)
                tenants.append(Tenant(id: id, token: token, spec: try await mesh.createSpec(token: token, title: "CRM", description: ChaosRun.description)))
            }
            return tenants
        }

        /// Starts a run through `instance`; when that instance does not answer, through the other
        /// with the same Idempotency-Key, as a client behind a load balancer would.
        private static func start(_ tenant: Tenant, through instance: Int, mesh: RunMesh, load: SoakLoad, accepted: AcceptedRuns) async {
            let key = "soak-\(UUID().lowercaseText)"
            for target in [instance, 1 - instance] {
                let began = ContinuousClock.now
                guard let answer = try? await mesh.startRun(spec: tenant.spec, token: tenant.token, headers: [("Idempotency-Key", key)], runService: target, timeout: .seconds(30)) else {
                    load.recordTransportError("POST /specs/{id}/runs")
                    continue
                }
                load.record("POST /specs/{id}/runs", status: answer.status, retryAfter: answer.header("Retry-After") != nil, milliseconds: Self.milliseconds(since: began), text: answer.text)
                if answer.status == 202, let id = answer.json?["id"]?.stringValue { accepted.add(id, tenant: tenant.id) }
                return
            }
        }

        private static func call(_ route: String, _ path: String, instance: Int, token: String, mesh: RunMesh, load: SoakLoad) async {
            let began = ContinuousClock.now
            guard let answer = try? await mesh.call("GET", path, runService: instance, token: token, timeout: .seconds(30)) else {
                load.recordTransportError(route)
                return
            }
            load.record(route, status: answer.status, retryAfter: answer.header("Retry-After") != nil, milliseconds: Self.milliseconds(since: began), text: answer.text)
        }

        private static func milliseconds(since start: ContinuousClock.Instant) -> Double {
            let elapsed = (ContinuousClock.now - start).components
            return Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15
        }

        /// Runs waiting for a worker.
        private static func queueDepth() async throws -> Int {
            try await RunTestDatabase.withPool(poolSize: 1) { pool in
                try await pool.work("SELECT count(*) AS n FROM run_queue WHERE lease_expires_at IS NULL OR lease_expires_at <= clock_timestamp()", deadline: .after(.seconds(10)))[0].decode("n")
            }
        }

        /// How many of the runs ended.
        private static func finished(_ runs: [AcceptedRuns.Run]) async throws -> Int {
            try await RunTestDatabase.withPool(poolSize: 1) { pool in
                var count = 0
                for (tenant, runs) in Dictionary(grouping: runs, by: \.tenant) {
                    let ids = "{" + runs.map(\.id).joined(separator: ",") + "}"
                    let terminal = "{" + RunInvariants.terminalStatuses.joined(separator: ",") + "}"
                    count += try await pool.batch(tenant: tenant, deadline: .after(.seconds(10)), [
                        "SELECT count(*) AS n FROM runs WHERE id = ANY(\(ids)::uuid[]) AND status = ANY(\(terminal)::text[])",
                    ])[0][0].decode("n", as: Int.self)
                }
                return count
            }
        }

        /// Polls (up to 180 s) until every run ended; each run's last status.
        private static func waitForEnd(_ runs: [AcceptedRuns.Run]) async throws -> [String: String] {
            var statuses: [String: String] = [:]
            let giveUp = ContinuousClock.now + .seconds(180)
            while ContinuousClock.now < giveUp {
                try await RunTestDatabase.withPool(poolSize: 1) { pool in
                    for (tenant, runs) in Dictionary(grouping: runs, by: \.tenant) {
                        let ids = "{" + runs.map(\.id).joined(separator: ",") + "}"
                        for row in try await pool.batch(tenant: tenant, deadline: .after(.seconds(10)), ["SELECT id::text AS id, status FROM runs WHERE id = ANY(\(ids)::uuid[])"])[0] {
                            statuses[try row.decode("id")] = try row.decode("status")
                        }
                    }
                }
                if runs.allSatisfy({ RunInvariants.terminalStatuses.contains(statuses[$0.id] ?? "") }) { break }
                try await Task.sleep(for: .seconds(1))
            }
            return statuses
        }
    }
}
