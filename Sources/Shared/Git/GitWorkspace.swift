import Foundation

/// Git run as a real subprocess in a scratch or workspace directory, with a fixed identity, date
/// and configuration so that its output (diffs, commits) is the same on every machine.
public struct GitWorkspace: Sendable {
    /// The directory.
    public let path: String
    /// Per-command time limit.
    public var timeout: Duration
    /// The author and committer date of its commits, as git reads it (ISO 8601, or
    /// `<unix seconds> +0000`): fixed, so that the same changes give the same commit id.
    public var date: String

    /// A workspace at `path`.
    public init(path: String, timeout: Duration = .seconds(60), date: String = "2026-01-01T00:00:00Z") {
        self.path = path
        self.timeout = timeout
        self.date = date
    }

    /// Runs `git <arguments>`; a non-zero exit is FAILED_PRECONDITION with git's message.
    @discardableResult
    public func git(_ arguments: [String]) async throws -> String {
        let result = try await run(arguments)
        guard result.succeeded else {
            throw GitError(command: arguments.first ?? "git", output: result.timedOut ? "timed out" : result.tail(20))
        }
        return result.output
    }

    /// Runs `git <arguments>` where an exit status in `accepted` is an answer, not a failure
    /// (`git merge-recursive` exits 1 on conflicts); its status. Any other status is
    /// FAILED_PRECONDITION with git's message.
    public func git(_ arguments: [String], accepting accepted: Set<Int32>) async throws -> Int32 {
        let result = try await run(arguments)
        guard !result.timedOut, result.exitCode == 0 || accepted.contains(result.exitCode) else {
            throw GitError(command: arguments.first ?? "git", output: result.timedOut ? "timed out" : result.tail(20))
        }
        return result.exitCode
    }

    /// The commit `revision` names (a ref, `HEAD`, `<ref>^`), or nil when it names none.
    public func commit(_ revision: String) async throws -> String? {
        let arguments = ["rev-parse", "--verify", "--quiet", "\(revision)^{commit}"]
        let result = try await run(arguments)
        if result.exitCode == 1, !result.timedOut { return nil }
        guard result.succeeded else {
            throw GitError(command: "rev-parse", output: result.timedOut ? "timed out" : result.tail(20))
        }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs git with the fixed identity, dates and configuration.
    private func run(_ arguments: [String]) async throws -> ProcessResult {
        try await ProcessRunner.run("git", Self.fixedConfig + arguments, in: path, environment: ProcessRunner.environment([
            "GIT_AUTHOR_NAME": "Meta-Builder", "GIT_AUTHOR_EMAIL": "meta-builder@localhost",
            "GIT_COMMITTER_NAME": "Meta-Builder", "GIT_COMMITTER_EMAIL": "meta-builder@localhost",
            "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
        ]), timeout: timeout)
    }

    private static let fixedConfig = ["-c", "core.autocrlf=false", "-c", "diff.algorithm=myers", "-c", "init.defaultBranch=main", "-c", "core.quotepath=off", "-c", "color.ui=false"]

    /// A new empty repository in a fresh temporary directory.
    public static func scratch() async throws -> GitWorkspace {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("meta-builder-\(UUID().lowercaseText)").path
        try await FileSystemLane.run { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        let workspace = GitWorkspace(path: path)
        try await workspace.git(["init", "--quiet"])
        return workspace
    }

    /// Writes files (path → content) under the workspace, on the `FileSystemLane`.
    public func write(_ files: [String: String]) async throws {
        let root = URL(fileURLWithPath: path)
        try await FileSystemLane.run {
            for (relative, content) in files {
                let url = root.appendingPathComponent(relative)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(content.utf8).write(to: url)
            }
        }
    }

    /// Removes the directory and everything in it, on the `FileSystemLane`.
    public func remove() async {
        let path = self.path
        await FileSystemLane.run { try? FileManager.default.removeItem(atPath: path) }
    }
}

/// A git command that failed.
public struct GitError: Error, CustomStringConvertible, WireErrorConvertible {
    /// The git subcommand.
    public let command: String
    /// The tail of its output (or "timed out").
    public let output: String

    public var description: String { "git \(command) failed: \(output)" }
    public var wireError: WireError { WireError(.failedPrecondition, description) }
}
