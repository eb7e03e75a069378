import Foundation

/// Where a base tree may come from: a local git work tree under `META_BUILDER_REPOSITORIES_ROOT`,
/// named relative to that root or by an absolute path inside it. Nothing else on the host, and no
/// remote URL, is ever cloned; without a configured root no base repository is accepted. The
/// root is operator-managed: what is in it is trusted.
public struct BaseRepositories: Sendable {
    /// The configured root, if any.
    public let root: String?

    /// Base repositories under `root` (nil: none accepted).
    public init(root: String?) {
        self.root = root
    }

    /// The canonical path of the repository `requested` names (nil for nil): INVALID_ARGUMENT
    /// naming `field` when it is not a git work tree under the root (symlinks and `..` resolved),
    /// FAILED_PRECONDITION when the deployment has no repositories root.
    public func resolve(_ requested: String?, field: String = "input.base_repository") async throws -> String? {
        guard let requested else { return nil }
        guard let root else {
            throw WireError(.failedPrecondition, "META_BUILDER_REPOSITORIES_ROOT is not configured: this deployment accepts no base repository", details: [.init(field: field, reason: "base repositories are disabled")])
        }
        guard !requested.isEmpty, !requested.contains("://") else {
            throw WireError.invalidArgument(field: field, "must name a local git repository under the repositories root (remote URLs are not cloned)")
        }
        let candidate = requested.hasPrefix("/") ? requested : root + "/" + requested
        let (canonicalRoot, repository, gitDirectory) = await FileSystemLane.run { () -> (String?, String?, String?) in
            let repository = ConfinedPath.canonical(candidate)
            var isDirectory: ObjCBool = false
            let gitDirectory = repository.flatMap { ConfinedPath.canonical($0 + "/.git") }.flatMap {
                FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue ? $0 : nil
            }
            return (ConfinedPath.canonical(root), repository, gitDirectory)
        }
        guard let canonicalRoot else {
            throw WireError(.failedPrecondition, "META_BUILDER_REPOSITORIES_ROOT does not exist", details: [.init(field: field, reason: "the repositories root is missing")])
        }
        guard let repository, ConfinedPath.isBelow(repository, canonicalRoot) else {
            throw WireError.invalidArgument(field: field, "must name a git repository under the repositories root")
        }
        guard let gitDirectory, ConfinedPath.isBelow(gitDirectory, repository) else {
            throw WireError.invalidArgument(field: field, "is not a local git repository")
        }
        return repository
    }
}
