import Foundation
import Logging
import Shared

/// Picks a free loopback port by binding port 0 and reading what the kernel chose.
public enum FreePort {
    /// A port nothing listens on right now.
    public static func pick() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Plain GETs over the Shared curl client, for probing services from tests.
public enum SharedHTTP {
    private static let logger = Logger(label: "probe") { _ in SwiftLogNoOpLogHandler() }
    private static let loop = CurlLoop(logger: logger)
    private static let client = HTTPClient(loop: loop, authenticator: nil, logger: logger, retryPolicy: .init(maxAttempts: 1))

    /// The status code of a GET (2 s deadline).
    public static func status(of url: String) async throws -> Int {
        try await client.send(HTTPClientRequest(method: "GET", url: url), deadline: .after(.seconds(2))).status
    }
}
