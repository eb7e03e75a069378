import Foundation
import Hummingbird
import Logging
import Shared

/// Removes a run's workspaces and preview schema when the run ends; a failed run keeps them
/// when `META_BUILDER_KEEP_FAILED_WORKSPACES` is on, for debugging.
struct SandboxCleaner: Sendable {
    let sandbox: SandboxConfig
    let previewKey: PreviewKey
    let logger: Logger

    /// The body of `POST /internal/v1/sandboxes/{run}/cleanup`.
    struct Request: Codable {
        /// Whether the run failed.
        var failed: Bool
    }

    /// What was done.
    struct Outcome: Codable, ResponseEncodable, Equatable {
        var kept: Bool
        var removedWorkspaces: Bool
        var droppedSchema: String?

        enum CodingKeys: String, CodingKey {
            case kept
            case removedWorkspaces = "removed_workspaces"
            case droppedSchema = "dropped_schema"
        }
    }

    /// Cleans up after `run`.
    func clean(run: String, failed: Bool) async throws -> Outcome {
        try ScaffoldWorkspace.checkRun(run, field: "run")
        if failed, sandbox.keepFailedWorkspaces {
            logger.info("keeping the sandbox of a failed run", metadata: ["run.id": "\(run)"])
            return Outcome(kept: true, removedWorkspaces: false, droppedSchema: nil)
        }
        let directory = "\(sandbox.workspaceRoot)/\(run)"
        let existed = await FileSystemLane.run {
            let existed = FileManager.default.fileExists(atPath: directory)
            try? FileManager.default.removeItem(atPath: directory)
            return existed
        }
        var dropped: String?
        if let url = sandbox.previewDatabaseURL {
            let schema = PreviewEnvironment.make(run: run, previewKey: previewKey).schema
            try await PreviewDatabase.connect(url: url, name: "agent-service-cleanup", logger: logger) { try await $0.drop(schema: schema) }
            dropped = schema
        }
        return Outcome(kept: false, removedWorkspaces: existed, droppedSchema: dropped)
    }
}
