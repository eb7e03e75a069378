import Crypto
import Foundation

/// HS256 JSON Web Tokens with the RFC 8725 checks: the algorithm is pinned (the header's `alg`
/// must be exactly `HS256`; `none` and every other value are refused), the signature is compared
/// in constant time, and `exp`, `nbf`, `iss` and `aud` are validated.
public struct JWT: Sendable {
    private let secret: Data
    /// Required issuer.
    public let issuer: String
    /// Required audience.
    public let audience: String
    /// Allowed clock skew.
    public let leeway: TimeInterval

    /// Creates a signer/verifier for one key, issuer and audience.
    public init(secret: String, issuer: String, audience: String, leeway: TimeInterval = 30) {
        self.secret = Data(secret.utf8)
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
    }

    private var key: SymmetricKey { SymmetricKey(data: secret) }

    /// Signs claims (filling `iss` and `aud` when absent, unless `exactly`).
    public func sign(_ claims: JWTClaims, exactly: Bool = false) -> String {
        var claims = claims
        if !exactly, claims.iss == nil { claims.iss = issuer }
        if !exactly, claims.aud == nil { claims.aud = .one(audience) }
        let header = Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8).base64URLEncoded
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let payload = (try? encoder.encode(claims)).map(\.base64URLEncoded) ?? ""
        let signingInput = header + "." + payload
        let signature = Data(HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: key)).base64URLEncoded
        return signingInput + "." + signature
    }

    /// Verifies a token and returns its claims; every failure is UNAUTHENTICATED with a reason.
    public func verify(_ token: String, now: Date = Date()) throws -> JWTClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Self.unauthenticated("token is not a JWS compact serialization") }
        guard let headerData = Data(base64URLEncoded: String(parts[0])),
              let header = try? JSONDecoder().decode(Header.self, from: headerData)
        else { throw Self.unauthenticated("token header is malformed") }
        guard header.alg == "HS256" else { throw Self.unauthenticated("token algorithm '\(header.alg)' is not accepted") }
        guard let signature = Data(base64URLEncoded: String(parts[2])),
              HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Data("\(parts[0]).\(parts[1])".utf8), using: key)
        else { throw Self.unauthenticated("token signature is invalid") }
        guard let payload = Data(base64URLEncoded: String(parts[1])),
              let claims = try? JSONDecoder().decode(JWTClaims.self, from: payload)
        else { throw Self.unauthenticated("token claims are malformed") }
        let time = now.timeIntervalSince1970
        guard let exp = claims.exp else { throw Self.unauthenticated("token lacks claim 'exp'") }
        guard time < exp + leeway else { throw Self.unauthenticated("token expired") }
        if let nbf = claims.nbf, time + leeway < nbf { throw Self.unauthenticated("token not valid yet") }
        guard claims.iss == issuer else { throw Self.unauthenticated("token issuer is not accepted") }
        guard claims.aud?.contains(audience) == true else { throw Self.unauthenticated("token audience is not accepted") }
        return claims
    }

    private struct Header: Decodable {
        let alg: String
    }

    private static func unauthenticated(_ reason: String) -> WireError {
        WireError(.unauthenticated, reason)
    }
}

extension Data {
    /// Base64url without padding (RFC 7515).
    public var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Decodes base64url with or without padding.
    public init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}
