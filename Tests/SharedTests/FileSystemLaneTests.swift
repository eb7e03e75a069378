import Foundation
import Shared
import Synchronization
import Testing

/// Workspace file work runs on the `FileSystemLane`: writes that block (into named pipes nobody
/// reads yet) leave the cooperative pool free for everything else.
@Suite struct FileSystemLaneTests {
    @Test func blockedWorkspaceWritesDoNotStallTheCooperativePool() async throws {
        let workspace = try await GitWorkspace.scratch()
        // More blocked writers than the cooperative pool has threads.
        let names = (0...ProcessInfo.processInfo.activeProcessorCount).map { "pipe-\($0)" }
        for name in names {
            #expect(mkfifo(workspace.path + "/" + name, 0o600) == 0)
        }
        // Opening the pipes for reading, off the pool, is what lets the writers finish. The probe
        // below releases them as soon as it has run; if the pool were stalled it could not run,
        // and only the fallback, 20 s later, would release them — before the probe. No timing
        // on a busy machine makes the order come out wrong the other way.
        let released = Mutex<ContinuousClock.Instant?>(nil)
        let release: @Sendable () -> Void = {
            let first = released.withLock { instant in
                guard instant == nil else { return false }
                instant = .now
                return true
            }
            guard first else { return }
            for name in names {
                DispatchQueue.global().async { Self.drain(workspace.path + "/" + name) }
            }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + 20, execute: release)
        let probed = try await withThrowingTaskGroup(of: ContinuousClock.Instant?.self) { group in
            for name in names {
                group.addTask {
                    try await workspace.write([name: "blocked until read\n"])
                    return nil
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(200))
                let now = ContinuousClock.now
                DispatchQueue.global().async(execute: release)
                return now
            }
            return try await group.reduce(into: [ContinuousClock.Instant]()) { if let instant = $1 { $0.append(instant) } }.first
        }
        let releasedAt = try #require(released.withLock { $0 })
        #expect(try #require(probed) < releasedAt, "the pool was stalled until the blocked writes were released")
        await workspace.remove()
        #expect(!FileManager.default.fileExists(atPath: workspace.path))
    }

    /// Reads a named pipe until its writer closes it.
    private static func drain(_ path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while read(descriptor, &buffer, buffer.count) > 0 {}
        close(descriptor)
    }

    @Test func theLaneRethrowsTheBodysError() async throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("mb-lane-\(UUID().uuidString)/nothing").path
        await #expect(throws: CocoaError.self) {
            try await FileSystemLane.run { try String(contentsOfFile: missing, encoding: .utf8) }
        }
    }
}
