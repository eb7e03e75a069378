import Foundation

/// The claims Meta-Builder reads from a token.
public struct JWTClaims: Codable, Sendable, Equatable {
    /// Subject: the user id, or `service:<name>` for service tokens.
    public var sub: String?
    /// Tenant id.
    public var tid: String?
    /// Role in the tenant.
    public var role: String?
    /// Issuer.
    public var iss: String?
    /// Audience (a string or a list).
    public var aud: Audience?
    /// Expiry (seconds since 1970).
    public var exp: Double?
    /// Not before (seconds since 1970).
    public var nbf: Double?
    /// Issued at (seconds since 1970).
    public var iat: Double?
    /// Service tokens: the user the call is made for.
    public var obo_sub: String?
    /// Service tokens: that user's role.
    public var obo_role: String?

    /// Creates claims.
    public init(sub: String? = nil, tid: String? = nil, role: String? = nil, iss: String? = nil, aud: Audience? = nil, exp: Double? = nil, nbf: Double? = nil, iat: Double? = nil, obo_sub: String? = nil, obo_role: String? = nil) {
        self.sub = sub
        self.tid = tid
        self.role = role
        self.iss = iss
        self.aud = aud
        self.exp = exp
        self.nbf = nbf
        self.iat = iat
        self.obo_sub = obo_sub
        self.obo_role = obo_role
    }

    /// `aud` as RFC 7519 allows it: one string or an array.
    public enum Audience: Codable, Sendable, Equatable {
        case one(String)
        case many([String])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let one = try? container.decode(String.self) {
                self = .one(one)
            } else {
                self = .many(try container.decode([String].self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .one(let value): try container.encode(value)
            case .many(let values): try container.encode(values)
            }
        }

        /// Whether the audience includes a value.
        public func contains(_ value: String) -> Bool {
            switch self {
            case .one(let one): one == value
            case .many(let many): many.contains(value)
            }
        }
    }
}
