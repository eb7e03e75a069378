import Crypto
import Foundation

/// HS256 JSON Web Tokens with the RFC 8725 checks: the algorithm is pinned (the header's `alg`
/// must be exactly `HS256`; `none` and every other value are refused), the signature is compared
/// in constant time, and `exp`, `nbf`, `iss` and `aud` are validated.
///
/// The keyed HMAC state is built once and copied per token, so verifying costs one pass of
/// SHA-256 over the token, not a key derivation.
public struct JWT: Sendable {
    private let mac: KeyedMAC
    /// Required issuer.
    public let issuer: String
    /// Required audience.
    public let audience: String
    /// Allowed clock skew.
    public let leeway: TimeInterval

    /// Creates a signer/verifier for one key, issuer and audience.
    public init(secret: String, issuer: String, audience: String, leeway: TimeInterval = 30) {
        self.mac = KeyedMAC(secret: secret)
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
    }

    /// Signs claims (filling `iss` and `aud` when absent, unless `exactly`).
    public func sign(_ claims: JWTClaims, exactly: Bool = false) -> String {
        var claims = claims
        if !exactly, claims.iss == nil { claims.iss = issuer }
        if !exactly, claims.aud == nil { claims.aud = .one(audience) }
        let signingInput = CompactToken.signingInput(header: #"{"alg":"HS256","typ":"JWT"}"#, claims: claims)
        return signingInput + "." + Base64URL.encode(mac.code(for: signingInput.utf8))
    }

    /// Verifies a token and returns its claims; every failure is UNAUTHENTICATED with a reason.
    public func verify(_ token: String, now: Date = Date()) throws -> JWTClaims {
        try verify(try CompactToken(token), now: now)
    }

    /// Verifies a parsed token: signature, then claims, expiry, not-before, issuer and audience.
    func verify(_ token: CompactToken, now: Date) throws -> JWTClaims {
        guard token.algorithm == .hs256 else { throw Self.unauthenticated("token algorithm '\(token.algorithm.rawValue)' is not accepted") }
        guard mac.isValid(token.signature, for: token.signingInput) else { throw Self.unauthenticated("token signature is invalid") }
        return try token.validClaims(at: now, leeway: leeway, issuer: issuer, audience: audience)
    }

    static func unauthenticated(_ reason: String) -> WireError {
        WireError(.unauthenticated, reason)
    }
}

/// A compact JWS split and decoded once: the header's algorithm checked, the claims decoded
/// (nil when they are not valid claims JSON; that is reported after the signature check).
struct CompactToken {
    /// The two algorithms of the mesh: HS256 for user tokens, EdDSA (Ed25519) for service tokens.
    enum Algorithm: String, Decodable {
        case hs256 = "HS256"
        case edDSA = "EdDSA"
    }

    /// The header's `alg`.
    let algorithm: Algorithm
    /// The header's `kid`, when present.
    let keyID: String?
    /// `header.payload`, the bytes the signature covers.
    let signingInput: Substring.UTF8View
    /// The decoded signature.
    let signature: [UInt8]
    /// The decoded claims, when they parse.
    let claims: JWTClaims?

    private static let decoder = JSONDecoder()

    /// The largest token accepted: the mesh's tokens are a few hundred bytes, and a bigger one
    /// (even validly signed) only costs every receiver memory and time.
    static let maximumLength = 8 * 1024

    /// Splits and decodes a token. Its parts must be base64url without padding (RFC 7515 §2),
    /// so one token has exactly one spelling.
    init(_ token: String) throws {
        let utf8 = token.utf8
        guard utf8.count <= Self.maximumLength else { throw JWT.unauthenticated("token is larger than \(Self.maximumLength) bytes") }
        guard !utf8.contains(UInt8(ascii: "=")) else { throw JWT.unauthenticated("token parts must be base64url without padding") }
        guard let firstDot = utf8.firstIndex(of: UInt8(ascii: ".")),
              let secondDot = utf8[utf8.index(after: firstDot)...].firstIndex(of: UInt8(ascii: ".")),
              !utf8[utf8.index(after: secondDot)...].contains(UInt8(ascii: "."))
        else { throw JWT.unauthenticated("token is not a JWS compact serialization") }
        guard let headerBytes = Base64URL.decode(utf8[..<firstDot]),
              let header = try? Self.decoder.decode(Header.self, from: Data(headerBytes))
        else { throw JWT.unauthenticated("token header is malformed") }
        guard let algorithm = Algorithm(rawValue: header.alg) else { throw JWT.unauthenticated("token algorithm '\(header.alg.prefix(20))' is not accepted") }
        guard let signature = Base64URL.decode(utf8[utf8.index(after: secondDot)...]) else {
            throw JWT.unauthenticated("token signature is invalid")
        }
        self.algorithm = algorithm
        keyID = header.kid
        signingInput = token[..<secondDot].utf8
        self.signature = signature
        claims = Base64URL.decode(utf8[utf8.index(after: firstDot)..<secondDot]).flatMap { try? Self.decoder.decode(JWTClaims.self, from: Data($0)) }
    }

    /// The claims, once the signature was checked: expiry, not-before (with the leeway), issuer
    /// and audience.
    func validClaims(at now: Date, leeway: TimeInterval, issuer: String, audience: String) throws -> JWTClaims {
        guard let claims else { throw JWT.unauthenticated("token claims are malformed") }
        let time = now.timeIntervalSince1970
        guard let exp = claims.exp else { throw JWT.unauthenticated("token lacks claim 'exp'") }
        guard time < exp + leeway else { throw JWT.unauthenticated("token expired") }
        if let nbf = claims.nbf, time + leeway < nbf { throw JWT.unauthenticated("token not valid yet") }
        guard claims.iss == issuer else { throw JWT.unauthenticated("token issuer is not accepted") }
        guard claims.aud?.contains(audience) == true else { throw JWT.unauthenticated("token audience is not accepted") }
        return claims
    }

    /// `base64url(header).base64url(claims)`, the claims' keys sorted.
    static func signingInput(header: String, claims: JWTClaims) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let payload = (try? encoder.encode(claims)).map { Base64URL.encode($0) } ?? ""
        return Base64URL.encode(header.utf8) + "." + payload
    }

    private struct Header: Decodable {
        let alg: String
        let kid: String?
    }
}

/// An HMAC-SHA256 state already keyed, copied for each message.
///
/// `@unchecked Sendable`: `template` is never mutated; each use works on a copy (the digest state
/// is copy-on-write).
private final class KeyedMAC: @unchecked Sendable {
    private let template: HMAC<SHA256>

    init(secret: String) {
        template = HMAC<SHA256>(key: SymmetricKey(data: Data(secret.utf8)))
    }

    func code(for message: some Sequence<UInt8>) -> [UInt8] {
        var mac = template
        mac.update(data: Array(message))
        return Array(mac.finalize())
    }

    /// Constant-time comparison of `signature` with the code of `message`.
    func isValid(_ signature: [UInt8], for message: Substring.UTF8View) -> Bool {
        var mac = template
        let updated: Void? = message.withContiguousStorageIfAvailable { mac.update(data: UnsafeRawBufferPointer($0)) }
        if updated == nil { mac.update(data: Array(message)) }
        return mac.finalize() == signature
    }
}

extension Data {
    /// Base64url without padding (RFC 7515).
    public var base64URLEncoded: String { Base64URL.encode(self) }

    /// Decodes base64url with or without padding.
    public init?(base64URLEncoded text: String) {
        guard let bytes = Base64URL.decode(text.utf8) else { return nil }
        self.init(bytes)
    }
}
