import Foundation
import Shared

/// Where the generated app under QA's probes listens: in a sandbox without a network, a Unix
/// socket in a directory of its own that only the sandbox's user may write; unconfined, a free
/// loopback port.
struct AppListener: Sendable {
    /// The app's `--host`/`--port` arguments.
    let arguments: [String]
    /// The base URL of requests (only the `Host` header when `socketPath` is set).
    let baseURL: String
    /// The socket requests go to, when the app has no network.
    let socketPath: String?
    /// What the sandbox must be able to write besides its workspace (the socket's directory).
    let writable: [String]

    /// A listener for an app confined as `sandbox` says.
    static func make(for sandbox: SandboxConfig) async throws -> AppListener {
        guard sandbox.isolation == .bubblewrap else {
            let port = try LoopbackPort.free()
            return AppListener(arguments: ["--host", "127.0.0.1", "--port", String(port)], baseURL: "http://127.0.0.1:\(port)", socketPath: nil, writable: [])
        }
        // Short, as a socket's path must be: /tmp/mb-app-<8 hex>/app.sock.
        let directory = "/tmp/mb-app-" + UUID().uuidString.prefix(8).lowercased()
        let user = sandbox.user
        try await FileSystemLane.run {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            if let user, chown(directory, user.uid, user.gid) != 0 {
                throw WireError(.internal, "the app's socket directory cannot be handed to the sandbox: \(String(cString: strerror(errno)))")
            }
        }
        return AppListener(arguments: ["--host", "unix://\(directory)/app.sock"], baseURL: "http://app", socketPath: directory + "/app.sock", writable: [directory])
    }

    /// Removes the socket's directory.
    func remove() async {
        let writable = self.writable
        await FileSystemLane.run {
            for directory in writable { try? FileManager.default.removeItem(atPath: directory) }
        }
    }
}
