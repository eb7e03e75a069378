import Foundation
import Logging
import Shared

/// HTTP calls from tests to the services of the mesh, with user or service tokens, as a
/// platform (or another service) would make them.
public final class MeshClient: Sendable {
    /// An answer: status, headers, the body as text and, when it is JSON, parsed.
    public struct Answer: Sendable {
        /// The status code.
        public let status: Int
        /// The headers, in received order.
        public let headers: [(String, String)]
        /// The body parsed as JSON, if it is.
        public let json: JSONValue?
        /// The body as text.
        public let text: String

        /// The first header of a name (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }
    }

    private let loop: CurlLoop
    private let http: HTTPClient
    private let jwtSecret: String
    private let userTokens: JWT

    /// A client whose user tokens are signed with the mesh's user secret and whose service
    /// tokens with the services' test keys (`MeshKeys`).
    public init(jwtSecret: String) {
        let logger = Logger(label: "mesh-client") { _ in SwiftLogNoOpLogHandler() }
        loop = CurlLoop(logger: logger)
        http = HTTPClient(loop: loop, authenticator: nil, logger: logger, retryPolicy: .init(maxAttempts: 1))
        self.jwtSecret = jwtSecret
        userTokens = JWT(secret: jwtSecret, issuer: "meta-builder", audience: "meta-builder")
    }

    deinit {
        loop.stop()
    }

    /// A user token for a tenant, role and user.
    public func token(tenant: UUID, role: Role, user: String = "user-1") -> String {
        userTokens.sign(JWTClaims(sub: user, tid: tenant.lowercaseText, role: role.rawValue, exp: Date().timeIntervalSince1970 + 3600))
    }

    /// A service token that `issuer` sends to `audience`, acting for `principal`.
    public func serviceToken(for principal: Principal, from issuer: String = "run-service", to audience: String) -> String {
        Authenticator(config: MeshKeys.auth(jwtSecret: jwtSecret, for: issuer), serviceName: issuer).serviceToken(for: principal, audience: audience, ttl: 600)
    }

    /// Calls `url`; `body` is sent as JSON.
    public func call(_ method: String, _ url: String, token: String?, body: String? = nil, headers: [(String, String)] = [], timeout: Duration = .seconds(30)) async throws -> Answer {
        var all = headers
        if let token { all.append(("Authorization", "Bearer \(token)")) }
        if body != nil { all.append(("Content-Type", "application/json")) }
        return try await exchange(method, url, headers: all, body: body.map { Data($0.utf8) }, timeout: timeout)
    }

    /// Sends `body` as it is, with exactly `headers`.
    public func exchange(_ method: String, _ url: String, headers: [(String, String)], body: Data?, timeout: Duration = .seconds(30)) async throws -> Answer {
        let response = try await http.send(HTTPClientRequest(method: method, url: url, headers: headers, body: body), deadline: .after(timeout))
        return Answer(status: response.status, headers: response.headers, json: try? JSONDecoder().decode(JSONValue.self, from: response.body), text: String(decoding: response.body, as: UTF8.self))
    }
}
