import Crypto
import Foundation
import MeshTestSupport
@testable import Shared
import Testing

/// Service tokens: each service signs with its own Ed25519 key, for one receiver; a receiver
/// accepts a token only when a key it trusts for the named issuer signed it and it is the
/// audience; keys rotate with two valid at once; which service may call which route comes from
/// the contract.
@Suite struct ServiceTokenTests {
    static let now = JWTTests.now
    static let user = Principal(userID: "user-42", tenantID: JWTTests.tenant, role: .member)

    /// The authenticator of `service`, with its test key unless another is given.
    static func authenticator(_ service: String, key: ServiceSigningKey? = nil, trusting trusted: ServiceKeySet = MeshKeys.trusted) -> Authenticator {
        Authenticator(config: AuthConfig(jwtSecret: JWTTests.auth.jwtSecret, serviceKey: key ?? MeshKeys.key(for: service), trustedServiceKeys: trusted), serviceName: service)
    }

    /// The error `receiver` refuses `token` with (nil when it accepts it).
    static func refusal(of token: String, at receiver: Authenticator, now: Date = now) -> WireError? {
        do {
            _ = try receiver.authenticate(authorization: "Bearer \(token)", now: now)
            return nil
        } catch let error as WireError {
            return error
        } catch {
            return WireError(.internal, "\(error)")
        }
    }

    /// Service-token claims at `now`, as `issuer` would send them to `audience` for `user-42`.
    static func claims(from issuer: String = "run-service", to audience: String = "agent-service") -> JWTClaims {
        let time = now.timeIntervalSince1970
        return JWTClaims(sub: "service:\(issuer)", tid: JWTTests.tenant.lowercaseText, role: "service", iss: issuer, aud: .one(audience), exp: time + 60, nbf: time - 1, iat: time, obo_sub: "user-42", obo_role: "member")
    }

    @Test func aTokenCarriesTheUserToTheOneServiceItIsAddressedTo() throws {
        let token = Self.authenticator("run-service").serviceToken(for: Self.user, audience: "agent-service", now: Self.now)
        let principal = try Self.authenticator("agent-service").authenticate(authorization: "Bearer \(token)", now: Self.now)
        #expect(principal == Principal(userID: "user-42", tenantID: JWTTests.tenant, role: .member, callingService: "run-service"))

        let parsed = try CompactToken(token)
        #expect(parsed.algorithm == .edDSA)
        #expect(parsed.keyID == MeshKeys.key(for: "run-service").keyID)
        #expect(parsed.claims?.iss == "run-service" && parsed.claims?.aud == .one("agent-service") && parsed.claims?.sub == "service:run-service")

        for other in ["spec-service", "approval-service", "run-service"] {
            #expect(Self.refusal(of: token, at: Self.authenticator(other))?.message.contains("audience") == true, "\(other)")
        }
        #expect(throws: WireError.self) { try JWTTests.userJWT.verify(token, now: Self.now) }
        let expired = Self.refusal(of: token, at: Self.authenticator("agent-service"), now: Self.now.addingTimeInterval(60 + 31))
        #expect(expired?.message.contains("expired") == true)
    }

    @Test func noServiceCanSpeakForAnotherNorForgeATrustedKey() throws {
        let receiver = Self.authenticator("agent-service")
        // The spec-service's own key, claiming to be the run-service.
        let impersonation = Forge.edDSA(Self.claims(from: "run-service"), key: MeshKeys.key(for: "spec-service"))
        #expect(Self.refusal(of: impersonation, at: receiver)?.message.contains("issuer") == true)
        // A key nobody trusts, under its own id and under the run-service key's id.
        let stranger = ServiceSigningKey.generate()
        #expect(Self.refusal(of: Forge.edDSA(Self.claims(), key: stranger), at: receiver)?.message.contains("does not trust") == true)
        let stolenID = Forge.edDSA(Self.claims(), key: stranger, keyID: MeshKeys.key(for: "run-service").keyID)
        #expect(Self.refusal(of: stolenID, at: receiver)?.message.contains("signature") == true)
        // Claims changed after signing.
        var raised = Self.claims()
        raised.obo_role = "owner"
        let genuine = Forge.edDSA(Self.claims(), key: MeshKeys.key(for: "run-service"))
        #expect(Self.refusal(of: Forge.replacingPayload(of: genuine, with: raised), at: receiver)?.message.contains("signature") == true)
        // Service claims under the user secret (HS256) are a user token without a user role.
        let hmac = JWTTests.userJWT.sign(Self.claims(), exactly: true)
        #expect(Self.refusal(of: hmac, at: receiver)?.code == .unauthenticated)
        // The genuine token is accepted: the refusals above are for their own reasons.
        #expect(Self.refusal(of: genuine, at: receiver) == nil)
    }

    @Test func aServiceTokenWithoutTheUsersIdentityIsRefused() {
        let changes: [(String, (inout JWTClaims) -> Void)] = [
            ("no obo_sub", { $0.obo_sub = nil }), ("no obo_role", { $0.obo_role = nil }), ("unknown obo_role", { $0.obo_role = "root" }),
            ("tid not a UUID", { $0.tid = "tenant-1" }), ("sub of another service", { $0.sub = "service:spec-service" }), ("role not service", { $0.role = "owner" }),
            ("no exp", { $0.exp = nil }), ("nbf ahead", { $0.nbf = Self.now.timeIntervalSince1970 + 120 }),
        ]
        for (name, change) in changes {
            var claims = Self.claims()
            change(&claims)
            let token = Forge.edDSA(claims, key: MeshKeys.key(for: "run-service"))
            #expect(Self.refusal(of: token, at: Self.authenticator("agent-service"))?.code == .unauthenticated, "\(name)")
        }
    }

