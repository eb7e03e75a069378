import Crypto
import Foundation
import MeshTestSupport
import Shared

/// The forged, tampered and misplaced credentials that every authenticated route of every
/// service must refuse with 401 and a Bearer challenge: user tokens broken in each way RFC 8725
/// lists (algorithm, signature, claims, time, size, scheme) and service tokens from the wrong
/// key, for the wrong receiver, from a caller the route's contract does not admit, or as a user.
enum ForgedCredentials {
    /// One credential: what it is, and the `Authorization` header it sends (nil: none).
    struct Credential: Sendable {
        let name: String
        let authorization: String?
    }

    /// The forgeries for one route of `receiver`: the user-token ones everywhere, a valid user
    /// token on internal routes, and service tokens from every service the route does not admit.
    static func all(userSecret: String, tenant: UUID, receiver: String, route: RouteContract) -> [Credential] {
        var credentials = userForgeries(secret: userSecret, tenant: tenant) + serviceForgeries(tenant: tenant, receiver: receiver, admitted: route.callers)
        if route.isInternal {
            credentials.append(.init(name: "a valid user token on an internal route", authorization: "Bearer " + userToken(secret: userSecret, claims: userClaims(tenant: tenant))))
        }
        for service in MeshKeys.services where !route.callers.contains(service) {
            credentials.append(.init(name: "a valid token of \(service), which the contract does not admit", authorization: "Bearer " + serviceToken(from: service, to: receiver, tenant: tenant)))
        }
        return credentials
    }

    /// The credential that must get past authentication on the route (its status is anything
    /// but 401): a user token on public routes, else a token of the first admitted service.
    static func valid(userSecret: String, tenant: UUID, receiver: String, route: RouteContract) -> Credential? {
        if !route.isInternal {
            return .init(name: "a valid user token", authorization: "Bearer " + userToken(secret: userSecret, claims: userClaims(tenant: tenant)))
        }
        return route.callers.first.map { .init(name: "a valid token of \($0)", authorization: "Bearer " + serviceToken(from: $0, to: receiver, tenant: tenant)) }
    }

    // MARK: - User tokens

