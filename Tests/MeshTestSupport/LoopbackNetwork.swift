import Foundation
import Logging
import Shared

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
