import Foundation
import MeshTestSupport
import Shared
@testable import RunService

/// The design's promises about runs, checked by SQL after a chaos run has healed: each check
/// reads the services' own schemas as their own roles (no BYPASSRLS), tenant by tenant, so the
/// checks see exactly what the tenants' rows say.
enum RunInvariants {
    /// A run the chaos run started: its tenant and the Idempotency-Key it was created with.
    struct StartedRun: Sendable {
        let id: UUID
        let tenant: UUID
        let idempotencyKey: String
    }

    /// A takeover the chaos run saw: from then on (database clock) only claims with a fencing
    /// number of at least `fencing` may write to the run.
    struct Takeover: Sendable {
        let run: UUID
        let fencing: Int
        let at: Date
    }

    static let terminalStatuses = ["succeeded", "failed", "cancelled", "rejected"]
    static let terminalEvents = RunEvents.Kind.allCases.filter(\.isTerminal).map(\.rawValue)

    /// Every check's failures by name (empty when it holds); `staleWrites` is the number of rows
    /// written under a claim after a newer claim took the run over.
    static func check(runs: [StartedRun], takeovers: [Takeover]) async throws -> (failures: [(String, [String])], staleWrites: Int, lostRuns: Int, duplicateSteps: Int) {
        var lost: [String] = []
        var duplicates: [String] = []
        var absorbing: [String] = []
        var terminalOnce: [String] = []
        var outbox: [String] = []
        var idempotency: [String] = []
        var tenancy: [String] = []
        var stale: [String] = []
        var executions: [String] = []
        let byTenant = Dictionary(grouping: runs, by: \.tenant)
        try await RunTestDatabase.withPool { pool in
            for (tenant, runs) in byTenant {
                let ids = "{" + runs.map(\.id.lowercaseText).joined(separator: ",") + "}"
                let terminal = "{" + terminalStatuses.joined(separator: ",") + "}"
                let terminalTypes = "{" + terminalEvents.joined(separator: ",") + "}"
                let results = try await pool.batch(tenant: tenant, deadline: .after(.seconds(30)), [
                    // 0: every accepted run, with its status
                    "SELECT id, status FROM runs WHERE id = ANY(\(ids)::uuid[])",
                    // 1: queue rows left for runs that ended (a finished run leaves the queue)
                    "SELECT q.run_id FROM run_queue q JOIN runs r ON r.id = q.run_id WHERE r.status = ANY(\(terminal)::text[])",
                    // 2: a step recorded twice (by iteration and role — only attempts the time cap
                    // interrupted may come before another — or by key)
                    """
                    SELECT run_id::text || ' ' || iteration || ' ' || role AS step FROM run_steps
                    WHERE run_id = ANY(\(ids)::uuid[]) GROUP BY run_id, iteration, role
                    HAVING count(*) FILTER (WHERE status <> 'interrupted') > 1 OR count(*) FILTER (WHERE status = 'succeeded') > 1
                    UNION ALL
                    SELECT step_key FROM run_steps WHERE run_id = ANY(\(ids)::uuid[]) GROUP BY step_key HAVING count(*) > 1
                    """,
                    // 3: terminal events per run, and events after the first terminal one
                    """
                    SELECT r.id,
                        (SELECT count(*) FROM run_events e WHERE e.run_id = r.id AND e.type = ANY(\(terminalTypes)::text[])) AS terminal,
                        (SELECT count(*) FROM run_events e WHERE e.run_id = r.id AND e.sequence > (
                            SELECT min(t.sequence) FROM run_events t WHERE t.run_id = r.id AND t.type = ANY(\(terminalTypes)::text[]))) AS after_end,
                        (SELECT count(*) FROM outbox o WHERE o.event_type = ANY(\(terminalTypes)::text[]) AND o.payload -> 'data' ->> 'run_id' = r.id::text) AS terminal_outbox
                    FROM runs r WHERE r.id = ANY(\(ids)::uuid[])
                    """,
                    // 4: events the relay has not published
                    "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL",
                    // 5: the run each Idempotency-Key stands for
                    "SELECT key, response_status, response_body FROM idempotency_keys WHERE operation = 'run.start'",
                    // 6: rows of this tenant that point at a run it cannot see (another tenant's)
                    """
                    SELECT 'step ' || s.id AS what FROM run_steps s WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = s.run_id)
                    UNION ALL SELECT 'event ' || e.run_id || '/' || e.sequence FROM run_events e WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = e.run_id)
                    UNION ALL SELECT 'diff ' || d.run_id || '/' || d.iteration FROM run_diffs d WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = d.run_id)
                    UNION ALL SELECT 'report ' || p.run_id || '/' || p.iteration FROM run_reports p WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = p.run_id)
                    """,
                ])
                let statuses = Dictionary(uniqueKeysWithValues: try results[0].map { (try $0.decode("id", as: UUID.self), try $0.decode("status", as: String.self)) })
                for run in runs {
                    switch statuses[run.id] {
                    case nil: lost.append("\(run.id.lowercaseText) is gone")
                    case let status? where !terminalStatuses.contains(status): lost.append("\(run.id.lowercaseText) is still \(status)")
                    default: break
                    }
                }
                lost += try results[1].map { "\(try $0.decode("run_id", as: UUID.self).lowercaseText) ended but is still queued" }
                duplicates += try results[2].map { try $0.decode("step", as: String.self) }
                for row in results[3] {
                    let id = try row.decode("id", as: UUID.self).lowercaseText
                    let (inRun, afterEnd, inOutbox): (Int, Int, Int) = (try row.decode("terminal"), try row.decode("after_end"), try row.decode("terminal_outbox"))
                    if inRun != 1 { terminalOnce.append("\(id) has \(inRun) terminal events") }
                    if inOutbox != 1 { terminalOnce.append("\(id) put \(inOutbox) terminal events in the outbox") }
                    if afterEnd > 0 { absorbing.append("\(id) has \(afterEnd) events after its terminal one") }
                }
                let unpublished: Int = try results[4][0].decode("n")
                if unpublished > 0 { outbox.append("tenant \(tenant.lowercaseText): \(unpublished) events not published") }
                idempotency += try checkIdempotency(results[5], runs: runs)
                tenancy += try results[6].map { "\(try $0.decode("what", as: String.self)) belongs to a run of another tenant" }
                for takeover in takeovers where runs.contains(where: { $0.id == takeover.run }) {
                    let rows = try await pool.batch(tenant: tenant, deadline: .after(.seconds(30)), ["""
                        SELECT id::text || ' (' || role || ', fencing ' || fencing || ')' AS step FROM run_steps
                        WHERE run_id = \(takeover.run) AND fencing < \(takeover.fencing) AND finished_at > \(takeover.at)
                        """])[0]
                    stale += try rows.map { "run \(takeover.run.lowercaseText): step \(try $0.decode("step", as: String.self)) written after fencing \(takeover.fencing) took over" }
                }
            }
        }
        executions = try await completedExecutionsPerStep(byTenant)
        let failures: [(String, [String])] = [
            ("no lost run: every accepted run ended and left the queue", lost),
            ("no step recorded twice", duplicates),
            ("at most one completed agent execution per step", executions),
            ("fencing: no write under a claim after a newer one took over", stale),
            ("terminal states absorb: no event after the terminal one", absorbing),
            ("exactly one terminal event per run, in the run and in the outbox", terminalOnce),
            ("the outbox is drained", outbox),
            ("an Idempotency-Key maps to one run", idempotency),
            ("every step, event, diff and report is of its run's tenant", tenancy),
        ]
        return (failures, stale.count, lost.count, duplicates.count)
    }

