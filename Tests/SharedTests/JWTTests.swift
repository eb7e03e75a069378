import Crypto
import Foundation
@testable import Shared
import Testing

/// Bearer tokens as `Authenticator` sees them: a valid HS256 user token yields its principal;
/// every RFC 8725 violation, every missing or bad claim and every malformed header is
/// UNAUTHENTICATED; a user token cannot claim a service subject (service tokens: `ServiceTokenTests`).
@Suite struct JWTTests {
    /// A fixed clock, so expiry cases do not depend on when the test runs.
    static let now = Date(timeIntervalSince1970: 1_750_000_000)
    static let tenant = UUID(uuidString: "6f1c1c7e-2b1a-4f7e-9a55-0d3c8b1e2f40")!
    static let auth = TestEnvironment.auth
    static let authenticator = Authenticator(config: auth, serviceName: "spec-service")
    static let userJWT = JWT(secret: auth.jwtSecret, issuer: auth.issuer, audience: auth.audience)

    /// Claims of a valid user token at `now`.
    static func validClaims(sub: String? = "user-1", tid: String? = tenant.uuidString.lowercased(), role: String? = "member") -> JWTClaims {
        let time = now.timeIntervalSince1970
        return JWTClaims(sub: sub, tid: tid, role: role, exp: time + 300, nbf: time - 5, iat: time - 5)
    }

    static func bearer(_ token: String) -> String { "Bearer \(token)" }

    // MARK: - Accepted tokens

    @Test func validUserTokenYieldsItsPrincipal() throws {
        let token = Self.userJWT.sign(Self.validClaims(role: "admin"))
        let principal = try Self.authenticator.authenticate(authorization: Self.bearer(token), now: Self.now)
        #expect(principal == Principal(userID: "user-1", tenantID: Self.tenant, role: .admin))
        #expect(!principal.isService)
    }

    @Test func tokenFromTestEnvironmentIsAcceptedAtTheRealTime() throws {
        let tenant = UUID()
        let principal = try Self.authenticator.authenticate(authorization: Self.bearer(TestEnvironment.userToken(tenant: tenant, role: .viewer)))
        #expect(principal == Principal(userID: "user-1", tenantID: tenant, role: .viewer))
    }

    @Test func schemeIsCaseInsensitiveAndAudienceMayBeAList() throws {
        var claims = Self.validClaims()
        claims.aud = .many(["some-other-api", Self.auth.audience])
        let token = Self.userJWT.sign(claims)
        let principal = try Self.authenticator.authenticate(authorization: "bearer \(token)", now: Self.now)
        #expect(principal.role == .member)
    }

    @Test func clockSkewWithinLeewayIsTolerated() throws {
        let time = Self.now.timeIntervalSince1970
        // Expired 10 s ago and valid only from 10 s ahead: both inside the 30 s leeway.
        let token = Self.userJWT.sign(JWTClaims(sub: "user-1", tid: Self.tenant.uuidString, role: "owner", exp: time - 10, nbf: time + 10))
        let principal = try Self.authenticator.authenticate(authorization: Self.bearer(token), now: Self.now)
        #expect(principal.role == .owner)
    }

    // MARK: - Rejected tokens

    /// One token (or header value) that must be refused, and the reason it must be refused for.
    struct Rejected: Sendable, CustomTestStringConvertible {
        let name: String
        let authorization: String?
        /// A fragment of the error message, so the case fails for its own reason and not another.
        let reason: String
        var testDescription: String { name }
    }

