import Foundation

/// Visits the review page over HTTP as a browser would, without one: it keeps the cookies the
/// service sets, posts forms as `application/x-www-form-urlencoded`, and reads the CSRF token
/// the last page rendered. Redirects are not followed, so a test sees each 303.
public final class PageVisitor: @unchecked Sendable {
    private let client: MeshClient
    private let base: String
    /// The cookies set so far, by name (only this test's task touches them).
    public private(set) var cookies: [String: String] = [:]
    /// The CSRF token of the last page that rendered a form.
    public private(set) var csrf: String?

    /// A visitor of the service at `base` (`http://127.0.0.1:port`).
    public init(base: String, client: MeshClient) {
        self.base = base
        self.client = client
    }

    /// GETs `path` with the cookies.
    public func get(_ path: String, headers: [(String, String)] = []) async throws -> MeshClient.Answer {
        try await send("GET", path, body: nil, headers: headers)
    }

    /// POSTs `fields` as a form to `path` with the cookies.
    public func post(_ path: String, _ fields: [(String, String)], headers: [(String, String)] = []) async throws -> MeshClient.Answer {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send("POST", path, body: body, headers: headers + [("Content-Type", "application/x-www-form-urlencoded")])
    }

    /// Signs in with `token` through the sign-in form, as a person pasting their token would,
    /// and opens the list (so `csrf` is a form token of the session). Fails unless the form
    /// answered with its redirect.
    public func signIn(token: String) async throws {
        _ = try await get("/ui/sign-in")
        let answer = try await post("/ui/sign-in", [("token", token), ("csrf", csrf ?? "")])
        guard answer.status == 303 else { throw SignInRefused(status: answer.status, body: answer.text) }
        _ = try await get("/ui/")
    }

    /// The sign-in form did not accept a token.
    public struct SignInRefused: Error, CustomStringConvertible {
        public let status: Int
        public let body: String
        public var description: String { "sign-in answered \(status): \(body.prefix(300))" }
    }

    /// Every `Set-Cookie` header of an answer.
    public static func setCookies(_ answer: MeshClient.Answer) -> [String] {
        answer.headers.filter { $0.0.caseInsensitiveCompare("Set-Cookie") == .orderedSame }.map(\.1)
    }

    private func send(_ method: String, _ path: String, body: String?, headers: [(String, String)]) async throws -> MeshClient.Answer {
        var all = headers
        if !cookies.isEmpty { all.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))) }
        let answer = try await client.exchange(method, base + path, headers: all, body: body.map { Data($0.utf8) })
        for cookie in Self.setCookies(answer) {
            let pair = cookie.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1)
            let (name, value) = (String(pair[0]), pair.count > 1 ? String(pair[1]) : "")
            cookies[name] = cookie.lowercased().contains("max-age=0") ? nil : value
        }
        if let range = answer.text.range(of: #"name="csrf" value="([^"]+)""#, options: .regularExpression) {
            csrf = String(answer.text[range].split(separator: "\"")[3])
        }
        return answer
    }

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
