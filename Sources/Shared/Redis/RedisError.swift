/// A Redis failure: connection lost, timeout, or an error reply.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    /// True when the connection failed (as opposed to a server error reply).
    public let isConnectionError: Bool
    /// What happened.
    public let message: String

    /// Creates an error.
    public init(isConnectionError: Bool, _ message: String) {
        self.isConnectionError = isConnectionError
        self.message = message
    }

    /// True when the server had closed the connection (EOF, reset, broken pipe).
    var isPeerClosed: Bool {
        isConnectionError && ["closed the connection", "reset by peer", "broken pipe", "eof"].contains { message.lowercased().contains($0) }
    }

    public var description: String { "redis \(isConnectionError ? "connection " : "")error: \(message)" }
}

extension RedisError: WireErrorConvertible {
    /// Connection failures and the replies of a server that is starting, failing over, busy or out
    /// of memory (`LOADING`, `BUSY`, `MASTERDOWN`, `TRYAGAIN`, `CLUSTERDOWN`, `READONLY`, `OOM`)
    /// pass: UNAVAILABLE with `Retry-After`. Any other reply (`ERR`, `WRONGTYPE`, `NOAUTH`,
    /// `WRONGPASS`, `NOPERM`) is a bug or a misconfiguration: INTERNAL.
    public var wireError: WireError {
        guard isConnectionError || Self.passingReplies.contains(replyPrefix) else { return WireError(.internal, "event bus error") }
        return WireError(.unavailable, "event bus unavailable", retryAfter: 1)
    }

    /// The error reply's first word (`LOADING`), or "" for a connection error.
    var replyPrefix: String {
        isConnectionError ? "" : String(message.prefix { !$0.isWhitespace })
    }

    private static let passingReplies: Set<String> = ["LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "READONLY", "OOM"]
}