    static var rejectedCases: [Rejected] {
        let time = now.timeIntervalSince1970
        let valid = validClaims()
        func signed(_ change: (inout JWTClaims) -> Void) -> String {
            var claims = valid
            change(&claims)
            return bearer(userJWT.sign(claims))
        }
        let validPayload = Forge.payload(userJWT.sign(valid))
        return [
            Rejected(name: "expired beyond leeway", authorization: signed { $0.exp = time - 31 }, reason: "expired"),
            Rejected(name: "not yet valid beyond leeway", authorization: signed { $0.nbf = time + 120 }, reason: "not valid yet"),
            Rejected(name: "signed with another secret", authorization: bearer(JWT(secret: "another-secret-0123456789abcdef0123456789", issuer: auth.issuer, audience: auth.audience).sign(valid)), reason: "signature"),
            Rejected(name: "user claims under an EdDSA header without a key id", authorization: bearer(Forge.token(header: #"{"alg":"EdDSA","typ":"JWT"}"#, payload: validPayload, secret: auth.jwtSecret)), reason: "does not trust"),
            Rejected(name: "alg none, empty signature", authorization: bearer(Forge.token(header: #"{"alg":"none","typ":"JWT"}"#, payload: validPayload, secret: nil)), reason: "algorithm 'none'"),
            Rejected(name: "alg none, valid HS256 signature", authorization: bearer(Forge.token(header: #"{"alg":"none"}"#, payload: validPayload, secret: auth.jwtSecret)), reason: "algorithm 'none'"),
            Rejected(name: "alg HS512", authorization: bearer(Forge.token(header: #"{"alg":"HS512","typ":"JWT"}"#, payload: validPayload, secret: auth.jwtSecret)), reason: "algorithm 'HS512'"),
            Rejected(name: "alg RS256", authorization: bearer(Forge.token(header: #"{"alg":"RS256","typ":"JWT"}"#, payload: validPayload, secret: auth.jwtSecret)), reason: "algorithm 'RS256'"),
            Rejected(name: "alg hs256 (wrong case)", authorization: bearer(Forge.token(header: #"{"alg":"hs256"}"#, payload: validPayload, secret: auth.jwtSecret)), reason: "algorithm 'hs256'"),
            Rejected(name: "header without alg", authorization: bearer(Forge.token(header: #"{"typ":"JWT"}"#, payload: validPayload, secret: auth.jwtSecret)), reason: "header is malformed"),
            Rejected(name: "wrong issuer", authorization: signed { $0.iss = "someone-else" }, reason: "issuer"),
            Rejected(name: "wrong audience", authorization: signed { $0.aud = .one("another-api") }, reason: "audience"),
            Rejected(name: "empty audience list", authorization: signed { $0.aud = .many([]) }, reason: "audience"),
            Rejected(name: "missing exp", authorization: signed { $0.exp = nil }, reason: "'exp'"),
            Rejected(name: "missing sub", authorization: signed { $0.sub = nil }, reason: "'sub'"),
            Rejected(name: "empty sub", authorization: signed { $0.sub = "" }, reason: "'sub'"),
            Rejected(name: "missing tid", authorization: signed { $0.tid = nil }, reason: "'tid'"),
            Rejected(name: "tid not a UUID", authorization: signed { $0.tid = "tenant-1" }, reason: "not a UUID"),
            Rejected(name: "missing role", authorization: signed { $0.role = nil }, reason: "'role'"),
            Rejected(name: "unknown role", authorization: signed { $0.role = "superuser" }, reason: "not a known role"),
            Rejected(name: "role 'service' in a user token", authorization: signed { $0.role = "service" }, reason: "not a known role"),
            Rejected(name: "claims that are not JSON", authorization: bearer(Forge.token(header: #"{"alg":"HS256"}"#, payload: Data("not json".utf8).base64URLEncoded, secret: auth.jwtSecret)), reason: "claims are malformed"),
            Rejected(name: "exp of the wrong type", authorization: bearer(Forge.token(header: #"{"alg":"HS256"}"#, payload: Data(#"{"sub":"u","exp":"tomorrow"}"#.utf8).base64URLEncoded, secret: auth.jwtSecret)), reason: "claims are malformed"),
            Rejected(name: "two parts", authorization: bearer(userJWT.sign(valid).split(separator: ".").prefix(2).joined(separator: ".")), reason: "compact serialization"),
            Rejected(name: "four parts", authorization: bearer(userJWT.sign(valid) + ".extra"), reason: "compact serialization"),
            Rejected(name: "garbage base64", authorization: bearer("!!!.@@@.###"), reason: "header is malformed"),
            Rejected(name: "garbage signature", authorization: bearer(userJWT.sign(valid).split(separator: ".").prefix(2).joined(separator: ".") + ".%%%"), reason: "signature"),
            Rejected(name: "validly signed but oversized (9 KiB)", authorization: signed { $0.sub = String(repeating: "a", count: 9 * 1024) }, reason: "larger than 8192 bytes"),
            Rejected(name: "signature with base64 padding", authorization: bearer(userJWT.sign(valid) + "="), reason: "without padding"),
            Rejected(name: "tampered claims", authorization: bearer(Forge.replacingPayload(of: userJWT.sign(valid), with: validClaims(role: "owner"))), reason: "signature"),
            Rejected(name: "no Authorization header", authorization: nil, reason: "missing bearer token"),
            Rejected(name: "empty Authorization header", authorization: "", reason: "missing bearer token"),
            Rejected(name: "Basic scheme", authorization: "Basic dXNlcjpwYXNzd29yZA==", reason: "Bearer <token>"),
            Rejected(name: "Bearer without a token", authorization: "Bearer ", reason: "Bearer <token>"),
            Rejected(name: "bare token without a scheme", authorization: userJWT.sign(valid), reason: "Bearer <token>"),
        ]
    }

    @Test(arguments: rejectedCases)
    func rejectedTokenIsUnauthenticated(_ rejected: Rejected) {
        let error = #expect(throws: WireError.self) {
            try Self.authenticator.authenticate(authorization: rejected.authorization, now: Self.now)
        }
        #expect(error?.code == .unauthenticated)
        #expect(error?.httpStatus == 401)
        #expect(error?.message.contains(rejected.reason) == true, "message was: \(error?.message ?? "none")")
    }

    @Test func userTokenCannotClaimAServiceSubject() {
        let forged = Self.userJWT.sign(Self.validClaims(sub: "service:spec-service", role: "owner"))
        let error = #expect(throws: WireError.self) {
            try Self.authenticator.authenticate(authorization: Self.bearer(forged), now: Self.now)
        }
        #expect(error?.code == .unauthenticated)
        #expect(error?.message.contains("service") == true)
    }
}

/// Hand-made compact JWS tokens, for the cases `JWT.sign` refuses to produce.
enum Forge {
    /// `header.payload.signature`, the signature an HMAC-SHA256 under `secret` (empty when nil).
    static func token(header: String, payload: String, secret: String?) -> String {
        let signingInput = Data(header.utf8).base64URLEncoded + "." + payload
        guard let secret else { return signingInput + "." }
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return signingInput + "." + Data(mac).base64URLEncoded
    }

    /// The payload part of a token.
    static func payload(_ token: String) -> String {
        String(token.split(separator: ".")[1])
    }

    /// The token with other claims and its original signature.
    static func replacingPayload(of token: String, with claims: JWTClaims) -> String {
        let parts = token.split(separator: ".")
        let payload = (try? JSONEncoder().encode(claims))?.base64URLEncoded ?? ""
        return "\(parts[0]).\(payload).\(parts[2])"
    }
}

/// The verified-token cache never outlives a token, and the one-pass parsing helpers.
@Suite struct TokenCacheTests {
    @Test func aCachedTokenStillExpiresWithItsExpClaim() throws {
        let authenticator = Authenticator(config: JWTTests.auth, serviceName: "spec-service")
        let token = JWTTests.userJWT.sign(JWTTests.validClaims())
        let first = try authenticator.authenticate(authorization: JWTTests.bearer(token), now: JWTTests.now)
        #expect(try authenticator.authenticate(authorization: JWTTests.bearer(token), now: JWTTests.now) == first)
        // exp is now + 300, the leeway 30 s: valid at +329 s, refused at +331 s.
        #expect(try authenticator.authenticate(authorization: JWTTests.bearer(token), now: JWTTests.now.addingTimeInterval(329)) == first)
        let error = #expect(throws: WireError.self) {
            try authenticator.authenticate(authorization: JWTTests.bearer(token), now: JWTTests.now.addingTimeInterval(331))
        }
        #expect(error?.message.contains("expired") == true)
        // And before its nbf (now - 5, leeway 30), a cached token is refused as well.
        #expect(throws: WireError.self) {
            try authenticator.authenticate(authorization: JWTTests.bearer(token), now: JWTTests.now.addingTimeInterval(-40))
        }
    }

    @Test func aRefusedTokenIsNeverCached() throws {
        let authenticator = Authenticator(config: JWTTests.auth, serviceName: "spec-service")
        let forged = JWT(secret: "another-secret-0123456789abcdef0123456789", issuer: JWTTests.auth.issuer, audience: JWTTests.auth.audience).sign(JWTTests.validClaims())
        for _ in 0..<2 {
            #expect(throws: WireError.self) { try authenticator.authenticate(authorization: JWTTests.bearer(forged), now: JWTTests.now) }
        }
    }

    @Test(arguments: ["", "f", "fo", "foo", "foob", "fooba", "foobar", "\u{00}\u{ff}\u{fe}binary"])
    func base64URLRoundTrips(_ text: String) {
        let bytes = Array(text.utf8)
        let encoded = Base64URL.encode(bytes)
        #expect(!encoded.contains("=") && !encoded.contains("+") && !encoded.contains("/"))
        #expect(Base64URL.decode(encoded.utf8) == bytes)
        #expect(Data(base64URLEncoded: encoded) == Data(bytes))
    }

    @Test(arguments: ["a", "ab=c", "a+b/", "Zm9v!", "Zh"])
    func malformedBase64URLIsRefused(_ text: String) {
        #expect(Base64URL.decode(text.utf8) == nil)
    }

    @Test func theIDGeneratorIsXoshiro256StarStar() {
        // The reference sequence of xoshiro256** from the state (1, 2, 3, 4).
        struct Counting: RandomNumberGenerator {
            var value: UInt64 = 0
            mutating func next() -> UInt64 { value += 1; return value }
        }
        var generator = Xoshiro256StarStar(seededBy: Counting())
        #expect((0..<4).map { _ in generator.next() } == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
    }

    @Test func randomIDsAreWellFormed() {
        let uuids = (0..<2000).map { _ in RandomHex.uuid() }
        #expect(Set(uuids).count == 2000)
        for uuid in uuids {
            #expect(UUID(uuidString: uuid)?.uuidString.lowercased() == uuid)
            #expect(Array(uuid)[14] == "4")
            #expect("89ab".contains(Array(uuid)[19]))
        }
        let trace = TraceContext.random()
        #expect(TraceContext(traceparent: trace.traceparent) == trace)
        #expect(trace.traceID.count == 32 && trace.spanID.count == 16)
        #expect(trace.child().traceID == trace.traceID && trace.child().spanID != trace.spanID)
    }
}
