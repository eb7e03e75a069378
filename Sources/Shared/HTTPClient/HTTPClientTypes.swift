import Foundation

/// An outgoing HTTP request.
public struct HTTPClientRequest: Sendable {
    /// The method (`GET`, `POST`, …).
    public var method: String
    /// The absolute URL.
    public var url: String
    /// Headers to send.
    public var headers: [(String, String)]
    /// The body, if any.
    public var body: Data?
    /// Whether repeating the request is safe (only then are UNAVAILABLE failures retried).
    public var isIdempotent: Bool
    /// A Unix socket to send the request over instead of the URL's host and port (the URL still
    /// gives the path and the `Host` header), e.g. an app confined without a network.
    public var unixSocketPath: String?

    /// Creates a request; GET/HEAD/PUT/DELETE are idempotent unless told otherwise.
    public init(method: String, url: String, headers: [(String, String)] = [], body: Data? = nil, isIdempotent: Bool? = nil, unixSocketPath: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.isIdempotent = isIdempotent ?? ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method)
        self.unixSocketPath = unixSocketPath
    }
}

/// A received HTTP response.
public struct HTTPClientResponse: Sendable {
    /// The status code.
    public let status: Int
    /// Headers in received order.
    public let headers: [(String, String)]
    /// The body.
    public let body: Data

    /// The first header of a name (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// The error this response stands for, or nil for 2xx: the wire error body when present,
    /// else one derived from the status.
    public var wireError: WireError? {
        guard !(200..<300).contains(status) else { return nil }
        var error = WireError.decode(from: body) ?? WireError(StatusCode(httpStatus: status), "upstream answered HTTP \(status)")
        if let retryAfter = header("Retry-After").flatMap(Int.init) { error.retryAfter = retryAfter }
        return error
    }
}
