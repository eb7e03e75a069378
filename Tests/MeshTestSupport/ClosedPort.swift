import Foundation
import Shared

/// A loopback port that refuses every connection for as long as this value lives: a socket is
/// bound to it but never listens, so connections are refused and no other process can bind it
/// in the meantime (a port found free and then released could be taken by a service another
/// test starts, which would then answer where nothing should).
public final class ClosedPort: Sendable {
    /// The port's number.
    public let port: Int
    private let descriptor: Int32

    /// Binds a kernel-chosen port on 127.0.0.1 without listening.
    public init() throws {
        (descriptor, port) = try LoopbackPort.bind(0)
    }

    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }

    deinit { close(descriptor) }
}
