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

    /// How many connections were made to the port so far: its accept queue, as the kernel
    /// reports it for the listening socket (`/proc/net/tcp`, rx_queue), since none is accepted.
    public var connectionsMade: Int {
        let table = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
        let local = String(format: "0100007F:%04X", port)
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4, fields[1] == local, fields[3] == "0A" else { continue }
            return Int(fields[4].split(separator: ":").last ?? "", radix: 16) ?? 0
        }
        return 0
    }

    deinit { close(descriptor) }
}
