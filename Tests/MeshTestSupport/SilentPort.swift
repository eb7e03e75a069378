import Foundation
import Shared
import Synchronization

/// A loopback port that takes connections and never answers, for as long as this value lives: a
/// socket bound and listening whose connections the kernel completes and nothing ever reads or
/// writes. It stands in for a black-holed server (a Redis or a peer that hangs) without a thread
/// of its own.
public final class SilentPort: Sendable {
    /// The port's number.
    public let port: Int
    private let descriptor: Int32
    /// The connections taken off the accept queue by `connectionsMade`, held open and silent.
    private let accepted = Mutex<[Int32]>([])

    /// Binds a kernel-chosen port on 127.0.0.1 and listens with a backlog of 128 connections.
    public init() throws {
        (descriptor, port) = try LoopbackPort.bind(0)
        guard listen(descriptor, 128) == 0, fcntl(descriptor, F_SETFL, O_NONBLOCK) == 0 else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
    }

    /// `redis://127.0.0.1:<port>`.
    public var redisURL: String { "redis://127.0.0.1:\(port)" }

    /// How many connections were made to the port so far. It takes what waits in the accept
    /// queue (without blocking) and keeps those connections open and unanswered. A connection a
    /// client has just finished opening may reach the queue a moment later (the kernel can defer
    /// the handshake's last ACK), so a test expecting one polls.
    public var connectionsMade: Int {
        accepted.withLock { connections in
            while true {
                let connection = accept(descriptor, nil, nil)
                guard connection >= 0 else { break }
                connections.append(connection)
            }
            return connections.count
        }
    }

    deinit {
        close(descriptor)
        for connection in accepted.withLock({ $0 }) { close(connection) }
    }
}
