import Dispatch

/// Where the agent-service's blocking file-system calls run (resolving caller-supplied paths):
/// a dispatch queue of its own, never the Swift cooperative pool.
enum FileSystemLane {
    private static let queue = DispatchQueue(label: "meta-builder.agent.file-system", attributes: .concurrent)

    /// Runs `body` on the lane and returns its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }
}
