import Foundation
import Shared

/// A regeneration merged three-way (docs/run-service.md, "Regenerate"): the earlier run's own
/// generated commit is the base, the user's branch (that generation plus their edits) is ours,
/// the new generation is theirs. Edits that do not overlap a change of the generator survive
/// untouched; overlapping ones are committed with git's conflict markers. What the manifest
/// and the pull request state about it.
struct RegenerationMerge: Codable, Sendable, Equatable {
    /// The run whose branch was regenerated.
    var fromRun: String
    /// The earlier generation (the base of the merge).
    var baseCommit: String
    /// The tip of the user's branch that was merged.
    var userCommit: String
    /// The new generation, on the commit its diffs were made against: the base repository's
    /// commit the regeneration built on, else the earlier generation's parent.
    var generatedCommit: String
    /// `git diff --name-status` lines from the base to the user's branch.
    var userChanged: [String]
    /// The same from the base to the new generation.
    var generatorChanged: [String]
    /// `git diff --name-status` lines of the base repository from the commit the earlier
    /// generation sat on to the one the new generation sits on; empty when it did not move (and
    /// for a run without a base repository). The merge brings these changes in as well.
    var baseChanged: [String]
    /// Files both changed where the changes overlap: committed with conflict markers.
    var conflicts: [String]

    enum CodingKeys: String, CodingKey {
        case conflicts
        case fromRun = "from_run"
        case baseCommit = "base_commit"
        case userCommit = "user_commit"
        case generatedCommit = "generated_commit"
        case userChanged = "user_changed"
        case generatorChanged = "generator_changed"
        case baseChanged = "base_changed"
    }

    /// The earlier run's branch a regeneration merges with, as its branch row records it.
    struct Source: Sendable, Equatable {
        var runID: UUID
        var branch: String
        var repository: String
        var kind: BranchRepository.Kind
        /// The earlier run's pure generation: the merge's base.
        var generatedCommit: String
    }

    /// The commit holding the merge of `source`'s branch and the diffs of `run`, made in `tree`
    /// (an empty repository): the user's branch is fetched, the new generation committed where
    /// its diffs were made (`generationParent`), then merged onto the user's tip with the earlier
    /// generation as the merge base (`git merge-recursive`), conflicts and all; the merge commit
    /// has the user's tip and the new generation as parents. The work tree is left holding the
    /// merge.
    static func merge(_ run: FinalizingRun, from source: Source, in tree: ScaffoldTree, scratch: String) async throws -> (commit: String, merge: RegenerationMerge) {
        let git = tree.git
        do {
            try await git.git(["fetch", "--quiet", "--no-tags", source.repository, "+refs/heads/\(source.branch):refs/meta-builder/user"])
        } catch let error as GitError {
            throw ArtifactError("the branch \(source.branch) of the regenerated run cannot be read: \(error.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard let user = try await git.commit("refs/meta-builder/user") else { throw ArtifactError("the branch \(source.branch) of the regenerated run is gone") }
        guard try await git.git(["merge-base", "--is-ancestor", source.generatedCommit, user], accepting: [1]) == 0 else {
            throw ArtifactError("the branch \(source.branch) no longer holds its run's generated commit \(source.generatedCommit): it was rewritten, so there is no base to merge from")
        }
        let earlierParent = try await git.commit("\(source.generatedCommit)^")
        let parent = try await generationParent(of: run, earlier: earlierParent, from: source, git: git)
        if let parent {
            try await git.git(["checkout", "--quiet", "--detach", parent])
        }
        try await tree.apply(run.diffs, patches: scratch)
        let generated = try await tree.commit(message: "\(run.pullRequest.title) (generation)", scratch: scratch)
        try await git.git(["checkout", "--quiet", "--detach", user])
        _ = try await git.git(["merge-recursive", source.generatedCommit, "--", "HEAD", generated], accepting: [1])
        let conflicts = Self.lines(try await git.git(["diff", "--name-only", "--diff-filter=U"]))
        try await git.git(["add", "--all", "--force"])
        let mergedTree = try await git.git(["write-tree"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let merge = RegenerationMerge(
            fromRun: source.runID.lowercaseText, baseCommit: source.generatedCommit, userCommit: user, generatedCommit: generated,
            userChanged: Self.lines(try await git.git(["diff", "--name-status", "--no-renames", source.generatedCommit, user])),
            generatorChanged: Self.lines(try await git.git(["diff", "--name-status", "--no-renames", source.generatedCommit, generated])),
            baseChanged: try await baseChanges(from: earlierParent, to: parent, git: git),
            conflicts: conflicts.sorted()
        )
        let message = "\(scratch)/merge-message.txt"
        try await FileSystemLane.run { try Data("\(run.pullRequest.title)\n\n\(merge.markdown)".utf8).write(to: URL(fileURLWithPath: message)) }
        let commit = try await git.git(["commit-tree", mergedTree, "-p", user, "-p", generated, "-F", message]).trimmingCharacters(in: .whitespacesAndNewlines)
        try await git.git(["reset", "--quiet", "--hard", commit])
        return (commit, merge)
    }

    /// The commit the new generation goes on: the base repository's commit the regeneration's
    /// diffs were made against (its fingerprint's; the base may have moved on since the earlier
    /// run), fetched from the base repository, else the earlier generation's parent (none for a
    /// run's own repository, which starts empty).
    private static func generationParent(of run: FinalizingRun, earlier: String?, from source: Source, git: GitWorkspace) async throws -> String? {
        guard source.kind == .base, let base = run.fingerprint.baseCommit, base != earlier else { return earlier }
        do {
            try await git.git(["fetch", "--quiet", "--no-tags", source.repository, "+refs/heads/*:refs/meta-builder/base/*"])
        } catch let error as GitError {
            throw ArtifactError("the base repository cannot be read: \(error.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard try await git.commit(base) != nil else {
            throw ArtifactError("the base repository no longer holds commit \(base), which the regeneration was built on")
        }
        return base
    }

    /// What changed in the base repository between the commits the two generations sit on.
    private static func baseChanges(from earlier: String?, to parent: String?, git: GitWorkspace) async throws -> [String] {
        guard let earlier, let parent, earlier != parent else { return [] }
        return lines(try await git.git(["diff", "--name-status", "--no-renames", earlier, parent]))
    }

    /// The pull request's section about the merge: what the user changed, what the generator
    /// changed, and the conflicts to resolve.
    var markdown: String {
        func list(_ items: [String]) -> String { items.isEmpty ? "- none\n" : items.map { "- `\($0)`\n" }.joined() }
        return """
            ## Regeneration

            Regenerates run \(fromRun): its generated commit `\(baseCommit.prefix(12))` is the base, your branch at `\(userCommit.prefix(12))` and the new generation `\(generatedCommit.prefix(12))` are merged onto it.

            ### What you changed

            \(list(userChanged))
            ### What the generator changed

            \(list(generatorChanged))\(baseChanged.isEmpty ? "" : "\n### What changed in the base repository\n\nThe base moved on since the regenerated run; the new generation is built on it, and these changes come with it:\n\n" + list(baseChanged))
            ### Conflicts

            \(conflicts.isEmpty ? "None: every change of yours that the generator also touched merged cleanly.\n" : "Both sides changed these files in the same places; they hold git's conflict markers to resolve:\n\n" + list(conflicts))
            """
    }

    private static func lines(_ output: String) -> [String] {
        output.split(separator: "\n").map { $0.replacingOccurrences(of: "\t", with: " ") }.filter { !$0.isEmpty }
    }
}
