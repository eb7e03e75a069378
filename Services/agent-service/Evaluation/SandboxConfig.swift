import Foundation
import Shared

/// Where and how the agent-service applies and evaluates generated scaffolds.
struct SandboxConfig: Sendable {
    /// `META_BUILDER_WORKSPACE_ROOT`: per-run, per-iteration working trees (default: a folder in the temp directory).
    var workspaceRoot: String
    /// `META_BUILDER_REPOSITORIES_ROOT`: the only directory base repositories may be cloned from (default: none, so no base repository is accepted).
    var repositoriesRoot: String?
    /// `META_BUILDER_PREVIEW_DATABASE_URL`: a database whose role may create schemas; one preview schema per run. Secret (password).
    var previewDatabaseURL: String?
    /// `META_BUILDER_VENV`: the project-level Python virtualenv with the scaffold's requirements (installed by scripts/install-deps).
    var virtualenv: String
    /// `META_BUILDER_KEEP_FAILED_WORKSPACES`: keep workspaces and preview schemas of failed runs for debugging (default false).
    var keepFailedWorkspaces: Bool

    /// Reads the settings.
    init(reader: ConfigReader = ConfigReader()) throws {
        workspaceRoot = reader.string("META_BUILDER_WORKSPACE_ROOT") ?? FileManager.default.temporaryDirectory.appendingPathComponent("meta-builder-workspaces").path
        repositoriesRoot = reader.string("META_BUILDER_REPOSITORIES_ROOT")
        previewDatabaseURL = reader.string("META_BUILDER_PREVIEW_DATABASE_URL")
        virtualenv = reader.string("META_BUILDER_VENV") ?? FileManager.default.currentDirectoryPath + "/.local/venv"
        keepFailedWorkspaces = try reader.bool("META_BUILDER_KEEP_FAILED_WORKSPACES", default: false)
    }

    /// The virtualenv's python.
    var python: String { virtualenv + "/bin/python" }

    /// The preview database URL, or FAILED_PRECONDITION when the deployment has none.
    func requirePreviewDatabase() throws -> String {
        guard let previewDatabaseURL else {
            throw WireError(.failedPrecondition, "META_BUILDER_PREVIEW_DATABASE_URL is not configured: the DevOps and QA agents need a preview database")
        }
        return previewDatabaseURL
    }
}