    /// Each key the chaos run used is stored once and answers with the run it created.
    private static func checkIdempotency(_ rows: [PostgresRow], runs: [StartedRun]) throws -> [String] {
        var stored: [String: String] = [:]
        for row in rows { stored[try row.decode("key")] = try row.decode("response_body", as: String.self) }
        return runs.compactMap { run in
            guard let body = stored[run.idempotencyKey] else { return "key \(run.idempotencyKey) of run \(run.id.lowercaseText) is not stored" }
            return body.contains(run.id.lowercaseText) ? nil : "key \(run.idempotencyKey) answers with another run than \(run.id.lowercaseText)"
        }
    }

    /// Steps (agent idempotency keys) with more than one succeeded execution, read from the
    /// agent-service's schema.
    private static func completedExecutionsPerStep(_ byTenant: [UUID: [StartedRun]]) async throws -> [String] {
        let pool = PostgresPool(config: DatabaseConfig(url: try RequiredEnvironment.value("META_BUILDER_AGENT_DATABASE_URL"), poolSize: 1), applicationName: "reliability-invariants", logger: RunTestDatabase.logger)
        defer { pool.close() }
        var failures: [String] = []
        for tenant in byTenant.keys {
            let rows = try await pool.batch(tenant: tenant, deadline: .after(.seconds(30)), ["""
                SELECT role || ' ' || idempotency_key AS step FROM agent_executions
                GROUP BY role, idempotency_key HAVING count(*) FILTER (WHERE status = 'succeeded') > 1
                """])[0]
            failures += try rows.map { "\(try $0.decode("step", as: String.self)) completed more than once" }
        }
        return failures
    }
}
