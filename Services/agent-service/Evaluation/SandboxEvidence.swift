import Shared

/// What confined the generated code while it was evaluated, as the QA report states it (and the
/// run's manifest after it): the isolation, the network it had, whom it ran as, and the resource
/// limits of each command.
struct SandboxEvidence: Codable, Sendable, Equatable {
    /// The resource limits of one confined command.
    struct Limits: Codable, Sendable, Equatable {
        var addressSpaceBytes: Int
        var fileSizeBytes: Int
        var openFiles: Int
        var cpuSeconds: Int
        var tasks: Int

        enum CodingKeys: String, CodingKey {
            case tasks
            case addressSpaceBytes = "address_space_bytes"
            case fileSizeBytes = "file_size_bytes"
            case openFiles = "open_files"
            case cpuSeconds = "cpu_seconds"
        }
    }

    /// `bubblewrap` or `none` (`META_BUILDER_SANDBOX`).
    var isolation: String
    /// `none` (its own empty network namespace) or `host`.
    var network: String
    /// The user id confined commands run as; nil when they run as the service's own user.
    var uid: UInt32?
    /// nil without isolation.
    var limits: Limits?

    /// The evidence of `config`.
    init(_ config: SandboxConfig) {
        isolation = config.isolation.rawValue
        switch config.isolation {
        case .bubblewrap:
            network = "none"
            uid = config.user?.uid
            limits = Limits(
                addressSpaceBytes: SandboxIsolation.Limit.addressSpaceBytes, fileSizeBytes: SandboxIsolation.Limit.fileSizeBytes,
                openFiles: SandboxIsolation.Limit.openFiles, cpuSeconds: SandboxIsolation.Limit.cpuSeconds, tasks: ProcessCountLimit.maximumTasks
            )
        case .none:
            network = "host"
            uid = nil
            limits = nil
        }
    }
}
