import Foundation
import Shared

/// Where finalizing leaves a run's artifacts, and where base repositories may lie.
struct ArtifactSettings: Sendable, Equatable {
    /// `META_BUILDER_ARTIFACT_ROOT` (default: `meta-builder-artifacts` in the temp directory): the
    /// content-addressed blob store, the bare repositories of runs without a base repository,
    /// and the scratch space finalizing works in. Every run-service instance must see the same
    /// directory.
    var root: String
    /// `META_BUILDER_REPOSITORIES_ROOT` (default: none): the base repositories runs may build on,
    /// read the same way as the agent-service reads it; a run's branch is created in its base
    /// repository.
    var repositoriesRoot: String?

    /// Settings from explicit values.
    init(root: String, repositoriesRoot: String? = nil) {
        self.root = root
        self.repositoriesRoot = repositoriesRoot
    }

    /// Reads the settings from the environment.
    init(reader: ConfigReader) {
        self.init(
            root: reader.string("META_BUILDER_ARTIFACT_ROOT") ?? FileManager.default.temporaryDirectory.appendingPathComponent("meta-builder-artifacts").path,
            repositoriesRoot: reader.string("META_BUILDER_REPOSITORIES_ROOT")
        )
    }
}
