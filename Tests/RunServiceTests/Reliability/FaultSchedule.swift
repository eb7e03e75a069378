/// The faults of a chaos run, in an order drawn from a seed: the same seed gives the same
/// schedule, so a failing run can be replayed (`scripts/reliability --seed N`).
struct FaultSchedule: Sendable {
    /// One fault, injected on loopback and bounded in time.
    enum Fault: String, Sendable, CaseIterable {
        /// SIGKILL of the run-service instance that holds a run mid-step; it is started again.
        case killHolder = "kill -9 of the holder"
        /// SIGSTOP of the holder past its lease, then SIGCONT: it must write nothing more.
        case freezeHolder = "SIGSTOP of the holder past its lease"
        /// SIGKILL of every run-service instance at once; they are started again.
        case killAll = "kill -9 of every run-service"
        /// `pg_ctl stop -m immediate` and a start (crash recovery).
        case crashPostgres = "Postgres crash and restart"
        /// `pg_terminate_backend` of every connection of the run- and spec-service roles.
        case terminateBackends = "pg_terminate_backend of the services' connections"
        /// Redis shut down and started again.
        case restartRedis = "Redis restart"
        /// Redis frozen (SIGSTOP) for a few seconds.
        case stallRedis = "Redis stall"
        /// The agent-service frozen (SIGSTOP) for 20 s while runs call it.
        case hangAgent = "agent-service hung"
        /// Every connection from the run-services to the agent-service reset, for 8 s.
        case resetAgent = "agent-service resetting connections"
        /// Each new connection to the agent-service held 3 s before it is relayed, for 15 s.
        case slowAgent = "agent-service slow"
        /// Four busy processes beside the mesh on the two cores, for 10 s.
        case starveCPU = "CPU starvation"
    }

    let seed: UInt64
    let faults: [Fault]

    /// Every fault once per round, each round in its own drawn order.
    init(seed: UInt64, rounds: Int) {
        self.seed = seed
        var generator = SplitMix64(seed: seed)
        faults = (0..<rounds).flatMap { _ in Fault.allCases.shuffled(using: &generator) }
    }

    /// The schedule as one line, for the log.
    var summary: String {
        "seed \(seed): " + faults.map(\.rawValue).joined(separator: ", ")
    }
}