    @Test func aRotatingServiceHasTwoValidKeysUntilTheOldOneIsDropped() throws {
        let old = MeshKeys.key(for: "run-service")
        let new = ServiceSigningKey.generate()
        let oldToken = Self.authenticator("run-service", key: old).serviceToken(for: Self.user, audience: "spec-service", now: Self.now)
        let newToken = Self.authenticator("run-service", key: new).serviceToken(for: Self.user, audience: "spec-service", now: Self.now)
        let during = Self.authenticator("spec-service", trusting: ServiceKeySet([("run-service", old.publicKey), ("run-service", new.publicKey)]))
        #expect(Self.refusal(of: oldToken, at: during) == nil)
        #expect(Self.refusal(of: newToken, at: during) == nil)
        let after = Self.authenticator("spec-service", trusting: ServiceKeySet([("run-service", new.publicKey)]))
        #expect(Self.refusal(of: newToken, at: after) == nil)
        #expect(Self.refusal(of: oldToken, at: after)?.message.contains("does not trust") == true)
        // The new key is the run-service's only: trusted for the spec-service, it is refused.
        let misfiled = Self.authenticator("agent-service", trusting: ServiceKeySet([("spec-service", new.publicKey)]))
        let toAgent = Self.authenticator("run-service", key: new).serviceToken(for: Self.user, audience: "agent-service", now: Self.now)
        #expect(Self.refusal(of: toAgent, at: misfiled)?.message.contains("issuer") == true)
    }

    @Test func keysAreReadFromConfigurationAndBadOnesAreNamed() throws {
        let parsed = try ServiceKeySet(parsing: MeshKeys.trusted.configurationText)
        #expect(parsed.services == Set(MeshKeys.services))
        #expect(parsed.configurationText == MeshKeys.trusted.configurationText)
        let rotating = try ServiceKeySet(parsing: "run-service:\(Base64URL.encode(MeshKeys.key(for: "run-service").publicKey.rawRepresentation))\n run-service:\(Base64URL.encode(ServiceSigningKey.generate().publicKey.rawRepresentation))")
        #expect(rotating.services == ["run-service"])
        #expect(rotating.configurationText.split(separator: ",").count == 2)
        let valid = Base64URL.encode(MeshKeys.key(for: "spec-service").publicKey.rawRepresentation)
        for bad in ["spec-service", "spec-service:", "Spec Service:\(valid)", ":\(valid)", "spec-service:\(valid.dropLast(4))", "spec-service:not+base64url"] {
            let error = #expect(throws: ConfigError.self, "\(bad)") { try ServiceKeySet(parsing: bad) }
            #expect(error?.key == "META_BUILDER_SERVICE_PUBLIC_KEYS")
        }

        let environment = MeshKeys.environment(for: "run-service").merging(["META_BUILDER_JWT_SECRET": String(repeating: "a", count: 32)]) { $1 }
        let config = try AuthConfig(reader: ConfigReader(environment))
        #expect(config.serviceKey.keyID == MeshKeys.key(for: "run-service").keyID)
        for (key, value) in [("META_BUILDER_SERVICE_KEY", "c2hvcnQ"), ("META_BUILDER_SERVICE_KEY", ""), ("META_BUILDER_SERVICE_PUBLIC_KEYS", ""), ("META_BUILDER_SERVICE_PUBLIC_KEYS", "run-service")] {
            let error = #expect(throws: ConfigError.self, "\(key)=\(value)") { try AuthConfig(reader: ConfigReader(environment.merging([key: value]) { $1 })) }
            #expect(error?.key == key)
        }
    }

    @Test func derivedKeysDependOnTheServiceKeyAndThePurpose() {
        let run = MeshKeys.key(for: "run-service")
        #expect(run.derivedKey(purpose: "a") == run.derivedKey(purpose: "a"))
        #expect(run.derivedKey(purpose: "a") != run.derivedKey(purpose: "b"))
        #expect(run.derivedKey(purpose: "a") != MeshKeys.key(for: "spec-service").derivedKey(purpose: "a"))
    }

    @Test func theContractSaysWhichServiceMayCallWhichRoute() throws {
        let contract = #"{"paths":{"/internal/v1/gates":{"post":{"x-service-callers":["run-service"]},"get":{}},"/api/meta/v2/specs/{id}/plans/{planId}":{"get":{"x-service-callers":["run-service","approval-service"]}}}}"#
        let policy = try ServiceCallerPolicy(openAPI: Data(contract.utf8))
        #expect(policy.allows("run-service", method: .post, route: "/internal/v1/gates"))
        #expect(!policy.allows("spec-service", method: .post, route: "/internal/v1/gates"))
        #expect(!policy.allows("run-service", method: .get, route: "/internal/v1/gates"))
        #expect(policy.allows("approval-service", method: .get, route: "/api/meta/v2/specs/{id}/plans/{planId}"))
        #expect(!policy.allows("approval-service", method: .get, route: nil))
        for bad in [#"["billing-service"]"#, #""run-service""#] {
            #expect(throws: ConfigError.self) {
                try ServiceCallerPolicy(openAPI: Data(#"{"paths":{"/internal/v1/gates":{"post":{"x-service-callers":\#(bad)}}}}"#.utf8))
            }
        }
    }
}

extension Forge {
    /// An EdDSA token of `claims` signed with `key`, under `keyID` (the key's own by default).
    static func edDSA(_ claims: JWTClaims, key: ServiceSigningKey, keyID: String? = nil) -> String {
        let signingInput = CompactToken.signingInput(header: #"{"alg":"EdDSA","kid":"\#(keyID ?? key.keyID)","typ":"JWT"}"#, claims: claims)
        return signingInput + "." + Base64URL.encode(key.signature(for: Array(signingInput.utf8)))
    }
}
