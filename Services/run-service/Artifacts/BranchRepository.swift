import Foundation
import Shared

/// The repository a run's branch `meta-builder/run-<run id>` is created in: the run's base
/// repository (a git work tree under `META_BUILDER_REPOSITORIES_ROOT`, resolved as the
/// agent-service resolves it), or, for a run without one, a bare repository made for the run
/// under the artifact root. The branch holds exactly one commit on top of the base commit, and
/// the commit id is the same each time it is built (fixed identity and date, same parent), so
/// publishing it again changes nothing.
struct BranchRepository: Sendable {
    /// Where the repository comes from.
    enum Kind: String, Sendable {
        /// The run's base repository.
        case base
        /// A bare repository made for the run.
        case bare
    }

    /// The branch as published.
    struct Published: Sendable, Equatable {
        var name: String
        var repository: String
        var kind: Kind
        var commit: String
        var baseCommit: String?
        /// The pure generation: the commit itself, or for a regeneration the new generation
        /// merged into it (the base of the next regeneration).
        var generatedCommit: String
    }

    /// The repository's path.
    let path: String
    let kind: Kind

    /// The repository for `run`: its base repository resolved under `repositories`, or its bare
    /// repository in `store`. A base repository that does not resolve is an `ArtifactError`.
    static func of(_ run: FinalizingRun, repositories: BaseRepositories, store: ArtifactStore) async throws -> BranchRepository {
        guard let requested = run.baseRepository else {
            return BranchRepository(path: "\(store.repositoriesDirectory)/\(run.id.lowercaseText).git", kind: .bare)
        }
        do {
            guard let path = try await repositories.resolve(requested, field: "base_repository") else { throw ArtifactError("the base repository is not set") }
            return BranchRepository(path: path, kind: .base)
        } catch let error as WireError {
            throw ArtifactError("the base repository '\(requested)' cannot be used: \(error.message)")
        }
    }

    /// The commit the run's commit builds on: the parent of the branch when it exists already (it
    /// was published before: building again gives the same commit), else `built` — the commit
    /// the run's diffs were made against, from its fingerprint, even when the base moved on
    /// since — or, without one, the repository's `HEAD`; nil in a bare repository of the run,
    /// and in a base repository without commits.
    func baseCommit(of branch: String, built: String?) async throws -> String? {
        guard kind == .base else { return nil }
        let repository = GitWorkspace(path: path)
        if try await repository.commit("refs/heads/\(branch)") != nil {
            return try await repository.commit("refs/heads/\(branch)^")
        }
        if let built {
            guard try await repository.commit(built) != nil else {
                throw ArtifactError("the base repository no longer holds commit \(built), which the run was built on")
            }
            return built
        }
        return try await repository.commit("HEAD")
    }

    /// Puts `commit` of `tree` on `branch` (creating the bare repository first when it is the
    /// run's own, with the branch as its `HEAD`; a regeneration's, `generatedCommit` given, goes
    /// beside the branch it regenerates and leaves the repository as it was). A branch that
    /// holds another commit is not overwritten: an `ArtifactError`.
    func publish(_ commit: String, from tree: ScaffoldTree, branch: String, baseCommit: String?, generatedCommit: String? = nil) async throws -> Published {
        let ownRepository = kind == .bare && generatedCommit == nil
        if ownRepository {
            let parent = (path as NSString).deletingLastPathComponent
            try await FileSystemLane.run { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            try await GitWorkspace(path: parent).git(["init", "--quiet", "--bare", path])
        }
        do {
            try await tree.git.git(["push", "--quiet", path, "\(commit):refs/heads/\(branch)"])
        } catch let error as GitError {
            throw ArtifactError("the branch \(branch) could not be pushed (it may hold another commit already): \(error.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        if ownRepository {
            try await GitWorkspace(path: path).git(["symbolic-ref", "HEAD", "refs/heads/\(branch)"])
        }
        return Published(name: branch, repository: path, kind: kind, commit: commit, baseCommit: baseCommit, generatedCommit: generatedCommit ?? commit)
    }
}
