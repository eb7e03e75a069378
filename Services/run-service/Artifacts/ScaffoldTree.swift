import Foundation
import Shared

/// A run's scaffold rebuilt by the run-service (the agent-service's workspaces are not
/// reachable from here, and are cleaned up): the base commit checked out from a clone of the
/// base repository, or an empty repository; the run's diffs applied in iteration order with
/// real `git apply`; the result committed as one commit.
struct ScaffoldTree: Sendable {
    /// The work tree.
    let git: GitWorkspace

    /// A work tree at `path` (which must not exist) holding `base` of `repository` (nil: an
    /// empty repository), committing with date `date`.
    static func checkout(_ base: String?, of repository: String?, at path: String, date: String) async throws -> ScaffoldTree {
        let parent = GitWorkspace(path: (path as NSString).deletingLastPathComponent)
        if let repository {
            try await parent.git(["clone", "--quiet", "--no-hardlinks", "--no-checkout", repository, path])
        } else {
            try await parent.git(["init", "--quiet", path])
        }
        let tree = ScaffoldTree(git: GitWorkspace(path: path, date: date))
        if let base { try await tree.git.git(["checkout", "--quiet", "--detach", base]) }
        return tree
    }

    /// Applies each diff in turn (written to `patches` first); a diff that does not apply is an
    /// `ArtifactError` naming its iteration.
    func apply(_ diffs: [FinalizingRun.Diff], patches: String) async throws {
        for diff in diffs where !diff.text.allSatisfy(\.isWhitespace) {
            let patch = "\(patches)/iteration-\(diff.iteration).diff"
            try await FileSystemLane.run { try Data(diff.text.utf8).write(to: URL(fileURLWithPath: patch)) }
            do {
                try await git.git(["apply", "--whitespace=nowarn", patch])
            } catch let error as GitError {
                throw ArtifactError("the \(diff.role) diff of iteration \(diff.iteration) does not apply: \(error.output.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        }
    }

    /// Commits everything in the tree (files the diffs created that an ignore rule matches
    /// included: the tree is what the diffs say) as one commit; its id.
    func commit(message: String, scratch: String) async throws -> String {
        let file = "\(scratch)/commit-message.txt"
        try await FileSystemLane.run { try Data(message.utf8).write(to: URL(fileURLWithPath: file)) }
        try await git.git(["add", "--all", "--force"])
        try await git.git(["commit", "--quiet", "--allow-empty", "--no-verify", "--cleanup=verbatim", "--file", file])
        guard let commit = try await git.commit("HEAD") else { throw ArtifactError("the commit was not made") }
        return commit
    }

    /// Every file of the tree (what the commit holds: regular files, executables, symbolic
    /// links; not `.git`, nor submodules), sorted by path bytewise, with sha256, size and mode.
    func files() async throws -> [RunManifest.File] {
        let root = git.path
        return try await FileSystemLane.run {
            var files: [RunManifest.File] = []
            try Self.walk(root, relative: "", into: &files)
            return files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        }
    }

    /// Collects the files under `directory`. Blocking: runs on the lane.
    private static func walk(_ directory: String, relative: String, into files: inout [RunManifest.File]) throws {
        let manager = FileManager.default
        for name in try manager.contentsOfDirectory(atPath: directory) where name != ".git" {
            let path = "\(directory)/\(name)"
            let relativePath = relative.isEmpty ? name : "\(relative)/\(name)"
            let attributes = try manager.attributesOfItem(atPath: path)
            switch attributes[.type] as? FileAttributeType {
            case .typeDirectory?:
                try walk(path, relative: relativePath, into: &files)
            case .typeSymbolicLink?:
                let target = Data(try manager.destinationOfSymbolicLink(atPath: path).utf8)
                files.append(RunManifest.File(path: relativePath, sha256: Digest.sha256Hex(target), size: target.count, mode: "120000"))
            case .typeRegular?:
                let blob = try ArtifactStore.digest(ofFileAt: path)
                let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o644
                files.append(RunManifest.File(path: relativePath, sha256: blob.sha256, size: blob.size, mode: permissions & 0o111 != 0 ? "100755" : "100644"))
            default:
                continue
            }
        }
    }
}
