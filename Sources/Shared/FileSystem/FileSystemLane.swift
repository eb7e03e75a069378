import Foundation

/// Where blocking file-system calls run (resolving caller-supplied paths, reading and writing
/// workspace files and artifacts, removing trees): a dedicated thread per call, as
/// `ProcessRunner` does. Never the Swift cooperative pool, and never a concurrent dispatch queue
/// either: on Linux its jobs share the width-limited worker threads that also serve the
/// cooperative pool, so blocked jobs there stall it (a test showed it).
public enum FileSystemLane {
    /// Runs `body` on a thread of its own and returns its result or rethrows its error.
    public static func run<T: Sendable, Failure: Error>(_ body: @escaping @Sendable () throws(Failure) -> T) async throws(Failure) -> T {
        let result: Result<T, Failure> = await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: Result { () throws(Failure) -> T in try body() }) }
            thread.name = "meta-builder.file-system"
            thread.start()
        }
        return try result.get()
    }
}
