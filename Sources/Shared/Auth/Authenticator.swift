import Foundation

/// Turns a bearer token into a `Principal`: a user token (HS256, signed with the user secret)
/// or a service token (EdDSA, signed by another service of the mesh with its own key, on behalf
/// of a user whose identity it carries, addressed to this service).
public struct Authenticator: Sendable {
    /// Verifies user tokens.
    public let userTokens: JWT
    /// Verifies the service tokens addressed to this service and mints this service's own.
    public let serviceTokens: ServiceTokens
    private let verified = VerifiedTokenCache()

    /// Creates the authenticator of `serviceName` from the auth settings.
    public init(config: AuthConfig, serviceName: String) {
        userTokens = JWT(secret: config.jwtSecret, issuer: config.issuer, audience: config.audience, leeway: TimeInterval(config.leewaySeconds))
        serviceTokens = ServiceTokens(service: serviceName, signingKey: config.serviceKey, trusted: config.trustedServiceKeys, leeway: TimeInterval(config.leewaySeconds))
    }

    /// The name this service puts in the service tokens it mints.
    public var serviceName: String { serviceTokens.service }

    /// Verifies the `Authorization` header value; UNAUTHENTICATED when missing, malformed or invalid.
    ///
    /// The token is parsed once and checked against one key, chosen by its algorithm: EdDSA
    /// names a service token (checked against the key its `kid` names), HS256 a user token. A
    /// verified token is cached until it expires.
    public func authenticate(authorization: String?, now: Date = Date()) throws -> Principal {
        guard let authorization, !authorization.isEmpty else {
            throw WireError(.unauthenticated, "missing bearer token")
        }
        let token = try Self.bearerToken(in: authorization)
        let time = now.timeIntervalSince1970
        if let principal = verified.principal(for: token, at: time) { return principal }
        let parsed = try CompactToken(token)
        let claims: JWTClaims
        let principal: Principal
        if parsed.algorithm == .edDSA {
            let verified = try serviceTokens.verify(parsed, now: now)
            claims = verified.claims
            principal = try servicePrincipal(claims, issuer: verified.issuer)
        } else {
            claims = try userTokens.verify(parsed, now: now)
            principal = try userPrincipal(claims)
        }
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

    /// Mints a short-lived service token carrying the user's identity to the service `audience`.
    public func serviceToken(for principal: Principal, audience: String, ttl: TimeInterval = 60, now: Date = Date()) -> String {
        let time = now.timeIntervalSince1970
        return serviceTokens.sign(JWTClaims(
            tid: principal.tenantID.lowercaseText,
            role: "service",
            exp: time + ttl, nbf: time - 1, iat: time,
            obo_sub: principal.userID,
            obo_role: principal.role.rawValue
        ), audience: audience)
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

    private func servicePrincipal(_ claims: JWTClaims, issuer: String) throws -> Principal {
        guard claims.sub == "service:\(issuer)", claims.role == "service" else {
            throw WireError(.unauthenticated, "service token lacks its service subject")
        }
        guard let tid = claims.tid, let tenant = UUID(uuidString: tid) else { throw WireError(.unauthenticated, "service token lacks claim 'tid'") }
        guard let user = claims.obo_sub, !user.isEmpty else { throw WireError(.unauthenticated, "service token lacks claim 'obo_sub'") }
        guard let roleName = claims.obo_role, let role = Role(rawValue: roleName) else {
            throw WireError(.unauthenticated, "service token lacks a valid 'obo_role'")
        }
        return Principal(userID: user, tenantID: tenant, role: role, callingService: issuer)
    }
}
