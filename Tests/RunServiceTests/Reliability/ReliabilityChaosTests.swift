import Foundation
import MeshTestSupport
import Shared
import Testing
@testable import RunService

extension SharedRunQueue {
    /// The run-service's durability under a seeded schedule of faults (`FaultSchedule`): two
    /// instances building real runs of several tenants while instances are killed or frozen,
    /// Postgres crashes, connections are terminated, Redis restarts or stalls, the agent-service
    /// hangs, resets or slows down, and busy processes starve the CPU. After healing,
    /// SQL checks every invariant of the design (`RunInvariants`) and a probe that read the runs
    /// all along saw no 500 or 502, and no 503 or 504 without Retry-After. Sized by
    /// `scripts/reliability` (`ReliabilitySettings`).
    @Suite(.serialized) struct ReliabilityChaosTests {
        @Test func runsSurviveASeededScheduleOfFaults() async throws {
            let settings = try ReliabilitySettings.current()
            let schedule = FaultSchedule(seed: settings.seed, rounds: settings.size.rounds)
            print("reliability: chaos schedule, \(schedule.summary)")
            var report = ReliabilityReport(suite: "chaos", settings: settings)
            // The run-services reach the agent-service through a proxy that the agent faults switch.
            let agentPort = try LoopbackPort.free()
            let agentProxy = try FaultProxy(upstreamPort: agentPort)
            defer { agentProxy.stop() }
            let environment = ["META_BUILDER_APPROVAL_THRESHOLD": "101", "META_BUILDER_AGENT_URL": agentProxy.url]
            try await RunMesh.with(runServices: 2, agentPort: agentPort, environment: environment) { mesh in
                let chaos = try await ChaosRun.prepare(mesh: mesh, agentProxy: agentProxy, tenants: settings.size.tenants)
                for index in 0..<(settings.size.tenants * settings.size.runsPerTenant) { try await chaos.startRun(index) }
                let probing = Task { await chaos.probe.run() }
                for fault in schedule.faults { try await chaos.inject(fault) }
                let outcomes = try await chaos.waitForAllRuns(timeout: settings.size == .ci ? .seconds(600) : .seconds(1800))
                probing.cancel()
                await probing.value
                print("reliability: chaos: runs by final status \(outcomes)")
                try await Self.waitForOutbox(of: chaos.runs)
                let invariants = try await RunInvariants.check(runs: chaos.runs, takeovers: chaos.takeovers)
                for (name, failures) in invariants.failures {
                    report.check(name, failures: name.hasPrefix("an Idempotency-Key") ? failures + chaos.idempotencyFailures : failures)
                }
                let seen = chaos.probe.seen
                report.check("no 500 or 502, and 503/504 only with Retry-After (\(seen.requests) reads)", failures: seen.violations)
                let bound = Self.takeoverBound
                let late = chaos.takeoverTimes.filter { $0.fault != .killAll && $0.seconds > bound }
                report.check("takeover after kill -9 or a freeze within the lease TTL + poll interval (\(bound) s)", failures: late.map { "\($0.fault.rawValue): \($0.seconds) s" })
                report.count("faults_injected", chaos.faultsInjected)
                report.count("runs_started", chaos.runs.count)
                report.count("runs_succeeded", outcomes["succeeded"] ?? 0)
                report.count("runs_lost", invariants.lostRuns)
                report.count("duplicate_steps", invariants.duplicateSteps)
                report.count("stale_writes_accepted", invariants.staleWrites)
                report.count("stale_writes_refused", chaos.staleWritesRefused)
                report.count("http_5xx", seen.statuses.filter { $0.key >= 500 }.values.reduce(0, +))
                report.count("http_5xx_forbidden", seen.violations.count)
                report.count("probe_requests", seen.requests)
                report.count("probe_connection_errors", seen.transportErrors)
                report.seconds("takeover_seconds", chaos.takeoverTimes.filter { $0.fault != .killAll }.map(\.seconds))
                report.seconds("takeover_all_killed_seconds", chaos.takeoverTimes.filter { $0.fault == .killAll }.map(\.seconds))
                print("reliability: chaos: probe saw \(seen.statuses.sorted { $0.key < $1.key }), \(seen.transportErrors) connection errors")
            }
            try report.finish()
        }

        /// The design's bound on a takeover: the lease TTL and the idle poll interval of the mesh
        /// (50 ms), plus 250 ms for the claim's own statement on a loaded two-core machine.
        static let takeoverBound: Double = Double(RunQueue.defaultLeaseTTL.components.seconds) + 0.05 + 0.25

        /// Waits (up to 60 s) until the relay published every event of the runs' tenants.
        private static func waitForOutbox(of runs: [RunInvariants.StartedRun]) async throws {
            let tenants = Set(runs.map(\.tenant))
            try await RunTestDatabase.withPool(poolSize: 1) { pool in
                for _ in 0..<300 {
                    var left = 0
                    for tenant in tenants {
                        left += try await pool.batch(tenant: tenant, deadline: .after(.seconds(10)), ["SELECT count(*) AS n FROM outbox WHERE published_at IS NULL"])[0][0].decode("n", as: Int.self)
                    }
                    if left == 0 { return }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }
    }
}
