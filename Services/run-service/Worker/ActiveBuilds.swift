import Foundation
import Synchronization

/// The runs this instance is building right now, each with a way to stop its build: a cancel
/// request served here stops the local build at once (one served by another instance reaches
/// the build through its lost claim at the next write or lease renewal).
final class ActiveBuilds: Sendable {
    private let builds = Mutex<[UUID: @Sendable () -> Void]>([:])

    /// Creates an empty registry.
    init() {}

    /// Records a build in progress and how to stop it.
    func register(_ run: UUID, stop: @escaping @Sendable () -> Void) {
        builds.withLock { $0[run] = stop }
    }

    /// Forgets a build that ended.
    func remove(_ run: UUID) {
        _ = builds.withLock { $0.removeValue(forKey: run) }
    }

    /// Stops the build of `run` if this instance runs it; whether it did.
    @discardableResult
    func stop(_ run: UUID) -> Bool {
        guard let stop = builds.withLock({ $0[run] }) else { return false }
        stop()
        return true
    }

    /// Stops every build in progress (a graceful shutdown).
    func stopAll() {
        for stop in builds.withLock({ Array($0.values) }) { stop() }
    }

    /// How many builds are in progress.
    var count: Int { builds.withLock { $0.count } }
}
