import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// The review page's sign-in and forms: the bearer token kept in an `HttpOnly`, `SameSite=Strict`
/// cookie (`Secure` when the request came over TLS), and a CSRF token on every form.
///
/// CSRF tokens are bound to a random nonce in a cookie of their own and to the session: the token
/// is `HMAC-SHA256(key, nonce | session)`, the key derived from the user-token secret, so every
/// instance of the service checks what any other rendered, and a form from another site (which
/// can neither read the cookies nor compute the HMAC) is refused.
struct ReviewSession: Sendable {
    /// The cookie holding the bearer token.
    static let sessionCookie = "mb_session"
    /// The cookie holding the CSRF nonce.
    static let nonceCookie = "mb_csrf"
    /// The path both cookies are sent to.
    static let path = "/ui"

    /// The CSRF key's bytes (`SymmetricKey` is not `Sendable`).
    private let key: [UInt8]

    /// Derives the CSRF key from `secret` (the user-token secret).
    init(secret: String) {
        key = Array(SHA256.hash(data: Data("meta-builder review-page csrf\u{0}\(secret)".utf8)))
    }

    /// The bearer token the request's session cookie holds.
    func token(in request: Request) -> String? {
        request.cookies[Self.sessionCookie]?.value.nonEmpty
    }

    /// The request's CSRF nonce, or a new one (then `isNew`, and the page sets its cookie).
    func nonce(for request: Request) -> (value: String, isNew: Bool) {
        if let nonce = request.cookies[Self.nonceCookie]?.value, nonce.utf8.count == 43 { return (nonce, false) }
        return (Base64URL.encode(Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })), true)
    }

    /// The token a form rendered for `nonce` in the session of `token` carries.
    func csrfToken(nonce: String, session token: String?) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(nonce)|\(token ?? "")".utf8), using: SymmetricKey(data: key))
        return Base64URL.encode(Data(mac))
    }

    /// Checks a posted form's token against the request's nonce cookie and the session it was
    /// rendered for (nil before sign-in); PERMISSION_DENIED when it is missing or does not match.
    func verify(_ posted: String?, request: Request, session token: String?) throws {
        guard let posted, let nonce = request.cookies[Self.nonceCookie]?.value,
              Self.constantTimeEqual(posted, csrfToken(nonce: nonce, session: token))
        else {
            throw WireError(.permissionDenied, "the form's CSRF token is missing or does not match this session: reload the page and try again")
        }
    }

    /// A cookie of the review page: `HttpOnly`, `SameSite=Strict`, path `/ui`, `Secure` when the
    /// request came over TLS (directly or through the gateway's `X-Forwarded-Proto`); `maxAge`
    /// 0 removes it.
    func cookie(_ name: String, _ value: String, for request: Request, maxAge: Int? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: Self.path, secure: Self.isTLS(request), httpOnly: true, sameSite: .strict)
    }

    /// Whether the request reached the service over TLS.
    static func isTLS(_ request: Request) -> Bool {
        request.uri.scheme == .https || request.headers[values: HTTPField.Name("X-Forwarded-Proto")!].contains { $0.lowercased() == "https" }
    }

    private static func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        let (a, b) = (Array(left.utf8), Array(right.utf8))
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

private extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
