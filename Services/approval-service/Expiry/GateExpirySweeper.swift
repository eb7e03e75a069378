import Logging
import Metrics
import ServiceLifecycle
import Shared

/// Closes pending gates whose time is up, every `interval`, once the migrations ran: it finds
/// them across tenants in `gate_expiries` (no tenant data) and expires each inside its tenant's
/// transaction (`GateRepository.expire`). Its state is Postgres alone, so a gate that expired
/// while no instance ran is closed by the first sweep after a start; several instances may
/// sweep at once (the gate's row lock decides which one closes it).
struct GateExpirySweeper: Service {
    let repository: GateRepository
    let migrated: StartupGate
    let interval: Duration
    let expired: Counter
    let logger: Logger

    /// Gates looked at per query.
    static let batchSize = 100

    func run() async throws {
        while !migrated.isOpen {
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await sweep()
            } catch {
                logger.warning("gate expiry sweep failed", metadata: ["error": "\(error)"])
            }
            // Graceful shutdown ends the wait at once, not after the interval.
            try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
    }

    /// One sweep: every gate due now (in batches), each expired in its tenant's transaction.
    func sweep() async throws {
        while true {
            let due = try await repository.dueExpiries(limit: Self.batchSize)
            var closed = 0
            for gate in due {
                do {
                    let expiredNow = try await RequestScope.$current.withValue(RequestScope(deadline: .after(.seconds(15)))) {
                        try await repository.expire(gate)
                    }
                    if expiredNow {
                        closed += 1
                        expired.increment()
                        logger.info("gate expired", metadata: ["gate.id": "\(gate.gate.lowercaseText)", "tenant.id": "\(gate.tenant.lowercaseText)"])
                    }
                } catch {
                    logger.warning("could not expire a gate", metadata: ["gate.id": "\(gate.gate.lowercaseText)", "error": "\(error)"])
                }
            }
            // A full batch that closed nothing is held by decisions in flight: look again next time.
            guard due.count == Self.batchSize, closed > 0 else { return }
        }
    }
}
