import Foundation
import Shared

/// A loopback port that takes connections and never answers, for as long as this value lives: a
/// socket bound and listening whose connections are never accepted, so the kernel completes each
/// handshake and nothing is ever read or written. It stands in for a black-holed server (a Redis
/// or a peer that hangs) without a thread of its own.
public final class SilentPort: Sendable {
    /// The port's number.
    public let port: Int
    private let descriptor: Int32

    /// Binds a kernel-chosen port on 127.0.0.1 and listens with a backlog of 128 connections.
    public init() throws {
        (descriptor, port) = try LoopbackPort.bind(0)
        guard listen(descriptor, 128) == 0 else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
    }

    /// `redis://127.0.0.1:<port>`.
    public var redisURL: String { "redis://127.0.0.1:\(port)" }

    deinit { close(descriptor) }
}
