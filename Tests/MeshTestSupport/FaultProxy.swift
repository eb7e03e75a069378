import Foundation
import Shared
import Synchronization

/// A loopback TCP proxy to an upstream port whose behaviour a test switches (`set(_:)`): it
/// relays, or it takes new connections and never answers them (a black hole: the server's new
/// connections hang while the live ones go on), or it resets every connection (a server that
/// crashes and restarts, over and over), or it holds each new connection for a while before
/// relaying it (a slow server). One thread polls every socket; `stop()` closes them all.
public final class FaultProxy: Sendable {
    /// What the proxy does with connections.
    public enum Mode: Sendable, Equatable {
        /// Relays both ways.
        case relay
        /// New connections are taken and never answered; relayed ones go on.
        case blackHole
        /// Every connection, new or relayed, is closed with a reset.
        case reset
        /// Each new connection waits this long before it is relayed.
        case delay(Duration)
    }

    /// The proxy's loopback port.
    public let port: Int
    private let listener: Int32
    private let upstreamPort: Int
    private let state = Mutex<(mode: Mode, stopped: Bool)>((.relay, false))
    private let finished = Mutex<Bool>(false)

    /// Listens on a kernel-chosen loopback port, relaying to `upstreamPort` on 127.0.0.1.
    public init(upstreamPort: Int) throws {
        (listener, port) = try LoopbackPort.bind(0)
        guard listen(listener, 256) == 0 else {
            close(listener)
            throw POSIXError(.EADDRINUSE)
        }
        self.upstreamPort = upstreamPort
        let thread = Thread { [self] in relay() }
        thread.name = "fault-proxy"
        thread.start()
    }

    /// The base URL, `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// From now on, behaves as `mode` says.
    public func set(_ mode: Mode) {
        state.withLock { $0.mode = mode }
    }

    /// From now on, new connections are taken and never answered.
    public func blackHole() {
        set(.blackHole)
    }

    /// Closes every connection and the listener (within 100 ms).
    public func stop() {
        state.withLock { $0.stopped = true }
        while !finished.withLock({ $0 }) { usleep(10_000) }
    }

    /// The poll loop: accept, then relay, hold, reset or delay; copy bytes both ways.
    private func relay() {
        var peers: [Int32: Int32] = [:]
        var held: [Int32] = []
        var waiting: [(client: Int32, until: ContinuousClock.Instant)] = []
        defer {
            for descriptor in Array(peers.keys) + held + waiting.map(\.client) + [listener] { close(descriptor) }
            finished.withLock { $0 = true }
        }
        while !state.withLock({ $0.stopped }) {
            let mode = state.withLock { $0.mode }
            if mode == .reset {
                for descriptor in Array(peers.keys) + held + waiting.map(\.client) { Self.reset(descriptor) }
                (peers, held, waiting) = ([:], [], [])
            }
            let now = ContinuousClock.now
            for entry in waiting where entry.until <= now { connect(entry.client, into: &peers) }
            waiting.removeAll { $0.until <= now }
            var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            descriptors += peers.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&descriptors, nfds_t(descriptors.count), 20) > 0 else { continue }
            for entry in descriptors where entry.revents != 0 {
                if entry.fd == listener {
                    let client = accept(listener, nil, nil)
                    guard client >= 0 else { continue }
                    // The mode as it is now, not as the poll began: a switch during the poll
                    // counts for the connections that arrived during it.
                    switch state.withLock({ $0.mode }) {
                    case .relay: connect(client, into: &peers)
                    case .blackHole: held.append(client)
                    case .reset: Self.reset(client)
                    case .delay(let delay): waiting.append((client, .now + delay))
                    }
                } else if let peer = peers[entry.fd] {
                    var buffer = [UInt8](repeating: 0, count: 65_536)
                    let count = read(entry.fd, &buffer, buffer.count)
                    if count <= 0 || !writeAll(buffer[..<count], to: peer) {
                        peers[entry.fd] = nil
                        peers[peer] = nil
                        close(entry.fd)
                        close(peer)
                    }
                }
            }
        }
    }

    /// Relays `client` to a new upstream connection, or closes it when the upstream refuses.
    private func connect(_ client: Int32, into peers: inout [Int32: Int32]) {
        guard let upstream = connectUpstream() else {
            close(client)
            return
        }
        peers[client] = upstream
        peers[upstream] = client
    }

    /// Closes a socket with a reset (SO_LINGER 0) instead of an orderly shutdown.
    private static func reset(_ descriptor: Int32) {
        var linger = linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        close(descriptor)
    }

    private func connectUpstream() -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(upstreamPort).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    private func writeAll(_ bytes: ArraySlice<UInt8>, to descriptor: Int32) -> Bool {
        var rest = bytes
        while !rest.isEmpty {
            let written = rest.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { return false }
            rest = rest.dropFirst(written)
        }
        return true
    }
}
