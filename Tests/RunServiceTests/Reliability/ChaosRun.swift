import Foundation
import MeshTestSupport
import Shared
import Synchronization
import Testing
@testable import RunService

/// One chaos run against a `RunMesh` of two run-service instances: it starts runs across
/// tenants, injects faults one after another — each aimed at a run that is mid-step where the
/// fault needs one — measures takeovers on the database clock, and heals the mesh afterwards.
final class ChaosRun: Sendable {
    /// A takeover seen after a fault, in seconds from the fault to the new claim.
    struct TakeoverTime: Sendable {
        let fault: FaultSchedule.Fault
        let seconds: Double
    }

    let mesh: RunMesh
    let probe: StatusProbe
    /// Between the run-services and the agent-service.
    let agentProxy: FaultProxy
    /// The run-service's schema (migrated by the mesh), for watching the queue.
    private let queue: PostgresPool
    private let tenants: [(id: UUID, token: String, spec: String)]
    private let state = Mutex(State())

    private struct State {
        var runs: [RunInvariants.StartedRun] = []
        var takeovers: [RunInvariants.Takeover] = []
        var takeoverTimes: [TakeoverTime] = []
        var idempotencyFailures: [String] = []
        var faultsInjected = 0
        var staleWritesRefused = 0
    }

    /// The run-services' description: a small CRM, built for real (a scaffold and its tests).
    static let description = "A CRM with contacts, companies and deals. Each contact has a name, email and phone and belongs to a company. Deals have an amount, a stage (lead, qualified, won, lost) and an owner."

    private init(mesh: RunMesh, agentProxy: FaultProxy, tenants: [(id: UUID, token: String, spec: String)]) throws {
        self.mesh = mesh
        self.agentProxy = agentProxy
        self.tenants = tenants
        probe = StatusProbe(mesh: mesh)
        queue = PostgresPool(config: DatabaseConfig(url: try RequiredEnvironment.value("META_BUILDER_RUN_DATABASE_URL"), poolSize: 1), applicationName: "reliability-chaos", logger: RunTestDatabase.logger)
    }

    deinit {
        queue.close()
    }

    /// Makes a spec for each of `tenants` new tenants. `agentProxy` must be the run-services'
    /// way to the agent-service.
    static func prepare(mesh: RunMesh, agentProxy: FaultProxy, tenants count: Int) async throws -> ChaosRun {
        var tenants: [(id: UUID, token: String, spec: String)] = []
        for _ in 0..<count {
            let tenant = UUID()
            let token = RunMesh.token(tenant: tenant, role: .owner)
            tenants.append((tenant, token, try await mesh.createSpec(token: token, title: "CRM", description: description)))
        }
        return try ChaosRun(mesh: mesh, agentProxy: agentProxy, tenants: tenants)
    }

    var runs: [RunInvariants.StartedRun] { state.withLock { $0.runs } }
    var takeovers: [RunInvariants.Takeover] { state.withLock { $0.takeovers } }
    var takeoverTimes: [TakeoverTime] { state.withLock { $0.takeoverTimes } }
    var idempotencyFailures: [String] { state.withLock { $0.idempotencyFailures } }
    var faultsInjected: Int { state.withLock { $0.faultsInjected } }
    var staleWritesRefused: Int { state.withLock { $0.staleWritesRefused } }

    // MARK: - Runs

    /// Starts a run for tenant `index` (modulo the tenants) through run-service `index % 2`,
    /// with a fresh Idempotency-Key, and sends the same request again: the replay must answer
    /// with the same run.
    func startRun(_ index: Int) async throws {
        let tenant = tenants[index % tenants.count]
        let key = "chaos-\(UUID().lowercaseText)"
        let instance = index % mesh.runPorts.count
        let answer = try await mesh.startRun(spec: tenant.spec, token: tenant.token, headers: [("Idempotency-Key", key)], runService: instance)
        try #require(answer.status == 202, "starting a run: \(answer.status) \(answer.text)")
        let id = try #require(answer.json?["id"]?.stringValue.flatMap(UUID.init(uuidString:)))
        let replay = try await mesh.startRun(spec: tenant.spec, token: tenant.token, headers: [("Idempotency-Key", key)], runService: 1 - instance)
        let replayed = replay.json?["id"]?.stringValue
        state.withLock {
            $0.runs.append(.init(id: id, tenant: tenant.id, idempotencyKey: key))
            if replayed != id.lowercaseText { $0.idempotencyFailures.append("replaying key \(key) answered \(replay.status) with run \(replayed ?? "none"), not \(id.lowercaseText)") }
        }
        probe.add(.init(run: id.lowercaseText, token: tenant.token))
    }

