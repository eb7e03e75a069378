import Foundation
import Shared
import Synchronization

/// A loopback TCP proxy to an upstream port that can become a black hole: until `blackHole()`,
/// each connection it takes is relayed to the upstream; after it, new connections are taken and
/// never answered, while those already relayed go on. It stands in for a server whose new
/// connections hang (e.g. the one a Postgres cancel request opens) without touching the live
/// ones. One thread polls every socket; `stop()` closes them all.
public final class BlackHoleProxy: Sendable {
    /// The proxy's loopback port.
    public let port: Int
    private let listener: Int32
    private let upstreamPort: Int
    private let state = Mutex<(blackHoled: Bool, stopped: Bool)>((false, false))
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
        thread.name = "black-hole-proxy"
        thread.start()
    }

    /// From now on, new connections are taken and never answered.
    public func blackHole() {
        state.withLock { $0.blackHoled = true }
    }

    /// Closes every connection and the listener (within 100 ms).
    public func stop() {
        state.withLock { $0.stopped = true }
        while !finished.withLock({ $0 }) { usleep(10_000) }
    }

    /// The poll loop: accept, connect upstream or hold, copy bytes both ways.
    private func relay() {
        var peers: [Int32: Int32] = [:]
        var held: [Int32] = []
        defer {
            for descriptor in Array(peers.keys) + held + [listener] { close(descriptor) }
            finished.withLock { $0 = true }
        }
        while !state.withLock({ $0.stopped }) {
            var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            descriptors += peers.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&descriptors, nfds_t(descriptors.count), 100) > 0 else { continue }
            for entry in descriptors where entry.revents != 0 {
                if entry.fd == listener {
                    let client = accept(listener, nil, nil)
                    guard client >= 0 else { continue }
                    if state.withLock({ $0.blackHoled }) {
                        held.append(client)
                    } else if let upstream = connectUpstream() {
                        peers[client] = upstream
                        peers[upstream] = client
                    } else {
                        close(client)
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

    private func connectUpstream() -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(upstreamPort).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
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
