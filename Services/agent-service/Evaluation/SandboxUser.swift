import Foundation
import Shared

/// The unprivileged identity confined commands run as when the service runs as root: uid and gid
/// 65534 (`nobody` and `nogroup` on Debian), no supplementary groups, no capabilities, and no way
/// back (`no_new_privs`). A service that is not root runs them as its own, already unprivileged,
/// user.
struct SandboxUser: Sendable, Equatable {
    /// The user id.
    let uid: UInt32
    /// The group id, which also grants the workspace (`admit(to:)`).
    let gid: UInt32

    /// `nobody`:`nogroup`.
    static let nobody = SandboxUser(uid: 65534, gid: 65534)

    /// The identity this process's confined commands drop to: `nobody` when it runs as root, nil
    /// when it cannot change identity anyway.
    static var forThisProcess: SandboxUser? { geteuid() == 0 ? .nobody : nil }

    /// The prefix that drops to this identity (inside the sandbox, before the command runs).
    var prefix: [String] {
        ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--no-new-privs", "--"]
    }

    /// Lets this identity write the workspace the service made: every directory and file in it
    /// (not through links, and not `.git`, which the sandbox sees read-only) joins its group and
    /// becomes group-writable. The owner stays the service's user, so git still trusts the
    /// repository. On the file-system lane; no confined command of the workspace may be running.
    func admit(to workspace: String) async throws {
        let gid = self.gid
        try await FileSystemLane.run {
            func grant(_ path: String, isTop: Bool) throws {
                var info = stat()
                guard lstat(path, &info) == 0 else { throw WireError(.internal, "the sandbox's workspace cannot be prepared: \(String(cString: strerror(errno)))") }
                let type = info.st_mode & S_IFMT
                guard type == S_IFDIR || type == S_IFREG else { return }
                guard lchown(path, uid_t.max, gid) == 0, chmod(path, (info.st_mode & 0o7777) | (type == S_IFDIR ? 0o070 : 0o060)) == 0 else {
                    throw WireError(.internal, "the sandbox's workspace cannot be prepared: \(String(cString: strerror(errno)))")
                }
                guard type == S_IFDIR else { return }
                for entry in try FileManager.default.contentsOfDirectory(atPath: path) where !(isTop && entry == ".git") {
                    try grant(path + "/" + entry, isTop: false)
                }
            }
            try grant(workspace, isTop: true)
        }
    }
}
