import Foundation

/// Turns a bearer token into a `Principal`: a user token (signed with the user secret) or a
/// service token (signed with the service secret, minted by another service of the mesh on
/// behalf of a user whose identity it carries).
public struct Authenticator: Sendable {
    /// Verifies user tokens.
    public let userTokens: JWT
    /// Verifies and mints service tokens.
    public let serviceTokens: JWT
    /// The name this service puts in service tokens it mints.
    public let serviceName: String
    private let verified = VerifiedTokenCache()

    /// The audience of service tokens.
    public static let serviceAudience = "meta-builder-mesh"

    /// Creates an authenticator from the auth settings.
    public init(config: AuthConfig, serviceName: String) {
        userTokens = JWT(secret: config.jwtSecret, issuer: config.issuer, audience: config.audience, leeway: TimeInterval(config.leewaySeconds))
        serviceTokens = JWT(secret: config.serviceTokenSecret, issuer: config.issuer, audience: Self.serviceAudience, leeway: TimeInterval(config.leewaySeconds))
        self.serviceName = serviceName
    }

    /// Verifies the `Authorization` header value; UNAUTHENTICATED when missing, malformed or invalid.
    ///
    /// The token is parsed once and checked against one key, chosen by its audience: the mesh
    /// audience names a service token, anything else a user token. A verified token is cached
    /// until it expires.
    public func authenticate(authorization: String?, now: Date = Date()) throws -> Principal {
        guard let authorization, !authorization.isEmpty else {
            throw WireError(.unauthenticated, "missing bearer token")
        }
        let token = try Self.bearerToken(in: authorization)
        let time = now.timeIntervalSince1970
        if let principal = verified.principal(for: token, at: time) { return principal }
        let parsed = try CompactToken(token)
        let isServiceToken = parsed.claims?.aud?.contains(Self.serviceAudience) == true
        let claims = try (isServiceToken ? serviceTokens : userTokens).verify(parsed, now: now)
        let principal = try isServiceToken ? servicePrincipal(claims) : userPrincipal(claims)
        let leeway = userTokens.leeway
        verified.store(token, .init(principal: principal, validFrom: (claims.nbf ?? -.infinity) - leeway, validUntil: (claims.exp ?? time) + leeway), at: time)
        return principal
    }

    /// The token of `Bearer <token>` (scheme case-insensitive, surrounding blanks ignored).
    private static func bearerToken(in authorization: String) throws -> String {
        let utf8 = authorization.utf8
        guard let space = utf8.firstIndex(of: UInt8(ascii: " ")),
              authorization[..<space].lowercased() == "bearer"
        else { throw WireError(.unauthenticated, "authorization must be 'Bearer <token>'") }
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let rest = utf8[utf8.index(after: space)...]
        guard let first = rest.firstIndex(where: { !isBlank($0) }), let last = rest.lastIndex(where: { !isBlank($0) }) else {
            throw WireError(.unauthenticated, "authorization must be 'Bearer <token>'")
        }
        return String(authorization[first...last])
    }

    /// Mints a short-lived service token carrying the user's identity to another service.
    public func serviceToken(for principal: Principal, ttl: TimeInterval = 60, now: Date = Date()) -> String {
        let time = now.timeIntervalSince1970
        return serviceTokens.sign(JWTClaims(
            sub: "service:\(serviceName)",
            tid: principal.tenantID.lowercaseText,
            role: "service",
            exp: time + ttl, nbf: time - 1, iat: time,
            obo_sub: principal.userID,
            obo_role: principal.role.rawValue
        ))
    }

    private func userPrincipal(_ claims: JWTClaims) throws -> Principal {
        guard let sub = claims.sub, !sub.isEmpty else { throw WireError(.unauthenticated, "token lacks claim 'sub'") }
        guard let tid = claims.tid else { throw WireError(.unauthenticated, "token lacks claim 'tid'") }
        guard let tenant = UUID(uuidString: tid) else { throw WireError(.unauthenticated, "token claim 'tid' is not a UUID") }
        guard let roleName = claims.role else { throw WireError(.unauthenticated, "token lacks claim 'role'") }
        guard let role = Role(rawValue: roleName) else { throw WireError(.unauthenticated, "token claim 'role' is not a known role") }
        guard !sub.hasPrefix("service:") else { throw WireError(.unauthenticated, "user tokens may not name a service") }
        return Principal(userID: sub, tenantID: tenant, role: role)
    }

    private func servicePrincipal(_ claims: JWTClaims) throws -> Principal {
        guard let sub = claims.sub, sub.hasPrefix("service:"), claims.role == "service" else {
            throw WireError(.unauthenticated, "service token lacks its service subject")
        }
        guard let tid = claims.tid, let tenant = UUID(uuidString: tid) else { throw WireError(.unauthenticated, "service token lacks claim 'tid'") }
        guard let user = claims.obo_sub, !user.isEmpty else { throw WireError(.unauthenticated, "service token lacks claim 'obo_sub'") }
        guard let roleName = claims.obo_role, let role = Role(rawValue: roleName) else {
            throw WireError(.unauthenticated, "service token lacks a valid 'obo_role'")
        }
        return Principal(userID: user, tenantID: tenant, role: role, callingService: String(sub.dropFirst("service:".count)))
    }
}
