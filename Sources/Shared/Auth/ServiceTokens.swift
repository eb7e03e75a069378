import Crypto
import Foundation

/// Service tokens (EdDSA JWTs) of one service: it signs the tokens it sends with its own key,
/// addressed to the one service it calls, and accepts a token only when it is signed by a key
/// trusted for the service named as issuer and addressed to itself. No service can mint a
/// token that names another service as issuer, nor one another receiver accepts.
public struct ServiceTokens: Sendable {
    /// This service: the issuer of the tokens it mints and the audience of those it accepts.
    public let service: String
    private let signingKey: ServiceSigningKey
    private let trusted: ServiceKeySet
    /// Allowed clock skew.
    public let leeway: TimeInterval

    /// Creates the signer and verifier of `service`.
    public init(service: String, signingKey: ServiceSigningKey, trusted: ServiceKeySet, leeway: TimeInterval = 30) {
        self.service = service
        self.signingKey = signingKey
        self.trusted = trusted
        self.leeway = leeway
    }

    /// Signs claims as this service for `audience`: `iss` is this service, `aud` the receiver,
    /// `sub` is `service:<this service>`; other values of those claims are replaced.
    public func sign(_ claims: JWTClaims, audience: String) -> String {
        var claims = claims
        claims.iss = service
        claims.aud = .one(audience)
        claims.sub = "service:\(service)"
        let signingInput = CompactToken.signingInput(header: #"{"alg":"EdDSA","kid":"\#(signingKey.keyID)","typ":"JWT"}"#, claims: claims)
        return signingInput + "." + Base64URL.encode(signingKey.signature(for: Array(signingInput.utf8)))
    }

    /// Verifies a parsed token: EdDSA, a trusted key, a signature by it, then issuer (the key's
    /// service), audience (this service), expiry and not-before. Returns the claims and the issuer.
    func verify(_ token: CompactToken, now: Date) throws -> (claims: JWTClaims, issuer: String) {
        guard token.algorithm == .edDSA else { throw JWT.unauthenticated("service token algorithm is not accepted") }
        guard let keyID = token.keyID, let trustedKey = trusted.key(id: keyID) else {
            throw JWT.unauthenticated("service token is signed with a key this service does not trust")
        }
        let valid: Bool = token.signingInput.withContiguousStorageIfAvailable { trustedKey.isValidSignature(token.signature, for: UnsafeRawBufferPointer($0)) }
            ?? trustedKey.isValidSignature(token.signature, for: Array(token.signingInput))
        guard valid else { throw JWT.unauthenticated("token signature is invalid") }
        let claims = try token.validClaims(at: now, leeway: leeway, issuer: trustedKey.service, audience: service)
        return (claims, trustedKey.service)
    }
}
