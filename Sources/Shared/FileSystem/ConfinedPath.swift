import Foundation

/// Caller-supplied paths made safe to use: resolved as the kernel resolves them (symlinks, `.`,
/// `..`) before they are compared with the directory they must lie under.
public enum ConfinedPath {
    /// The canonical absolute path of an existing `path` (realpath(3)); nil when it does not
    /// exist. Blocking: call it on the `FileSystemLane`.
    public static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether the canonical `path` lies strictly below the canonical `root`.
    public static func isBelow(_ path: String, _ root: String) -> Bool {
        path.hasPrefix(root == "/" ? root : root + "/") && path != root
    }
}