    /// Polls every run until it ended; fails the test with the runs left after `timeout`.
    func waitForAllRuns(timeout: Duration) async throws -> [String: Int] {
        let giveUp = ContinuousClock.now + timeout
        var statuses: [UUID: String] = [:]
        while ContinuousClock.now < giveUp {
            for run in runs where !RunInvariants.terminalStatuses.contains(statuses[run.id] ?? "") {
                let token = tenants.first { $0.id == run.tenant }!.token
                if let answer = try? await mesh.call("GET", "/api/meta/v2/runs/\(run.id.lowercaseText)", token: token), let status = answer.json?["status"]?.stringValue {
                    statuses[run.id] = status
                }
            }
            if runs.allSatisfy({ RunInvariants.terminalStatuses.contains(statuses[$0.id] ?? "") }) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        return Dictionary(grouping: runs) { statuses[$0.id] ?? "unknown" }.mapValues(\.count)
    }

    // MARK: - Faults

    /// Injects one fault and waits until it is over (killed instances started again, takeovers
    /// seen).
    func inject(_ fault: FaultSchedule.Fault) async throws {
        print("reliability: chaos: \(fault.rawValue)")
        switch fault {
        case .killHolder:
            let target = try await activeRun()
            let killedAt = try await databaseNow()
            mesh.signal(runService: target.holder, SIGKILL)
            try await recordTakeover(of: target, after: killedAt, fault: fault)
            try await mesh.startRunService(target.holder)
        case .freezeHolder:
            let target = try await activeRun()
            let frozenAt = try await databaseNow()
            mesh.signal(runService: target.holder, SIGSTOP)
            try await recordTakeover(of: target, after: frozenAt, fault: fault)
            let refusedBefore = lostClaims(runService: target.holder)
            mesh.signal(runService: target.holder, SIGCONT)
            // The woken worker finds its claim gone at its next fenced write or renewal (≤ 5 s).
            try await Task.sleep(for: .seconds(7))
            state.withLock { $0.staleWritesRefused += lostClaims(runService: target.holder) - refusedBefore }
        case .killAll:
            let target = try await activeRun()
            let killedAt = try await databaseNow()
            for index in mesh.runPorts.indices { mesh.signal(runService: index, SIGKILL) }
            try await Task.sleep(for: .seconds(1))
            for index in mesh.runPorts.indices { try await mesh.startRunService(index) }
            try await recordTakeover(of: target, after: killedAt, fault: fault, anyHolder: true)
        case .crashPostgres:
            try await offThePool { try InfraCommand.run("crash-postgres") }
        case .terminateBackends:
            for variable in ["META_BUILDER_RUN_DATABASE_URL", "META_BUILDER_SPEC_DATABASE_URL", "META_BUILDER_AGENT_DATABASE_URL"] {
                try await terminateBackends(of: variable)
            }
        case .restartRedis:
            try await offThePool { try InfraCommand.run("restart-redis") }
        case .stallRedis:
            try await offThePool { try InfraCommand.run("stall-redis", "3") }
        case .hangAgent:
            _ = try await activeRun()
            mesh.signal("agent-service", SIGSTOP)
            try await Task.sleep(for: .seconds(20))
            mesh.signal("agent-service", SIGCONT)
        case .resetAgent:
            _ = try await activeRun()
            agentProxy.set(.reset)
            try await Task.sleep(for: .seconds(8))
            agentProxy.set(.relay)
        case .slowAgent:
            agentProxy.set(.delay(.seconds(3)))
            try await Task.sleep(for: .seconds(15))
            agentProxy.set(.relay)
        case .starveCPU:
            let burners = try (0..<4).map { _ in try Self.busyProcess() }
            try await Task.sleep(for: .seconds(10))
            for burner in burners {
                // SIGKILL: a child of this process may inherit a mask that blocks SIGTERM.
                kill(burner.processIdentifier, SIGKILL)
                burner.waitUntilExit()
            }
        }
        state.withLock { $0.faultsInjected += 1 }
        // Let the mesh work between faults.
        try await Task.sleep(for: .seconds(2))
    }

    /// A run held by one of the mesh's instances mid-step. When every run has ended, another is
    /// started so that the fault has a target.
    private func activeRun() async throws -> (run: UUID, holder: Int, fencing: Int) {
        let giveUp = ContinuousClock.now + .seconds(120)
        var started = runs.count
        while ContinuousClock.now < giveUp {
            var unfinished = 0
            for run in runs {
                guard let row = try await queueRow(of: run.id) else { continue }
                unfinished += 1
                if row.live, let holder = mesh.runPorts.indices.first(where: { mesh.pid(runService: $0) == row.pid }) {
                    return (run.id, holder, row.fencing)
                }
            }
            if unfinished == 0 {
                try await startRun(started)
                started += 1
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("no run was held by a run-service for 120 s")
        throw RunMesh.Timeout()
    }

    /// Waits (up to 60 s) until another claim than `target`'s holds the run, and records the
    /// takeover: its fencing number and time (database clock) for the fencing check, and the
    /// seconds since `since`. With `anyHolder`, a new claim by any instance counts.
    @discardableResult
    private func recordTakeover(of target: (run: UUID, holder: Int, fencing: Int), after since: Date, fault: FaultSchedule.Fault, anyHolder: Bool = false) async throws -> RunInvariants.Takeover? {
        let oldPID = anyHolder ? nil : mesh.pid(runService: target.holder)
        let giveUp = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < giveUp {
            guard let row = try? await queueRow(of: target.run) else {
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            if row.fencing > target.fencing, row.live, row.pid != oldPID {
                let takeover = RunInvariants.Takeover(run: target.run, fencing: row.fencing, at: row.claimedAt)
                state.withLock {
                    $0.takeovers.append(takeover)
                    $0.takeoverTimes.append(.init(fault: fault, seconds: row.claimedAt.timeIntervalSince(since)))
                }
                return takeover
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        // The run may have ended before the fault took effect; then there was nothing to take over.
        if try await queueRow(of: target.run) == nil { return nil }
        Issue.record("run \(target.run.lowercaseText) was not taken over within 60 s after \(fault.rawValue)\n\(try await takeoverDiagnosis(of: target.run))")
        return nil
    }

    /// The queue row of a run: the holder's pid, whether the lease is live, the fencing number
    /// and when the current claim was taken (its lease's end less the TTL, on the database
    /// clock); nil once the run left the queue.
    private func queueRow(of run: UUID) async throws -> (pid: Int32?, live: Bool, fencing: Int, claimedAt: Date)? {
        let ttl = Int(RunQueue.defaultLeaseTTL.components.seconds)
        let rows = try await queue.work("""
            SELECT lease_owner, fencing, coalesce(lease_expires_at > clock_timestamp(), false) AS live,
                   coalesce(lease_expires_at, clock_timestamp()) - \(ttl) * interval '1 second' AS claimed_at
            FROM run_queue WHERE run_id = \(run)
            """, deadline: .after(.seconds(10)))
        guard let row = rows.first else { return nil }
        let owner = try row.decode("lease_owner", as: String?.self)
        let parts = owner?.split(separator: "/") ?? []
        return (parts.count >= 2 ? Int32(parts[1]) : nil, try row.decode("live"), try row.decode("fencing"), try row.decode("claimed_at"))
    }

    /// What kept a run from being taken over: its queue row, the runs ahead of it, the
    /// run-service role's sessions (what each waits for and who blocks it), the row locks on the
    /// queue, and the instances' last log lines.
    private func takeoverDiagnosis(of run: UUID) async throws -> String {
        let rows = try await queue.work("""
            SELECT 'queue: ' || coalesce(q.lease_owner, 'no owner') || ' lease ends ' || coalesce(round(extract(epoch FROM q.lease_expires_at - clock_timestamp()), 1)::text, 'never')
                   || ' s from now, fencing ' || q.fencing || ', claims ' || q.claims AS line
            FROM run_queue q WHERE q.run_id = \(run)
            UNION ALL
            SELECT 'queue holds ' || count(*) || ' runs, ' || count(*) FILTER (WHERE lease_expires_at IS NULL OR lease_expires_at <= clock_timestamp())
                   || ' claimable, ' || count(*) FILTER (WHERE enqueued_at < (SELECT enqueued_at FROM run_queue WHERE run_id = \(run))) || ' queued before it'
            FROM run_queue
            UNION ALL
            SELECT 'session ' || a.pid || ' ' || coalesce(a.application_name, '') || ' ' || coalesce(a.state, '?') || ' wait ' || coalesce(a.wait_event_type || '/' || a.wait_event, '-')
                   || ' xact ' || coalesce(round(extract(epoch FROM clock_timestamp() - a.xact_start), 1)::text, '-') || ' s blocked by ' || pg_blocking_pids(a.pid)::text
                   || ': ' || left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 160)
            FROM pg_stat_activity a WHERE a.usename = current_user AND a.pid <> pg_backend_pid()
            UNION ALL
            SELECT 'lock ' || l.pid || ' ' || l.mode || ' granted ' || l.granted || ' on ' || l.relation::regclass::text
            FROM pg_locks l WHERE l.relation = 'run_queue'::regclass
            """, deadline: .after(.seconds(10)))
        let lines = try rows.map { try $0.decode("line", as: String.self) }
        let logs = mesh.runPorts.indices.map { "run-service-\($0):\n" + mesh.logTail("run-service-\($0)", lines: 30) }
        return (lines + logs).joined(separator: "\n")
    }

    private func databaseNow() async throws -> Date {
        try await queue.work("SELECT clock_timestamp() AS now", deadline: .after(.seconds(10)))[0].decode("now")
    }

    /// Terminates every connection of the role in `variable`'s URL but the one asking.
    private func terminateBackends(of variable: String) async throws {
        let pool = PostgresPool(config: DatabaseConfig(url: try RequiredEnvironment.value(variable), poolSize: 1), applicationName: "reliability-chaos", logger: RunTestDatabase.logger)
        defer { pool.close() }
        _ = try await pool.query("""
            SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
            WHERE usename = current_user AND pid <> pg_backend_pid()
            """, deadline: .after(.seconds(10)))
    }

    /// How often run-service `index` logged that it lost a claim.
    private func lostClaims(runService index: Int) -> Int {
        mesh.logTail("run-service-\(index)", lines: 100_000).components(separatedBy: "lost the claim").count - 1
    }

    /// A shell spinning on a core until it is terminated.
    private static func busyProcess() throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "while :; do :; done"]
        try process.run()
        return process
    }

    /// Runs a blocking command on a thread of its own, off the cooperative pool.
    private func offThePool(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
