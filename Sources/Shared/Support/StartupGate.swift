import ServiceLifecycle
import Synchronization

/// Opened once start-up work (migrations) has finished; background services that need the
/// schema wait on it so they never run against tables that do not exist yet.
public final class StartupGate: Sendable {
    private let opened = Atomic<Bool>(false)

    /// Creates a closed gate.
    public init() {}

    /// An already open gate (tests, tools).
    public static var open: StartupGate {
        let gate = StartupGate()
        gate.openGate()
        return gate
    }

    /// Opens the gate.
    public func openGate() {
        opened.store(true, ordering: .releasing)
    }

    /// Whether the gate is open.
    public var isOpen: Bool { opened.load(ordering: .acquiring) }

    /// Waits until the gate opens; false when the service shuts down (or the task is
    /// cancelled) first, and the background work should not start.
    public func waitUntilOpen() async -> Bool {
        while !isOpen {
            if Task.isShuttingDownGracefully || Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }
}
