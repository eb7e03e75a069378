import Foundation

/// A free TCP port on 127.0.0.1.
public enum LoopbackPort {
    /// Ports below Linux's ephemeral range (32768–60999): a server that must come back at the
    /// same address takes one of these, so no outgoing connection can take it in between.
    public static let stableRange = 20_000...32_000

    /// A port nothing listens on right now: chosen by the kernel, or at random from `range`.
    public static func free(in range: ClosedRange<Int>? = nil) throws -> Int {
        guard let range else { return try bindable(0) }
        for _ in 0..<200 {
            if let port = try? bindable(Int.random(in: range)) { return port }
        }
        throw POSIXError(.EADDRINUSE)
    }

    /// Binds `port` (0: any) on 127.0.0.1 and returns the bound port, or throws EADDRINUSE.
    private static func bindable(_ port: Int) throws -> Int {
        let bound = try bind(port)
        close(bound.descriptor)
        return bound.port
    }

    /// A TCP socket bound to `port` (0: any) on 127.0.0.1 and not listening, with the port it got;
    /// the caller closes the descriptor. EADDRINUSE when the port is taken.
    public static func bind(_ port: Int) throws -> (descriptor: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