    private static func userForgeries(secret: String, tenant: UUID) -> [Credential] {
        let now = Date().timeIntervalSince1970
        let claims = userClaims(tenant: tenant)
        let valid = userToken(secret: secret, claims: claims)
        let parts = valid.split(separator: ".").map(String.init)
        var viewer = claims
        viewer.role = "viewer"
        let viewerToken = userToken(secret: secret, claims: viewer).split(separator: ".").map(String.init)
        let noneHeader = segment(#"{"alg":"none","typ":"JWT"}"#)
        let signatureBytes = Base64URL.decode(parts[2].utf8) ?? []
        func changed(_ change: (inout JWTClaims) -> Void) -> String {
            var copy = claims
            change(&copy)
            return "Bearer " + userToken(secret: secret, claims: copy)
        }
        return [
            .init(name: "no credentials", authorization: nil),
            .init(name: "an empty bearer token", authorization: "Bearer "),
            .init(name: "the Basic scheme", authorization: "Basic " + Data("user-1:password".utf8).base64EncodedString()),
            .init(name: "a token that is no JWS", authorization: "Bearer not-a-token"),
            .init(name: "a token of four segments", authorization: "Bearer " + valid + ".e30"),
            .init(name: "alg none without a signature", authorization: "Bearer \(noneHeader).\(parts[1])."),
            .init(name: "alg none with a valid HS256 signature", authorization: "Bearer \(noneHeader).\(parts[1]).\(hmac(SHA256.self, "\(noneHeader).\(parts[1])", secret))"),
            .init(name: "HS512 with the right secret", authorization: "Bearer " + signed(header: #"{"alg":"HS512","typ":"JWT"}"#, claims: claims, SHA512.self, secret)),
            .init(name: "HS256 with another secret", authorization: "Bearer " + userToken(secret: secret + "-not", claims: claims)),
            .init(name: "claims raised after signing (viewer to owner)", authorization: "Bearer \(viewerToken[0]).\(parts[1]).\(viewerToken[2])"),
            .init(name: "a header changed after signing (kid added)", authorization: "Bearer \(segment(#"{"alg":"HS256","kid":"x","typ":"JWT"}"#)).\(parts[1]).\(parts[2])"),
            .init(name: "the signature of another token", authorization: "Bearer \(parts[0]).\(parts[1]).\(viewerToken[2])"),
            .init(name: "the signature in padded standard base64", authorization: "Bearer \(parts[0]).\(parts[1]).\(Data(signatureBytes).base64EncodedString())"),
            .init(name: "an EdDSA header over an HMAC signature", authorization: "Bearer " + signed(header: #"{"alg":"EdDSA","typ":"JWT"}"#, claims: claims, SHA256.self, secret)),
            .init(name: "expired an hour ago", authorization: changed { $0.exp = now - 3600 }),
            .init(name: "not valid for another hour (nbf)", authorization: changed { $0.nbf = now + 3600 }),
            .init(name: "another issuer", authorization: changed { $0.iss = "someone-else" }),
            .init(name: "another audience", authorization: changed { $0.aud = .one("another-platform") }),
            .init(name: "no tenant", authorization: changed { $0.tid = nil }),
            .init(name: "a tenant that is no UUID", authorization: changed { $0.tid = "tenant-1" }),
            .init(name: "an unknown role", authorization: changed { $0.role = "superuser" }),
            .init(name: "no role", authorization: changed { $0.role = nil }),
            .init(name: "no subject", authorization: changed { $0.sub = nil }),
            .init(name: "no expiry", authorization: changed { $0.exp = nil }),
            .init(name: "an oversized token (16 KiB)", authorization: changed { $0.sub = String(repeating: "a", count: 16 * 1024) }),
            .init(name: "a service role in a user token", authorization: changed { $0.role = "service" }),
        ]
    }

    static func userClaims(tenant: UUID) -> JWTClaims {
        JWTClaims(sub: "user-1", tid: tenant.lowercaseText, role: Role.owner.rawValue, iss: "meta-builder", aud: .one("meta-builder"), exp: Date().timeIntervalSince1970 + 3600)
    }

    private static func userToken(secret: String, claims: JWTClaims) -> String {
        JWT(secret: secret, issuer: "meta-builder", audience: "meta-builder").sign(claims, exactly: true)
    }

    // MARK: - Service tokens

    private static func serviceForgeries(tenant: UUID, receiver: String, admitted: [String]) -> [Credential] {
        let caller = admitted.first ?? "run-service"
        let now = Date().timeIntervalSince1970
        let claims = serviceClaims(from: caller, to: receiver, tenant: tenant)
        let stranger = Curve25519.Signing.PrivateKey()
        let strangerID = ServiceKeySet.keyID(of: stranger.publicKey)
        var expired = claims
        expired.exp = now - 3600
        let impostor = MeshKeys.services.first { $0 != caller }!
        return [
            .init(name: "a service token for another receiver", authorization: "Bearer " + serviceToken(from: caller, to: MeshKeys.services.first { $0 != receiver }!, tenant: tenant)),
            .init(name: "a service token signed with an untrusted key", authorization: "Bearer " + eddsa(claims, key: stranger, keyID: strangerID)),
            .init(name: "a service token naming a trusted key but signed with another", authorization: "Bearer " + eddsa(claims, key: stranger, keyID: MeshKeys.key(for: caller).keyID)),
            .init(name: "an expired service token", authorization: "Bearer " + eddsa(expired, key: MeshKeys.privateKey(of: caller), keyID: MeshKeys.key(for: caller).keyID)),
            .init(name: "a service token claiming \(caller), signed with the key of \(impostor)", authorization: "Bearer " + eddsa(claims, key: MeshKeys.privateKey(of: impostor), keyID: MeshKeys.key(for: impostor).keyID)),
            .init(name: "a service token with alg none", authorization: "Bearer \(segment(#"{"alg":"none","kid":"\#(MeshKeys.key(for: caller).keyID)","typ":"JWT"}"#)).\(Base64URL.encode(try! JSONEncoder().encode(claims)))."),
        ]
    }

    private static func serviceClaims(from caller: String, to receiver: String, tenant: UUID) -> JWTClaims {
        let now = Date().timeIntervalSince1970
        return JWTClaims(sub: "service:\(caller)", tid: tenant.lowercaseText, role: "service", iss: caller, aud: .one(receiver), exp: now + 600, nbf: now - 1, iat: now, obo_sub: "user-1", obo_role: Role.owner.rawValue)
    }

    private static func serviceToken(from caller: String, to receiver: String, tenant: UUID) -> String {
        eddsa(serviceClaims(from: caller, to: receiver, tenant: tenant), key: MeshKeys.privateKey(of: caller), keyID: MeshKeys.key(for: caller).keyID)
    }

    private static func eddsa(_ claims: JWTClaims, key: Curve25519.Signing.PrivateKey, keyID: String) -> String {
        let input = segment(#"{"alg":"EdDSA","kid":"\#(keyID)","typ":"JWT"}"#) + "." + Base64URL.encode(try! JSONEncoder().encode(claims))
        return input + "." + Base64URL.encode(try! key.signature(for: Data(input.utf8)))
    }

    // MARK: - Encoding

    private static func segment(_ json: String) -> String {
        Base64URL.encode(json.utf8)
    }

    private static func signed<H: HashFunction>(header: String, claims: JWTClaims, _ hash: H.Type, _ secret: String) -> String {
        let input = segment(header) + "." + Base64URL.encode(try! JSONEncoder().encode(claims))
        return input + "." + hmac(hash, input, secret)
    }

    private static func hmac<H: HashFunction>(_ hash: H.Type, _ input: String, _ secret: String) -> String {
        Base64URL.encode(HMAC<H>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8))))
    }
}
