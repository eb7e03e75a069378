import Foundation
import Logging
import ServiceLifecycle
import Shared

/// The instance's build workers: `settings.workers` slots, each claiming the longest-waiting
/// runnable run of any tenant (`RunQueue`), building it (`BuildLoop`) while renewing the lease
/// every 5 s, then claiming the next. A lost lease stops the build at once; a graceful shutdown
/// stops the builds and gives their runs back to the queue, so another instance continues them
/// without waiting for the leases to expire. Starts once the migrations ran.
struct RunWorker: Service {
    let pool: PostgresPool
    /// This instance's name in claims.
    let instance: String
    let loop: BuildLoop
    let settings: RunSettings
    let active: ActiveBuilds
    let gate: StartupGate
    let metrics: RunMetrics
    let logger: Logger
    var leaseTTL = RunQueue.defaultLeaseTTL
    var renewEvery = Duration.seconds(5)

    func run() async throws {
        guard await gate.waitUntilOpen() else { return }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for slot in 0..<settings.workers {
                    group.addTask { await work(slot: slot) }
                }
                group.addTask { await reportQueueDepth() }
            }
        } onGracefulShutdown: {
            active.stopAll()
        }
    }

    /// One slot: claim, build, repeat until shutdown.
    private func work(slot: Int) async {
        let queue = RunQueue(pool: pool, owner: "\(instance)/\(slot)", leaseTTL: leaseTTL)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let claim: RunClaim?
            do {
                claim = try await queue.claim()
            } catch {
                logger.warning("could not claim a run", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            guard let claim else {
                try? await Task.sleep(for: settings.pollInterval)
                continue
            }
            if claim.claims > 1 {
                metrics.takeovers.increment()
                logger.info("taking over a run whose lease expired", metadata: ["run.id": "\(claim.runID.lowercaseText)", "run.claims": "\(claim.claims)"])
            }
            await build(claim, queue: queue)
        }
    }

    /// What ended a build.
    private enum Outcome: Sendable {
        case finished
        case failed(any Error)
        case lost
    }

    /// Builds one claimed run while renewing its lease; whichever ends first stops the other.
    private func build(_ claim: RunClaim, queue: RunQueue) async {
        let metadata: Logger.Metadata = ["run.id": "\(claim.runID.lowercaseText)", "tenant.id": "\(claim.tenantID.lowercaseText)"]
        let building = Task {
            await withTaskGroup(of: Outcome.self) { group -> Outcome in
                group.addTask {
                    do {
                        try await loop.build(claim)
                        return .finished
                    } catch is LostClaim {
                        return .lost
                    } catch {
                        return .failed(error)
                    }
                }
                group.addTask {
                    do {
                        while true {
                            try await Task.sleep(for: renewEvery)
                            try await queue.renew(claim)
                        }
                    } catch is LostClaim {
                        return .lost
                    } catch {
                        return .failed(error)
                    }
                }
                let first = await group.next() ?? .finished
                group.cancelAll()
                return first
            }
        }
        active.register(claim.runID) { building.cancel() }
        let outcome = await building.value
        active.remove(claim.runID)
        switch outcome {
        case .finished:
            break
        case .lost:
            logger.info("lost the claim on a run; another worker has it, or it was cancelled", metadata: metadata)
        case .failed(let error) where error is CancellationError || building.isCancelled:
            // Stopped here (shutdown or a cancel served by this instance): give the run back at once.
            try? await Task { try await queue.release(claim) }.value
        case .failed(let error):
            // The lease runs out on its own: another claim retries after it, not in a tight loop.
            logger.error("building a run failed; it will be retried after its lease expires", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }

    /// Publishes the queue's depth every 5 s.
    private func reportQueueDepth() async {
        let queue = RunQueue(pool: pool, owner: instance)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            if let depth = try? await queue.depth() { metrics.queueDepth.record(depth) }
            try? await Task.sleep(for: .seconds(5))
        }
    }
}
