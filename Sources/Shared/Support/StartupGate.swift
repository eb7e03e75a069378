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
}
